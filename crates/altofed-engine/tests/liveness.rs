//! Liveness is the last contact, not the maps' age (issue #12): a peer
//! that keeps answering with unchanged maps stays published however old
//! its maps are; the first failure makes it stale at once; its PIDs go
//! `max-age` after its last contact, whether failures were reported or it
//! just went silent. The exact timing rules are unit tests of the slot
//! (`slot::tests`); these run the engine with events sent by the test or
//! by a directory watcher.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant, SystemTime};

use altofed_engine::watch;
use altofed_peers::{DirectorySource, PeerEvent};
use common::*;

const MAX_AGE: f64 = 3.0;

fn age(state: &altofed_server::AppState, which: &str) -> f64 {
    let name = format!("altofed_engine_peer_{which}_age_seconds");
    metric(state, &name, Some("isp-a")).unwrap_or(0.0)
}

fn flag(state: &altofed_server::AppState, which: &str) -> Option<f64> {
    metric(
        state,
        &format!("altofed_engine_peer_{which}"),
        Some("isp-a"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_unchanged_past_max_age_then_failing_once_stays_stale_and_goes_max_age_after_its_last_contact(
) {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    figure5(dir, "3s", false);
    let (state, tx) = start(dir, None);
    send(&tx, updated(0, maps(dir, "isp-a"))).await;
    eventually(&state, "first computation", |s| {
        cost(s, "pid8", "isp-a:pid2") == Some(11.0)
    })
    .await;

    // The peer answers "unchanged" (a 304, a keep-alive) until its maps
    // are older than max-age: it stays published and fresh.
    let deadline = Instant::now() + Duration::from_secs(20);
    while age(&state, "maps") <= MAX_AGE + 0.5 {
        assert!(Instant::now() < deadline, "maps never aged");
        send(&tx, PeerEvent::Current { peer: 0 }).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(
            flag(&state, "withdrawn"),
            Some(0.0),
            "withdrawn while answering"
        );
    }
    assert!(pid(&state, "isp-a:pid2").is_object());

    // One refused connection: stale at once, still served, since now.
    let before_failure = SystemTime::now() - Duration::from_secs(1);
    send(&tx, failed(0, "connection refused")).await;
    eventually(&state, "stale mark", |s| {
        props(s, "isp-a:pid2")[".priv:stale-since"].is_string()
    })
    .await;
    assert_eq!(
        cost(&state, "pid8", "isp-a:pid2"),
        Some(11.0),
        "still served"
    );
    let since = props(&state, "isp-a:pid2")[".priv:stale-since"]
        .as_str()
        .unwrap()
        .to_owned();
    let since = humantime::parse_rfc3339(&since).unwrap();
    assert!(
        since >= before_failure,
        "stale-since is the failure's time, not the maps': {since:?}"
    );
    assert_eq!(flag(&state, "stale"), Some(1.0));
    assert!(age(&state, "maps") > MAX_AGE, "maps older than max-age");
    assert!(age(&state, "last_contact") < MAX_AGE, "contact is recent");

    // Withdrawn, by the timer (no further event), max-age after the last
    // contact.
    // The metrics are reported just after the publish: wait for both.
    eventually(&state, "withdrawal", |s| {
        pid(s, "isp-a:pid2").is_null() && flag(s, "withdrawn") == Some(1.0)
    })
    .await;
    assert_eq!(cost(&state, "pid8", "isp-a:pid2"), None);
    assert!(age(&state, "last_contact") >= MAX_AGE);
    // The CDN's own PIDs never go.
    assert!(pid(&state, "pid8").is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_goes_silent_is_withdrawn_max_age_after_its_last_contact_and_returns_when_it_answers(
) {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    figure5(dir, "1s", false);
    let (state, tx) = start(dir, None);
    send(&tx, updated(0, maps(dir, "isp-a"))).await;
    eventually(&state, "first computation", |s| {
        pid(s, "isp-a:pid2").is_object()
    })
    .await;
    // Not a single event more: the timer withdraws it; it never failed,
    // so it was never stale.
    eventually(&state, "withdrawal", |s| pid(s, "isp-a:pid2").is_null()).await;
    assert_eq!(flag(&state, "stale"), Some(0.0));
    assert_eq!(flag(&state, "withdrawn"), Some(1.0));
    assert!(age(&state, "last_contact") >= 1.0);

    send(&tx, PeerEvent::Current { peer: 0 }).await;
    eventually(&state, "return", |s| {
        cost(s, "pid8", "isp-a:pid2") == Some(11.0)
    })
    .await;
    assert_eq!(flag(&state, "withdrawn"), Some(0.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_directory_peer_whose_files_do_not_change_stays_published_past_max_age() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    figure5(dir, "1s", false);
    let (state, tx) = start(dir, None);
    watch::spawn_directory_peer(0, DirectorySource::new(dir.join("isp-a")), EVERY, tx);
    eventually(&state, "first computation", |s| {
        pid(s, "isp-a:pid2").is_object()
    })
    .await;
    eventually(&state, "maps older than twice max-age", |s| {
        age(s, "maps") > 2.0
    })
    .await;
    assert!(pid(&state, "isp-a:pid2").is_object());
    assert_eq!(flag(&state, "withdrawn"), Some(0.0));
    assert!(age(&state, "last_contact") < 1.0);
}
