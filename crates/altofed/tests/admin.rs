//! The admin API of `altofed serve`, as a real process: a CDN node status
//! change is republished by the server itself (property map only); it
//! does not make the engine recompute, while `POST /admin/recompute` does.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use altofed_tests::fixtures::{copy_tree, scenario};
use altofed_tests::process::{start_announcing, Running};
use altofed_tests::prometheus::sample;
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_altofed");
/// Bounds every wait; reaching it fails the test.
const GUARD: Duration = Duration::from_secs(60);
const NODES: u8 = 20;

/// `altofed serve` of the Figure 5 scenario on a free port; its base URL.
fn serve(dir: &Path) -> (Running, String) {
    copy_tree(&scenario("figure5"), dir);
    let config = dir.join("altofed.toml");
    let args = ["serve", "--config", config.to_str().unwrap()];
    let args = [&args[..], &["--listen", "127.0.0.1:0"]].concat();
    let (running, ird) = start_announcing(BIN, &args, &dir.join("serve.log"), "serving ALTO at ");
    (running, ird.trim_end_matches("/directory").to_owned())
}

/// The counter `name{labels}` (0 while absent).
async fn counter(http: &reqwest::Client, base: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    let text = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    sample(&text, name, labels).unwrap_or(0.0)
}

/// Polls `name{labels}` until it reaches `at_least`; returns its value.
async fn reaches(
    http: &reqwest::Client,
    base: &str,
    name: &str,
    labels: &[(&str, &str)],
    at_least: f64,
    server: &Running,
) -> f64 {
    let deadline = Instant::now() + GUARD;
    loop {
        let value = counter(http, base, name, labels).await;
        if value >= at_least {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "{name} stayed at {value}; log:\n{}",
            server.log_text()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_status_changes_do_not_make_the_engine_recompute() {
    const RECOMPUTES: &str = "altofed_engine_recomputes_total";
    const PUBLISHES: &str = "altofed_snapshot_publishes_total";
    let ok = [("result", "ok")];
    let dir = tempfile::tempdir().unwrap();
    let (server, base) = serve(dir.path());
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    // The first recompute, once the peer's maps are read.
    let before = reaches(&http, &base, RECOMPUTES, &ok, 1.0, &server).await;

    let status = json!({"health": "up", "load": 0.5, "drained": false});
    for n in 0..NODES {
        let r = http
            .put(format!("{base}/admin/nodes/203.0.113.{n}"))
            .json(&status)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let node_publishes = counter(&http, &base, PUBLISHES, &[("cause", "node-status")]).await;
    assert_eq!(node_publishes, f64::from(NODES));

    // A recompute asked for after the changes is the only one: had the
    // changes asked for any, they would have been handled before it.
    let r = http
        .post(format!("{base}/admin/recompute"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let after = reaches(&http, &base, RECOMPUTES, &ok, before + 1.0, &server).await;
    assert_eq!(after, before + 1.0, "log:\n{}", server.log_text());
}
