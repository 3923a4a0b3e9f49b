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

/// After one peer's change the published table shares every other peer's
/// block with the last one (the same allocation: nothing of it was built,
/// hashed or checked again), its body builds pieces for that peer's block
/// only, and the table and its vtag are what a computation from scratch
/// gives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_peers_change_builds_only_its_block_and_equals_a_full_computation() {
    let dir = tempfile::tempdir().unwrap();
    common::figure5(dir.path(), "1h", true);
    let (state, tx) = common::start(dir.path(), None);
    common::send(&tx, common::updated(0, common::maps(dir.path(), "isp-a"))).await;
    common::send(&tx, common::updated(1, common::maps(dir.path(), "isp-b"))).await;
    eventually(&state, "both peers published", |s| {
        cost(s, "pid8", "isp-b:pid1").is_some() && cost(s, "pid8", "isp-a:pid1").is_some()
    })
    .await;
    let before = state.snapshot().unwrap();

    // Every cost of isp-b one higher.
    let path = dir.path().join("isp-b/costmap.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for row in doc["cost-map"].as_object_mut().unwrap().values_mut() {
        for c in row.as_object_mut().unwrap().values_mut() {
            *c = (c.as_f64().unwrap() + 1.0).into();
        }
    }
    std::fs::write(&path, doc.to_string()).unwrap();
    let b = common::maps(dir.path(), "isp-b");
    common::send(&tx, common::updated(1, b.clone())).await;
    let was = cost(&state, "pid8", "isp-b:pid1");
    eventually(&state, "isp-b's new costs", |s| {
        cost(s, "pid8", "isp-b:pid1") != was
    })
    .await;
    let after = state.snapshot().unwrap();

    let table = |s: &altofed_server::Snapshot| s.cost_maps[0].doc.get().clone();
    let (old, new) = (table(&before), table(&after));
    assert_eq!(
        old.meta.cost_type.cost_mode,
        altofed_model::CostMode::Numerical
    );
    let names = new.cost_map.names();
    let mut changed = 0;
    for (block, old_block) in new.cost_map.blocks().iter().zip(old.cost_map.blocks()) {
        let first = &names[block.names().start as usize];
        let shared = std::sync::Arc::ptr_eq(block, old_block);
        assert_eq!(shared, !first.starts_with("isp-b:"), "block from {first}");
        changed += usize::from(!shared);
    }
    assert_eq!(changed, 1);
    assert_eq!(new.cost_map.blocks().len(), old.cost_map.blocks().len());

    // Pieces built: isp-b's segments, one per row that has costs to it.
    let body = after.cost_body(common::COST_MAP).unwrap();
    let isp_b = new
        .cost_map
        .blocks()
        .iter()
        .find(|b| names[b.names().start as usize].starts_with("isp-b:"));
    let isp_b = isp_b.unwrap();
    let rows_to_b = (0..new.cost_map.row_count())
        .filter(|&r| !isp_b.row(r).0.is_empty())
        .count();
    assert_eq!(body.built, rows_to_b);
    assert!(body.reused > 0);

    // What a computation from scratch publishes.
    let config = common::config(dir.path());
    let cdn = common::cdn(dir.path());
    let a = common::maps(dir.path(), "isp-a");
    let full =
        altofed_core::pipeline::compute(&config, &cdn, &[(*a).clone(), (*b).clone()]).unwrap();
    assert_eq!(full.cost_map.cost_map, new.cost_map);
    assert_eq!(full.cost_map.meta.vtag, new.meta.vtag);
    assert_ne!(old.meta.vtag, new.meta.vtag);
}
