//! Incremental publishing (issue #16): after one peer's change the engine
//! rebuilds only what that peer's maps feed, and what it publishes is what
//! a computation from scratch gives, whether the peer changed its costs
//! only (the merge and the other peers' blocks taken over) or its PIDs
//! (merged again).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use altofed_server::{AppState, Snapshot};
use common::{cost, eventually};
use tokio::sync::mpsc;

/// Figure 5 with two peers, both published; the engine's input and state.
async fn two_peers(dir: &Path) -> (AppState, mpsc::Sender<altofed_engine::Trigger>) {
    common::figure5(dir, "1h", true);
    let (state, tx) = common::start(dir, None);
    common::send(&tx, common::updated(0, common::maps(dir, "isp-a"))).await;
    common::send(&tx, common::updated(1, common::maps(dir, "isp-b"))).await;
    eventually(&state, "both peers published", |s| {
        cost(s, "pid8", "isp-b:pid1").is_some() && cost(s, "pid8", "isp-a:pid1").is_some()
    })
    .await;
    (state, tx)
}

/// Asserts that `snapshot` publishes what a computation from scratch over
/// the maps in `dir` gives: the network map and the cost map, with vtags.
fn equals_a_full_computation(dir: &Path, snapshot: &Snapshot) {
    let config = common::config(dir);
    let cdn = common::cdn(dir);
    let (a, b) = (common::maps(dir, "isp-a"), common::maps(dir, "isp-b"));
    let full =
        altofed_core::pipeline::compute(&config, &cdn, &[(*a).clone(), (*b).clone()]).unwrap();
    assert_eq!(*full.network_map, *snapshot.network_map);
    let published = snapshot.cost_maps[0].doc.get();
    assert_eq!(full.cost_map.cost_map, published.cost_map);
    assert_eq!(full.cost_map.meta.vtag, published.meta.vtag);
}

/// After one peer's change the published table shares every other peer's
/// block with the last one (the same allocation: nothing of it was built,
/// hashed or checked again), its body builds pieces for that peer's block
/// only, and the table and its vtag are what a computation from scratch
/// gives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_peers_change_builds_only_its_block_and_equals_a_full_computation() {
    let dir = tempfile::tempdir().unwrap();
    let (state, tx) = two_peers(dir.path()).await;
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

    let table = |s: &Snapshot| s.cost_maps[0].doc.get().clone();
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
    // The merge was taken over: the names are the last table's (their
    // checks and JSON keys were not made again).
    assert!(new.cost_map.shares_names(&old.cost_map));

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

    equals_a_full_computation(dir.path(), &after);
    assert_ne!(old.meta.vtag, new.meta.vtag);
}

/// A peer that changes its PIDs (a prefix moved to another PID, then a PID
/// renamed), with costs that stay the same: the merge is not taken over
/// (the names or the network map differ), and what is published equals a
/// computation from scratch each time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_peers_changed_pids_are_merged_again_and_equal_a_full_computation() {
    let dir = tempfile::tempdir().unwrap();
    let (state, tx) = two_peers(dir.path()).await;
    let edit = |file: &str, from: &str, to: &str| {
        let path = dir.path().join("isp-b").join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} has {from}");
        std::fs::write(&path, text.replace(from, to)).unwrap();
    };
    // Sent as the ISP would: a new network map vtag, on both maps.
    let republish = |from: &str, to: &str| {
        edit("networkmap.json", from, to);
        edit("costmap.json", from, to);
        let tx = tx.clone();
        let maps = common::maps(dir.path(), "isp-b");
        async move { common::send(&tx, common::updated(1, maps)).await }
    };
    let net = |s: &AppState| s.snapshot().unwrap().network_map.clone();
    let before = state.snapshot().unwrap();

    // Half of pid1's IPv4 block moves to pid2: the same names, other groups.
    edit(
        "networkmap.json",
        r#""pid2": { "ipv4": ["100.64.1.128/25"]"#,
        r#""pid2": { "ipv4": ["100.64.1.128/25", "100.64.1.64/26"]"#,
    );
    republish("figure5-netmap-v1", "netmap-v2").await;
    eventually(&state, "isp-b's moved prefix", |s| {
        *net(s) != *before.network_map
    })
    .await;
    let moved = state.snapshot().unwrap();
    equals_a_full_computation(dir.path(), &moved);
    let groups = &moved.network_map.network_map["isp-b:pid2"];
    assert_eq!(groups.ipv4.len(), 2, "{groups:?}");

    // pid1 renamed pid0 in both maps.
    edit("networkmap.json", "\"pid1\"", "\"pid0\"");
    edit("costmap.json", "\"pid1\"", "\"pid0\"");
    republish("netmap-v2", "netmap-v3").await;
    eventually(&state, "isp-b's renamed PID", |s| {
        net(s).network_map.contains_key("isp-b:pid0")
    })
    .await;
    let renamed = state.snapshot().unwrap();
    assert!(!renamed.network_map.network_map.contains_key("isp-b:pid1"));
    equals_a_full_computation(dir.path(), &renamed);
    let tables = |s: &Snapshot| s.cost_maps[0].doc.get().cost_map.clone();
    assert!(!tables(&renamed).shares_names(&tables(&moved)));
}
