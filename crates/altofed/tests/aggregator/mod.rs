//! Running `altofed serve` over Figure 5 (its ISP as a directory or pulled
//! from `altofed publish` over HTTP) and reading what it serves, for the
//! tests of issue #12's peer behaviour.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use altofed_tests::fixtures::{copy_tree, scenario};
use altofed_tests::process::{start_announcing, Running};
use altofed_tests::prometheus::sample;
use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_altofed");
const GUARD: Duration = Duration::from_secs(30);

/// Figure 5's files in `dir`.
pub fn copy_figure5(dir: &Path) {
    copy_tree(&scenario("figure5"), dir);
}

/// The configuration of Figure 5 copied into `dir`; `peer` is added to
/// the `[[peer]]` table (after `source`, which replaces `dir = "isp-a"`),
/// `server` to `[server]`.
pub fn figure5(dir: &Path, source: &str, peer: &str, server: &str) -> PathBuf {
    let path = dir.join("altofed.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replace("dir = \"isp-a\"", &format!("{source}\n{peer}"));
    let server = format!("[server]\nwatch-interval = \"50ms\"\n{server}");
    std::fs::write(&path, format!("{text}\n{server}\n")).unwrap();
    path
}

/// The `[[peer]]` lines of an ISP pulled over HTTP from `url`, retried fast.
pub fn http_source(url: &str) -> String {
    format!(
        "url = \"{url}\"\nhttp.poll-interval = \"200ms\"\nhttp.retry-min = \"100ms\"\nhttp.retry-max = \"200ms\""
    )
}

/// `altofed serve -v` on a free port; returns it and its base URL.
pub fn serve(config: &Path, log: &Path) -> (Running, String) {
    let config = config.to_str().unwrap();
    let args = ["serve", "-v", "--config", config, "--listen", "127.0.0.1:0"];
    let (running, ird) = start_announcing(BIN, &args, log, "serving ALTO at ");
    (running, ird.trim_end_matches("/directory").to_owned())
}

/// `altofed publish` of `dir` on `listen` (`127.0.0.1:0` for any port);
/// returns it and its IRD URL.
pub fn publish(dir: &Path, listen: &str, log: &Path) -> (Running, String) {
    let args = [
        "publish",
        "--dir",
        dir.to_str().unwrap(),
        "--listen",
        listen,
    ];
    let args = [&args[..], &["--reload-ms", "50"]].concat();
    let (running, rest) = start_announcing(BIN, &args, log, "publishing ");
    (running, rest.rsplit(' ').next().unwrap().to_owned())
}

/// A loopback port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

pub async fn status(base: &str, path: &str) -> Option<u16> {
    let response = reqwest::get(format!("{base}{path}")).await.ok()?;
    Some(response.status().as_u16())
}

pub async fn get(base: &str, path: &str) -> Option<Value> {
    let response = reqwest::get(format!("{base}{path}")).await.ok()?;
    (response.status() == 200).then_some(())?;
    response.json().await.ok()
}

/// The published cost of `src` -> `dst`, if any.
pub async fn cost(base: &str, src: &str, dst: &str) -> Option<f64> {
    get(base, "/maps/agg-routingcost-num").await?["cost-map"][src][dst].as_f64()
}

/// The published network map's entry for `pid` (`Null` when absent).
pub async fn pid(base: &str, pid: &str) -> Value {
    let map = get(base, "/maps/agg-netmap").await.unwrap_or_default();
    map["network-map"][pid].clone()
}

/// The published properties of PID `pid` (`Null` when absent).
pub async fn props(base: &str, pid: &str) -> Value {
    let map = get(base, "/maps/agg-propmap").await.unwrap_or_default();
    map["property-map"][format!("agg-netmap.pid:{pid}")].clone()
}

pub async fn metrics(base: &str) -> String {
    let response = reqwest::get(format!("{base}/metrics")).await.unwrap();
    response.text().await.unwrap()
}

/// One sample of `/metrics`, labelled `peer="isp-a"` when `of_peer`.
pub async fn metric(base: &str, name: &str, of_peer: bool) -> Option<f64> {
    let labels: &[(&str, &str)] = if of_peer { &[("peer", "isp-a")] } else { &[] };
    sample(&metrics(base).await, name, labels)
}

/// Log lines at `level` (`WARN`, `ERROR`) that contain `text`.
pub fn log_lines(running: &Running, level: &str, text: &str) -> usize {
    let log = running.log_text();
    log.lines()
        .filter(|l| l.contains(level) && l.contains(text))
        .count()
}

/// Waits until `check` holds; the deadline guards against a hang.
pub async fn until(what: &str, running: &Running, check: impl AsyncFn() -> bool) {
    let deadline = Instant::now() + GUARD;
    while !check().await {
        assert!(
            Instant::now() < deadline,
            "never happened: {what}; log:\n{}",
            running.log_text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
