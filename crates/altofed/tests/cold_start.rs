//! `altofed serve` as a process at start-up (issue #12): cold-started while
//! its only HTTP peer is unreachable it serves the CDN's PIDs at once and
//! is ready, says the peer never answered, and takes the peer in when it
//! comes up; a temporary file left in the state directory is removed at
//! start, and a save that fails is an ERROR and a metric while serving
//! goes on.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod aggregator;

use aggregator::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cold_started_with_its_only_http_peer_unreachable_it_serves_the_cdn_pids_and_is_ready() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    copy_figure5(dir);
    let address = format!("127.0.0.1:{}", closed_port());
    let url = format!("http://{address}/directory");
    let config = figure5(dir, &http_source(&url), "", "");
    let (aggregator, base) = serve(&config, &dir.join("aggregator.log"));

    until("ready", &aggregator, async || {
        status(&base, "/readyz").await == Some(200)
    })
    .await;
    for cdn_pid in ["pid8", "pid9", "pid10", "default"] {
        assert!(pid(&base, cdn_pid).await.is_object(), "{cdn_pid}");
    }
    assert!(pid(&base, "isp-a:pid2").await.is_null());
    assert_eq!(
        props(&base, "default").await[".priv:never-fetched"],
        json!(["isp-a"])
    );
    let never = "altofed_engine_peer_never_fetched";
    assert_eq!(metric(&base, never, true).await, Some(1.0));
    let age = metric(&base, "altofed_snapshot_age_seconds", false).await;
    assert!(age.is_some_and(|a| a >= 0.0), "{age:?}");
    // The engine warns about each failure; the watcher adds no warning.
    until("a failure logged", &aggregator, async || {
        log_lines(&aggregator, "WARN", "fetch failed: peer `isp-a`") >= 1
    })
    .await;
    let log = aggregator.log_text();
    let warnings = |text: &str| {
        log.lines()
            .filter(|l| l.contains("WARN") && l.contains(text))
            .count()
    };
    assert_eq!(warnings("altofed_peers"), 0, "{log}");
    assert_eq!(
        warnings("cannot connect"),
        warnings("fetch failed: peer `isp-a`"),
        "{log}"
    );

    // The peer comes up: its PIDs are published, it is no longer reported.
    let (_isp, _) = publish(&dir.join("isp-a"), &address, &dir.join("isp.log"));
    until("the peer's PIDs", &aggregator, async || {
        cost(&base, "pid8", "isp-a:pid2").await == Some(11.0)
    })
    .await;
    assert!(props(&base, "default")
        .await
        .get(".priv:never-fetched")
        .is_none());
    assert_eq!(metric(&base, never, true).await, Some(0.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leftover_temporary_file_is_removed_at_start_and_a_failed_save_is_an_error_and_a_metric()
{
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    copy_figure5(dir);
    let config = figure5(dir, "dir = \"isp-a\"", "", "state-dir = \"state\"");
    let state = dir.join("state");
    // A kill -9 during a write left a partial file; snapshot.json cannot
    // be replaced (it is a directory).
    std::fs::create_dir_all(state.join("snapshot.json/x")).unwrap();
    let tmp = state.join("snapshot.json.tmp");
    std::fs::write(&tmp, "{\"network-map\": ").unwrap();
    let (aggregator, base) = serve(&config, &dir.join("aggregator.log"));

    until("the peer's PIDs", &aggregator, async || {
        cost(&base, "pid8", "isp-a:pid2").await == Some(11.0)
    })
    .await;
    let removed = format!("removed {} left by an interrupted save", tmp.display());
    assert_eq!(log_lines(&aggregator, "INFO", &removed), 1);
    until("the failed save counted", &aggregator, async || {
        metric(&base, "altofed_state_save_failures_total", false).await >= Some(1.0)
    })
    .await;
    let error = "snapshot not saved to the state directory";
    assert!(log_lines(&aggregator, "ERROR", error) >= 1);
    assert!(!tmp.exists(), "no temporary file left behind");
    let ok = altofed_tests::prometheus::sample(
        &metrics(&base).await,
        "altofed_engine_recomputes_total",
        &[("result", "ok")],
    );
    assert!(ok >= Some(1.0), "the recompute itself succeeded");
}
