//! `altofed serve` as a process (issue #12): a peer whose maps stay the
//! same for longer than `max-age` while it answers stays published; when
//! it fails it is served stale, and withdrawn `max-age` after its last
//! contact; new maps that fail the checks are refused with one warning
//! while the last good ones stay.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod aggregator;

use std::path::Path;

use aggregator::*;
use altofed_tests::process::Running;

const MAX_AGE: f64 = 2.0;

async fn withdrawn(base: &str) -> Option<f64> {
    metric(base, "altofed_engine_peer_withdrawn", true).await
}

/// The liveness story, whatever the peer's kind: `stop` makes it fail.
async fn unchanged_past_max_age_then_failing(
    aggregator: &Running,
    base: &str,
    stop: impl FnOnce(),
) {
    until("first computation", aggregator, async || {
        cost(base, "pid8", "isp-a:pid2").await == Some(11.0)
    })
    .await;
    // Answering, unchanged, until the maps are older than max-age.
    until("maps older than max-age", aggregator, async || {
        assert_eq!(
            withdrawn(base).await,
            Some(0.0),
            "withdrawn while answering"
        );
        let age = metric(base, "altofed_engine_peer_maps_age_seconds", true).await;
        age > Some(MAX_AGE + 0.5)
    })
    .await;
    assert!(pid(base, "isp-a:pid2").await.is_object());

    stop();
    until("stale mark", aggregator, async || {
        props(base, "isp-a:pid2").await[".priv:stale-since"].is_string()
    })
    .await;
    assert_eq!(
        cost(base, "pid8", "isp-a:pid2").await,
        Some(11.0),
        "still served"
    );
    until("withdrawal", aggregator, async || {
        pid(base, "isp-a:pid2").await.is_null()
    })
    .await;
    assert_eq!(withdrawn(base).await, Some(1.0));
    let contact = metric(base, "altofed_engine_peer_last_contact_age_seconds", true).await;
    assert!(contact >= Some(MAX_AGE), "{contact:?}");
    assert!(pid(base, "pid8").await.is_object(), "the CDN's PIDs stay");
    let withdrawals = log_lines(aggregator, "WARN", "its PIDs are withdrawn");
    assert_eq!(withdrawals, 1, "{}", aggregator.log_text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_directory_peer_unchanged_past_max_age_then_broken_is_stale_then_withdrawn_after_its_last_contact(
) {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    copy_figure5(dir);
    let config = figure5(dir, "dir = \"isp-a\"", "max-age = \"2s\"", "");
    let (aggregator, base) = serve(&config, &dir.join("aggregator.log"));
    let costmap = dir.join("isp-a/costmap.json");
    unchanged_past_max_age_then_failing(&aggregator, &base, || {
        // Written aside and renamed: one change, read once.
        let aside = dir.join("costmap.json.new");
        std::fs::write(&aside, "{ broken").unwrap();
        std::fs::rename(aside, &costmap).unwrap();
    })
    .await;
    // One warning for the one failure (the engine's, with the file and the
    // class), saying the peer became stale; nothing else about it.
    let failure = [
        format!("fetch failed: {}", costmap.display()),
        "peer=isp-a".to_owned(),
        format!("url=file://{}", costmap.display()),
        "class=malformed".to_owned(),
    ];
    assert_eq!(warnings_with(&aggregator, &failure), 1);
    assert_eq!(log_lines(&aggregator, "WARN", "fetch failed"), 1);
    assert_eq!(log_lines(&aggregator, "WARN", "the peer is stale"), 1);
    assert_eq!(log_lines(&aggregator, "WARN", "peer maps not read"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_peer_unchanged_past_max_age_then_stopped_is_stale_then_withdrawn_after_its_last_contact(
) {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    copy_figure5(dir);
    let (mut isp, url) = publish(&dir.join("isp-a"), "127.0.0.1:0", &dir.join("isp.log"));
    let config = figure5(dir, &http_source(&url), "max-age = \"2s\"", "");
    let (aggregator, base) = serve(&config, &dir.join("aggregator.log"));
    unchanged_past_max_age_then_failing(&aggregator, &base, || {
        isp.child.kill().unwrap();
        isp.child.wait().unwrap();
    })
    .await;
    // One WARN per failed fetch (the engine's, with URL and class): the
    // watcher's count and the log's meet between two retries.
    // One WARN per failed fetch (the engine's, with URL and class): the
    // watcher's count and the log's meet between two retries.
    let refused = [
        format!("fetch failed: peer `isp-a`: GET {url}: cannot connect"),
        "peer=isp-a".to_owned(),
        format!("url={url}"),
        "class=connect".to_owned(),
    ];
    until("one warning per failed fetch", &aggregator, async || {
        let failed = failed_fetches(&metrics(&base).await);
        let warnings = log_lines(&aggregator, "WARN", "fetch failed");
        failed >= 1.0 && warnings as f64 == failed && warnings_with(&aggregator, &refused) >= 1
    })
    .await;
    assert_eq!(log_lines(&aggregator, "WARN", "the peer is stale"), 1);
}

/// Failed pulls of `isp-a` by the HTTP client, whatever the class.
fn failed_fetches(metrics: &str) -> f64 {
    metrics
        .lines()
        .filter(|l| l.starts_with("altofed_peer_fetches_total{") && l.contains("peer=\"isp-a\""))
        .filter(|l| !l.contains("result=\"ok\"") && !l.contains("result=\"unchanged\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// WARN lines holding every one of `parts`.
fn warnings_with(aggregator: &Running, parts: &[String]) -> usize {
    aggregator
        .log_text()
        .lines()
        .filter(|l| l.contains("WARN") && parts.iter().all(|p| l.contains(p.as_str())))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sixty_character_pid_is_refused_with_one_warning_and_the_last_good_maps_stay() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    copy_figure5(dir);
    let config = figure5(dir, "dir = \"isp-a\"", "", "");
    let (aggregator, base) = serve(&config, &dir.join("aggregator.log"));
    until("first computation", &aggregator, async || {
        cost(&base, "pid8", "isp-a:pid2").await == Some(11.0)
    })
    .await;

    let long = "p".repeat(60);
    let isp = dir.join("isp-a");
    let rename = |file: &str| rename_pid(&isp.join(file), "pid2", &long);
    rename("networkmap.json");
    rename("costmap.json");
    until("the rejection", &aggregator, async || {
        metric(&base, "altofed_engine_peer_rejected_total", true).await >= Some(1.0)
    })
    .await;
    let warning = format!(
        "peer maps rejected, keeping the last good ones: peer `isp-a`: PID `{long}` cannot be published as `isp-a:{long}`: name `isp-a:{long}` is 66 characters long"
    );
    until("the warning", &aggregator, async || {
        log_lines(&aggregator, "WARN", &warning) >= 1
    })
    .await;
    // Each file's change may be read on its own: one warning per rejection.
    until("one warning per rejection", &aggregator, async || {
        let rejections = metric(&base, "altofed_engine_peer_rejected_total", true).await;
        let warnings = log_lines(&aggregator, "WARN", "peer maps rejected");
        rejections == Some(warnings as f64)
    })
    .await;
    until("stale mark", &aggregator, async || {
        props(&base, "isp-a:pid2").await[".priv:stale-since"].is_string()
    })
    .await;
    assert_eq!(cost(&base, "pid8", "isp-a:pid2").await, Some(11.0));
    assert_eq!(log_lines(&aggregator, "ERROR", "recompute failed"), 0);
}

fn rename_pid(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let renamed = text.replace(&format!("\"{from}\""), &format!("\"{to}\""));
    assert_ne!(text, renamed);
    let aside = path.with_extension("new");
    std::fs::write(&aside, renamed).unwrap();
    std::fs::rename(aside, path).unwrap();
}
