//! The engine over the Figure 5 scenario with its peer as a directory:
//! a changed ISP cost map is republished; a broken one leaves the last good
//! maps in service, marked stale; past max-age the peer's PIDs are
//! withdrawn and come back when it recovers; a restarted engine serves the
//! persisted snapshot before any peer answers; a topology file change
//! recomputes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use altofed_engine::watch;
use altofed_peers::DirectorySource;
use altofed_server::AppState;
use common::{cost, document, eventually, metrics, EVERY};
use tokio::sync::mpsc;

/// An engine with a directory watcher over Figure 5 copied into `dir`,
/// its peer with `max_age`; returns the server state.
fn start(
    dir: &Path,
    max_age: &str,
    state_dir: &Path,
) -> (AppState, mpsc::Sender<altofed_engine::Trigger>) {
    common::figure5(dir, max_age, false);
    let (state, tx) = common::start(dir, Some(state_dir));
    watch::spawn_directory_peer(
        0,
        DirectorySource::new(dir.join("isp-a")),
        EVERY,
        tx.clone(),
    );
    (state, tx)
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from));
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recomputes_on_change_serves_stale_then_withdraws_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let state_dir = dir.path().join("state");
    let (state, _tx) = start(dir.path(), "1s", &state_dir);
    eventually(&state, "first computation", |s| {
        cost(s, "pid8", "isp-a:pid2") == Some(11.0)
    })
    .await;

    // The ISP lowers pid5 -> pid2 from 2 to 0: pid8 -> pid2 becomes 7 + 2 + 0 = 9.
    let costmap = dir.path().join("isp-a/costmap.json");
    edit(
        &costmap,
        "\"pid1\": 5, \"pid2\": 2,",
        "\"pid1\": 5, \"pid2\": 0,",
    );
    eventually(&state, "recompute after the edit", |s| {
        cost(s, "pid8", "isp-a:pid2") == Some(9.0)
    })
    .await;

    // A broken file: the last good maps stay, marked stale.
    let good = std::fs::read_to_string(&costmap).unwrap();
    std::fs::write(&costmap, "{ broken").unwrap();
    eventually(&state, "stale mark", |s| {
        document(s, "agg-propmap")["property-map"]["agg-netmap.pid:isp-a:pid2"][".priv:stale-since"]
            .is_string()
    })
    .await;
    assert_eq!(
        cost(&state, "pid8", "isp-a:pid2"),
        Some(9.0),
        "still served while stale"
    );
    eventually(&state, "stale in /metrics", |s| {
        metrics(s).contains("altofed_engine_peer_stale{peer=\"isp-a\"} 1")
    })
    .await;
    assert!(metrics(&state).contains("altofed_engine_peer_maps_age_seconds{peer=\"isp-a\"}"));

    // Past max-age (1s) the peer's PIDs are withdrawn.
    eventually(&state, "withdrawal", |s| {
        document(s, "agg-netmap")["network-map"]
            .get("isp-a:pid2")
            .is_none()
    })
    .await;
    assert_eq!(cost(&state, "pid8", "isp-a:pid2"), None);
    eventually(&state, "withdrawn in /metrics", |s| {
        metrics(s).contains("altofed_engine_peer_withdrawn{peer=\"isp-a\"} 1")
    })
    .await;

    // The peer recovers: its PIDs return, no longer stale.
    std::fs::write(&costmap, good).unwrap();
    eventually(&state, "recovery", |s| {
        cost(s, "pid8", "isp-a:pid2") == Some(9.0)
    })
    .await;
    let props = document(&state, "agg-propmap");
    assert!(props["property-map"]["agg-netmap.pid:isp-a:pid2"]
        .get(".priv:stale-since")
        .is_none());
    eventually(&state, "fresh in /metrics", |s| {
        let text = metrics(s);
        text.contains("altofed_engine_peer_stale{peer=\"isp-a\"} 0")
            && text.contains("altofed_engine_peer_withdrawn{peer=\"isp-a\"} 0")
    })
    .await;
    assert!(metrics(&state).contains("altofed_engine_recomputes_total{result=\"ok\"}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_engine_serves_the_persisted_snapshot_with_its_peer_down() {
    let dir = tempfile::tempdir().unwrap();
    let state_dir = dir.path().join("state");
    {
        let (state, _tx) = start(dir.path(), "1h", &state_dir);
        eventually(&state, "first computation", |s| {
            cost(s, "pid10", "isp-a:pid2") == Some(5.0)
        })
        .await;
        eventually(&state, "persisted", |_| {
            state_dir.join("snapshot.json").exists()
        })
        .await;
    }
    // The peer is gone; the restarted engine answers at once from disk.
    std::fs::remove_dir_all(dir.path().join("isp-a")).unwrap();
    let (state, _tx) = common::start(dir.path(), Some(&state_dir));
    assert_eq!(cost(&state, "pid10", "isp-a:pid2"), Some(5.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_topology_change_recomputes_every_column() {
    let dir = tempfile::tempdir().unwrap();
    let (state, tx) = start(dir.path(), "1h", &dir.path().join("state"));
    let root = dir.path().to_owned();
    watch::spawn_topology(
        vec![root.join("cdn.toml")],
        EVERY,
        move || common::try_cdn(&root),
        tx,
    );
    eventually(&state, "first computation", |s| {
        cost(s, "pid8", "isp-a:pid1") == Some(4.0)
    })
    .await;
    // n8-r6 from 2 to 10: C_cdn(pid8, r6) becomes 8 (n8-c1-n9-r6), so
    // pid1 = min(8+1+1, 7+2+5) = 10 and pid2 = min(8+1+9, 7+2+2) = 11.
    edit(
        &dir.path().join("cdn.toml"),
        "from = \"n8\"\nto = \"r6\"\ncost = 2",
        "from = \"n8\"\nto = \"r6\"\ncost = 10",
    );
    eventually(&state, "recompute after the topology change", |s| {
        cost(s, "pid8", "isp-a:pid1") == Some(10.0)
    })
    .await;
    assert_eq!(cost(&state, "pid8", "isp-a:pid2"), Some(7.0 + 2.0 + 2.0));
}
