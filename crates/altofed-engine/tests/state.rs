//! Start-up and the state directory (issue #12): a cold start with the
//! peers unreachable publishes the CDN's PIDs and says which peers never
//! answered; a persisted snapshot is served instead when there is one; a
//! failed save is counted, leaves no temporary file and does not stop the
//! publish; a temporary file left by a kill is removed at start-up.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use altofed_engine::persist;
use altofed_server::{AppState, ServerConfig};
use altofed_tests::prometheus::sample;
use common::*;
use serde_json::json;

const SNAPSHOT_AGE: &str = "altofed_snapshot_age_seconds";

fn never_fetched(state: &AppState) -> Option<f64> {
    metric(state, "altofed_engine_peer_never_fetched", Some("isp-a"))
}

fn save_failures(state: &AppState) -> Option<f64> {
    metric(state, "altofed_state_save_failures_total", None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_its_peer_unreachable_the_cdn_pids_are_published_and_the_peer_reported_never_fetched()
{
    let nothing = AppState::new(ServerConfig::default());
    let text = metrics(&nothing);
    assert_eq!(
        sample(&text, SNAPSHOT_AGE, &[]),
        None,
        "absent, not 0: {text}"
    );

    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    figure5(dir, "1h", false);
    let (state, tx) = start(dir, None);
    send(&tx, failed(0, "connection refused")).await;
    eventually(&state, "the CDN's PIDs", |s| pid(s, "pid8").is_object()).await;
    for cdn_pid in ["pid9", "pid10", "default"] {
        assert!(pid(&state, cdn_pid).is_object(), "{cdn_pid}");
    }
    assert!(pid(&state, "isp-a:pid2").is_null());
    assert_eq!(
        props(&state, "default")[".priv:never-fetched"],
        json!(["isp-a"])
    );
    assert_eq!(never_fetched(&state), Some(1.0));
    assert!(sample(&metrics(&state), SNAPSHOT_AGE, &[]).is_some());

    send(&tx, updated(0, maps(dir, "isp-a"))).await;
    eventually(&state, "the peer's PIDs", |s| {
        cost(s, "pid8", "isp-a:pid2") == Some(11.0)
    })
    .await;
    assert!(props(&state, "default")
        .get(".priv:never-fetched")
        .is_none());
    assert_eq!(never_fetched(&state), Some(0.0));
}

/// Figure 5 in `dir` with a state directory, served by an engine until
/// its snapshot with isp-a's maps is persisted there; the engine is gone.
async fn persisted_figure5(dir: &Path) -> std::path::PathBuf {
    figure5(dir, "1h", false);
    let state_dir = dir.join("state");
    let (state, tx) = start(dir, Some(&state_dir));
    send(&tx, updated(0, maps(dir, "isp-a"))).await;
    eventually(&state, "persisted", |s| {
        cost(s, "pid8", "isp-a:pid2") == Some(11.0)
            && state_dir.join(persist::SNAPSHOT_FILE).exists()
    })
    .await;
    state_dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persisted_snapshot_is_served_at_start_not_replaced_by_the_cdn_pids_alone() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let state_dir = persisted_figure5(dir).await;
    let (state, tx) = start(dir, Some(&state_dir));
    send(&tx, failed(0, "connection refused")).await;
    // The gauge appears once the engine has run its start-up.
    eventually(&state, "engine started", |s| never_fetched(s) == Some(1.0)).await;
    assert_eq!(generation(&state), 1, "only the restored snapshot");
    assert_eq!(cost(&state, "pid8", "isp-a:pid2"), Some(11.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persisted_ordinal_map_is_ranked_again_from_the_numerical_one() {
    use altofed_model::{CostMapMeta, CostMode, CostTableDoc, CostType, VersionTag};
    const NUM: &str = "agg-routingcost-num";
    const ORD: &str = "agg-routingcost-ord";
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let state_dir = persisted_figure5(dir).await;
    // Saved without its ordinal map (the server ranks it): put in one as
    // a file saved before that would hold it, ranks wrong on purpose.
    let mut docs = persist::load(&state_dir).unwrap().unwrap();
    assert_eq!(docs.cost_maps.len(), 1, "only the numerical map is saved");
    let numerical = docs.cost_maps[0].1.clone();
    let old = CostTableDoc {
        meta: CostMapMeta {
            cost_type: CostType::routingcost(CostMode::Ordinal),
            vtag: Some(VersionTag::new(ORD, "old")),
            ..numerical.meta.clone()
        },
        cost_map: numerical.cost_map.clone(),
    };
    docs.cost_maps.push((ORD.to_owned(), old));
    persist::save(&state_dir, &docs.into()).unwrap();

    let (state, tx) = start(dir, Some(&state_dir));
    send(&tx, failed(0, "connection refused")).await;
    eventually(&state, "engine started", |s| never_fetched(s) == Some(1.0)).await;
    assert_eq!(generation(&state), 1, "the restored snapshot is served");
    assert_eq!(cost(&state, "pid8", "isp-a:pid2"), Some(11.0));
    let snapshot = state.snapshot().unwrap();
    let entry = |id: &str| snapshot.cost_maps.iter().find(|e| e.id == id).unwrap();
    let ordinal = entry(ORD);
    assert_ne!(ordinal.doc.meta.vtag, Some(VersionTag::new(ORD, "old")));
    assert_eq!(ordinal.doc.cost_map, entry(NUM).doc.cost_map.dense_ranks());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_save_is_counted_leaves_no_temporary_file_and_the_publish_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    figure5(dir, "1h", false);
    let state_dir = dir.join("state");
    let (state, tx) = start(dir, Some(&state_dir));
    send(&tx, updated(0, maps(dir, "isp-a"))).await;
    let saved = state_dir.join(persist::SNAPSHOT_FILE);
    // Saved before it is published.
    eventually(&state, "published", |s| {
        cost(s, "pid8", "isp-a:pid2") == Some(11.0)
    })
    .await;
    let first_save = std::fs::read(&saved).unwrap();
    assert_eq!(save_failures(&state), Some(0.0));
    let ok = |s: &AppState| {
        sample(
            &metrics(s),
            "altofed_engine_recomputes_total",
            &[("result", "ok")],
        )
    };
    // The counter moves just after the snapshot is swapped in: wait until
    // it has counted every publish so far (each one here is a recompute).
    eventually(&state, "every publish counted", |s| {
        ok(s) == Some(generation(s) as f64)
    })
    .await;
    let ok_before = ok(&state).unwrap();

    // The disk is full: the temporary file is written to /dev/full.
    let tmp = state_dir.join(persist::TMP_FILE);
    std::os::unix::fs::symlink("/dev/full", &tmp).unwrap();
    edit(dir, "isp-a", "costmap.json", |t| {
        t.replace("\"pid1\": 5, \"pid2\": 2,", "\"pid1\": 5, \"pid2\": 0,")
    });
    send(&tx, updated(0, maps(dir, "isp-a"))).await;
    eventually(&state, "published anyway", |s| {
        cost(s, "pid8", "isp-a:pid2") == Some(9.0)
    })
    .await;
    eventually(&state, "the failure counted", |s| {
        save_failures(s) == Some(1.0)
    })
    .await;
    assert!(tmp.symlink_metadata().is_err(), "temporary file removed");
    assert_eq!(
        std::fs::read(&saved).unwrap(),
        first_save,
        "the last good save stays"
    );
    eventually(&state, "the recompute itself counted as succeeded", |s| {
        ok(s) == Some(ok_before + 1.0)
    })
    .await;
    assert_eq!(ok(&state), Some(ok_before + 1.0), "counted once");

    // Space again: the next publish is saved.
    edit(dir, "isp-a", "costmap.json", |t| {
        t.replace("\"pid1\": 5, \"pid2\": 0,", "\"pid1\": 5, \"pid2\": 1,")
    });
    send(&tx, updated(0, maps(dir, "isp-a"))).await;
    eventually(&state, "saved again", |_| {
        std::fs::read(&saved).unwrap() != first_save
    })
    .await;
    assert_eq!(save_failures(&state), Some(1.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_that_cannot_rename_removes_its_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    figure5(dir, "1h", false);
    let state_dir = dir.join("state");
    let (state, tx) = start(dir, Some(&state_dir));
    send(&tx, updated(0, maps(dir, "isp-a"))).await;
    let saved = state_dir.join(persist::SNAPSHOT_FILE);
    eventually(&state, "saved", |_| saved.exists()).await;
    let docs = persist::load(&state_dir).unwrap().unwrap();

    // Another state directory whose snapshot.json is a directory.
    let other = dir.join("other");
    std::fs::create_dir_all(other.join(persist::SNAPSHOT_FILE).join("x")).unwrap();
    let err = persist::save(&other, &docs.into()).unwrap_err();
    assert!(err.to_string().contains("snapshot.json"), "{err}");
    assert!(!other.join(persist::TMP_FILE).exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_temporary_file_left_by_a_kill_is_removed_when_the_engine_starts() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    figure5(dir, "1h", false);
    let state_dir = dir.join("state");
    {
        let (state, tx) = start(dir, Some(&state_dir));
        send(&tx, updated(0, maps(dir, "isp-a"))).await;
        // The cold start saves the CDN PIDs alone first: wait for isp-a's.
        eventually(&state, "saved with isp-a", |_| {
            std::fs::read_to_string(state_dir.join(persist::SNAPSHOT_FILE))
                .is_ok_and(|text| text.contains("isp-a:pid2"))
        })
        .await;
    }
    let tmp = state_dir.join(persist::TMP_FILE);
    std::fs::write(&tmp, "{\"network-map\": {\"meta\": ").unwrap();
    let (state, _tx) = start(dir, Some(&state_dir));
    assert!(!tmp.exists(), "removed at start-up");
    assert_eq!(cost(&state, "pid8", "isp-a:pid2"), Some(11.0));
    assert!(Path::new(&state_dir).join(persist::SNAPSHOT_FILE).exists());
}
