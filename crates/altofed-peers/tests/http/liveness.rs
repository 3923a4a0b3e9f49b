//! Liveness is the last contact: every good answer that brings no new maps
//! (a 304, an unchanged body, an open update stream) is a
//! `PeerEvent::Current`; a failed fetch never is.

use std::time::Duration;

use altofed_core::config::HttpOptions;
use altofed_peers::PeerEvent;
use altofed_server::ServerConfig;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::raw::{Fault, RawPeer, COST_PATH, IRD_PATH, NET_PATH, STREAM_PATH};
use crate::support::{
    fetches, isp_a, next_event, next_failure, next_update, options, peer, wait_until, watch, Logs,
    Server, COST,
};

fn polling_every(ms: u64) -> HttpOptions {
    HttpOptions {
        poll_interval: Duration::from_millis(ms),
        ..options()
    }
}

/// The next `n` events must be `Current` for peer 0.
async fn currents(rx: &mut mpsc::Receiver<PeerEvent>, n: usize) {
    for _ in 0..n {
        match next_event(rx).await {
            PeerEvent::Current { peer } => assert_eq!(peer, 0),
            other => panic!("the maps did not change: {other:?}"),
        }
    }
}

/// The next `n` events must be failures.
async fn failures(rx: &mut mpsc::Receiver<PeerEvent>, n: usize) {
    for _ in 0..n {
        match next_event(rx).await {
            PeerEvent::Failed { .. } => {}
            other => panic!("the peer is failing: {other:?}"),
        }
    }
}

/// Every event that arrives within `window`.
async fn events_within(rx: &mut mpsc::Receiver<PeerEvent>, window: Duration) -> Vec<PeerEvent> {
    let deadline = Instant::now() + window;
    let mut events = Vec::new();
    while let Ok(event) = tokio::time::timeout_at(deadline, rx.recv()).await {
        events.push(event.expect("watcher gone"));
    }
    events
}

#[tokio::test]
async fn each_304_is_a_contact_and_a_failed_fetch_is_not() {
    let server = Server::start(ServerConfig::default(), isp_a()).await;
    let (peer, registry) = peer(&server.url("/directory"), &polling_every(50));
    let (mut rx, watcher) = watch(peer);
    next_update(&mut rx, |e| panic!("{e}")).await;

    currents(&mut rx, 3).await;
    assert!(server.gets("/maps/{id}", COST, "304") >= 3.0);
    assert_eq!(server.gets("/maps/{id}", COST, "200"), 1.0);
    assert!(fetches(&registry, "unchanged") >= 3.0);

    // The failures are the engine's to log (one WARN each): the client
    // logs none at WARN.
    let (logs, _guard) = Logs::capture();
    server.stop().await;
    next_failure(&mut rx).await;
    failures(&mut rx, 3).await;
    assert_eq!(logs.lines("WARN", ""), 0);
    watcher.stop().await;
}

/// A peer that sends no ETags: the same vtag and equal documents are an
/// unchanged answer, and a contact all the same.
#[tokio::test]
async fn each_unchanged_body_is_a_contact_and_a_failed_fetch_is_not() {
    let raw = RawPeer::start().await;
    let (peer, _registry) = peer(&raw.url(IRD_PATH), &polling_every(50));
    let (mut rx, watcher) = watch(peer);
    next_update(&mut rx, |e| panic!("{e}")).await;
    currents(&mut rx, 3).await;

    raw.set_fault(NET_PATH, Fault::Status(500));
    next_failure(&mut rx).await;
    failures(&mut rx, 3).await;

    raw.clear_fault();
    loop {
        match next_event(&mut rx).await {
            PeerEvent::Current { .. } => break,
            PeerEvent::Failed { .. } => {}
            other => panic!("the maps did not change: {other:?}"),
        }
    }
    currents(&mut rx, 2).await;
    watcher.stop().await;
}

/// An open update stream is a contact once per poll interval, whether
/// the peer says nothing at all (its keep-alives may be further apart
/// than `max-age`) or floods it with keep-alives; no poll is needed for
/// it.
#[tokio::test]
async fn an_open_stream_is_a_contact_once_per_poll_interval() {
    let (raw, mut scripts) = RawPeer::with_streams(1).await;
    let script = scripts.pop().unwrap();
    let options = HttpOptions {
        update_stream: true,
        ..polling_every(200)
    };
    let (peer, _registry) = peer(&raw.url(IRD_PATH), &options);
    let (mut rx, watcher) = watch(peer);
    next_update(&mut rx, |e| panic!("{e}")).await;
    let posted = || {
        raw.requests()
            .iter()
            .any(|r| r.starts_with(&format!("POST {STREAM_PATH} ")))
    };
    wait_until("subscribed", posted).await;
    let cost_gets = || {
        raw.requests()
            .iter()
            .filter(|r| r.starts_with(&format!("GET {COST_PATH} ")))
            .count()
    };
    let gets = cost_gets();

    // Silent (well within the idle limit): about five in a second.
    let quiet = events_within(&mut rx, Duration::from_secs(1)).await;
    assert!(
        quiet.iter().all(|e| matches!(e, PeerEvent::Current { .. })),
        "{quiet:?}"
    );
    assert!((2..=7).contains(&quiet.len()), "{}", quiet.len());

    // Keep-alives every 10 ms: still about five in a second, not 100.
    let flood = tokio::spawn({
        let script = script.clone();
        async move {
            for _ in 0..100 {
                if script.send(b": keep-alive\n\n".to_vec()).is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    });
    let busy = events_within(&mut rx, Duration::from_secs(1)).await;
    flood.await.unwrap();
    assert!(
        busy.iter().all(|e| matches!(e, PeerEvent::Current { .. })),
        "{busy:?}"
    );
    assert!((2..=7).contains(&busy.len()), "{}", busy.len());
    assert_eq!(cost_gets(), gets, "contact from the stream, not by polling");

    watcher.stop().await;
    drop(script);
}
