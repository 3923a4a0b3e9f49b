//! `altofed serve` when the operator edits its files (issue #12): a
//! topology that parses but is unfit (emptied, cut before its borders) is
//! refused and the one in use stays; a good edit is applied; SIGHUP says
//! what it reloads and what needs a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use altofed_tests::fixtures::{copy_tree, scenario};
use altofed_tests::process::{start_announcing, Running};
use altofed_tests::prometheus::sample;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_altofed");
const GUARD: Duration = Duration::from_secs(30);

async fn cost_map(base: &str) -> Option<Value> {
    let response = reqwest::get(format!("{base}/maps/agg-routingcost-num"))
        .await
        .ok()?;
    (response.status() == 200).then_some(())?;
    Some(response.json::<Value>().await.ok()?["cost-map"].clone())
}

async fn metric(base: &str, name: &str) -> f64 {
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    sample(&text, name, &[]).unwrap_or(0.0)
}

/// Polls until `check` holds on the log; the deadline guards a hang.
async fn logged(server: &Running, what: &str) {
    let deadline = Instant::now() + GUARD;
    while !server.log_text().contains(what) {
        assert!(
            Instant::now() < deadline,
            "never logged {what:?}:\n{}",
            server.log_text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn cost_map_becomes(base: &str, check: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + GUARD;
    loop {
        if let Some(map) = cost_map(base).await.filter(|m| check(m)) {
            return map;
        }
        assert!(
            Instant::now() < deadline,
            "the cost map never changed as expected"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn serve(dir: &Path) -> (Running, String) {
    let config = dir.join("altofed.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{text}\n[server]\nwatch-interval = \"100ms\"\n"),
    )
    .unwrap();
    let args = [
        "serve",
        "-v",
        "--config",
        config.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ];
    let (running, ird) = start_announcing(BIN, &args, &dir.join("serve.log"), "serving ALTO at ");
    (running, ird.trim_end_matches("/directory").to_owned())
}

#[tokio::test]
async fn an_unfit_topology_is_refused_a_good_edit_applied_and_sighup_explains_itself() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&scenario("figure5"), dir.path());
    let (server, base) = serve(dir.path());
    // A cold start publishes the CDN's own PIDs before the peers' columns.
    let served = cost_map_becomes(&base, |m| !m["pid8"]["isp-a:pid1"].is_null()).await;
    assert_eq!(served["pid8"]["isp-a:pid1"], 4);

    let topology = dir.path().join("cdn.toml");
    let good = std::fs::read_to_string(&topology).unwrap();
    std::fs::write(&topology, "").unwrap();
    logged(&server, "CDN topology not reloaded, the one in use stays: ").await;
    logged(&server, "cdn.toml: no CDN PID ([[pid]] tables)").await;
    assert!(metric(&base, "altofed_topology_reload_failures_total").await >= 1.0);
    assert_eq!(cost_map(&base).await.as_ref(), Some(&served));

    std::fs::write(&topology, &good[..good.find("[[border]]").unwrap()]).unwrap();
    logged(
        &server,
        "cdn.toml: no border router ([[border]] tables): no peer could be composed",
    )
    .await;
    assert_eq!(cost_map(&base).await.as_ref(), Some(&served));

    // n8 -- r6 dearer by one: pid8's cost through r6 follows.
    let edited = good.replacen("to = \"r6\"\ncost = 2", "to = \"r6\"\ncost = 3", 1);
    assert_ne!(edited, good);
    std::fs::write(&topology, edited).unwrap();
    let now = cost_map_becomes(&base, |m| m != &served).await;
    assert_eq!(now["pid8"]["isp-a:pid1"], 5);

    let config = dir.path().join("altofed.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("[output]", "[output]\ndefault-cost = 99"),
    )
    .unwrap();
    server.signal("HUP");
    logged(&server, "altofed.toml changed ([output]): SIGHUP reloads only the CDN topology; restart altofed to apply the rest").await;
    std::fs::write(&config, "[cdn\n").unwrap();
    server.signal("HUP");
    logged(&server, "the running configuration stays").await;
    assert_eq!(cost_map(&base).await.as_ref(), Some(&now));
}
