//! Bounds on what one peer can make the aggregator hold (issue #12): maps
//! over `peer.max-pids` / `peer.max-prefixes` are rejected for that peer
//! alone, and a directory peer whose file became a FIFO is a failed read,
//! not a watcher blocked forever; both recover when the peer is fixed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use altofed_engine::watch;
use altofed_peers::DirectorySource;
use altofed_server::AppState;
use common::*;

fn rejected(state: &AppState, peer: &str) -> Option<f64> {
    metric(state, "altofed_engine_peer_rejected_total", Some(peer))
}

fn stale(state: &AppState, peer: &str) -> bool {
    props(state, &format!("{peer}:pid2"))[".priv:stale-since"].is_string()
}

/// Figure 5 with isp-a and isp-b (5 PIDs, 10 prefixes each) under the
/// given limits.
fn limited(dir: &Path, max_pids: usize, max_prefixes: usize) {
    figure5(dir, "1h", true);
    let toml = dir.join("altofed.toml");
    let text = std::fs::read_to_string(&toml).unwrap().replace(
        "[[peer]]\n",
        &format!("[[peer]]\nmax-pids = {max_pids}\nmax-prefixes = {max_prefixes}\n"),
    );
    std::fs::write(toml, text).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maps_over_max_pids_or_max_prefixes_are_rejected_for_that_peer_only() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    limited(dir, 5, 10);
    let (state, tx) = start(dir, None);
    send(&tx, updated(0, maps(dir, "isp-a"))).await;
    send(&tx, updated(1, maps(dir, "isp-b"))).await;
    eventually(&state, "both peers at the limits", |s| {
        cost(s, "pid8", "isp-a:pid2") == Some(11.0) && cost(s, "pid8", "isp-b:pid2") == Some(11.0)
    })
    .await;

    // A sixth PID for isp-a; isp-b lowers a cost.
    edit(dir, "isp-a", "networkmap.json", |t| {
        t.replace(
            "\"pid5\": { \"ipv4\": [\"192.0.2.5/32\"] }",
            "\"pid5\": { \"ipv4\": [\"192.0.2.5/32\"] },\n    \"pid6\": { \"ipv4\": [\"192.0.2.6/32\"] }",
        )
    });
    edit(dir, "isp-b", "costmap.json", |t| {
        t.replace("\"pid1\": 5, \"pid2\": 2,", "\"pid1\": 5, \"pid2\": 0,")
    });
    send(&tx, updated(0, maps(dir, "isp-a"))).await;
    send(&tx, updated(1, maps(dir, "isp-b"))).await;
    eventually(&state, "isp-b's change, isp-a rejected", |s| {
        cost(s, "pid8", "isp-b:pid2") == Some(9.0) && rejected(s, "isp-a") == Some(1.0)
    })
    .await;
    assert!(stale(&state, "isp-a"));
    assert!(pid(&state, "isp-a:pid6").is_null());
    assert_eq!(cost(&state, "pid8", "isp-a:pid2"), Some(11.0), "last good");

    // Five PIDs again but eleven prefixes.
    edit(dir, "isp-a", "networkmap.json", |t| {
        t.replace(",\n    \"pid6\": { \"ipv4\": [\"192.0.2.6/32\"] }", "")
            .replace("\"192.0.2.5/32\"]", "\"192.0.2.5/32\", \"192.0.2.6/32\"]")
    });
    send(&tx, updated(0, maps(dir, "isp-a"))).await;
    eventually(&state, "isp-a rejected again", |s| {
        rejected(s, "isp-a") == Some(2.0)
    })
    .await;
    assert!(stale(&state, "isp-a"));

    // Back under both limits: fresh.
    edit(dir, "isp-a", "networkmap.json", |t| {
        t.replace("\"192.0.2.5/32\", \"192.0.2.6/32\"]", "\"192.0.2.5/32\"]")
    });
    send(&tx, updated(0, maps(dir, "isp-a"))).await;
    eventually(&state, "isp-a fresh", |s| !stale(s, "isp-a")).await;
    assert_eq!(rejected(&state, "isp-b"), Some(0.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_in_place_of_a_peer_file_fails_that_read_and_the_watcher_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    figure5(dir, "1h", false);
    let (state, tx) = start(dir, None);
    watch::spawn_directory_peer(0, DirectorySource::new(dir.join("isp-a")), EVERY, tx);
    eventually(&state, "first computation", |s| {
        cost(s, "pid8", "isp-a:pid2") == Some(11.0)
    })
    .await;

    let propmap = dir.join("isp-a").join("propmap.json");
    let good = std::fs::read(&propmap).unwrap();
    std::fs::remove_file(&propmap).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&propmap)
        .status()
        .unwrap();
    assert!(made.success());
    eventually(&state, "isp-a stale", |s| stale(s, "isp-a")).await;
    assert_eq!(
        cost(&state, "pid8", "isp-a:pid2"),
        Some(11.0),
        "still served"
    );

    // The watcher was not blocked: a regular file again, and a new cost.
    std::fs::remove_file(&propmap).unwrap();
    std::fs::write(&propmap, good).unwrap();
    edit(dir, "isp-a", "costmap.json", |t| {
        t.replace("\"pid1\": 5, \"pid2\": 2,", "\"pid1\": 5, \"pid2\": 0,")
    });
    eventually(&state, "isp-a fresh with its new cost", |s| {
        !stale(s, "isp-a") && cost(s, "pid8", "isp-a:pid2") == Some(9.0)
    })
    .await;
}
