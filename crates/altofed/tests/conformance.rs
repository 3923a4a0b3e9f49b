//! The IRD conformance walk (`altofed_tests::ird_walk`) against the
//! serving commands, each a real process on a free port: `demo` (both of
//! its servers), `publish` (a directory of map files), `serve` (the
//! Figure 5 aggregator, publishing one direction or both) and `mirror` (a
//! read replica of that aggregator).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::io::{BufRead, BufReader};

use altofed_tests::fixtures::{copy_tree, scenario};
use altofed_tests::ird_walk::walk;
use altofed_tests::process::{serve_ready, spawn_logged, start_announcing, wait_for_text};

const BIN: &str = env!("CARGO_BIN_EXE_altofed");

fn report(name: &str, checked: &[String]) {
    println!("{name}:");
    for line in checked {
        println!("  {line}");
    }
}

/// The base URL on the line of `lines` that starts with `prefix`.
fn base_after(lines: &[String], prefix: &str) -> String {
    let line = lines.iter().find_map(|l| l.strip_prefix(prefix));
    let url = line
        .unwrap_or_else(|| panic!("no `{prefix}` in {lines:?}"))
        .trim();
    url.trim_end_matches("/directory").to_owned()
}

#[tokio::test]
async fn demo_isp_and_aggregator_conform() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("demo.log");
    let (_demo, stdout) = spawn_logged(BIN, &["demo", "--listen", "127.0.0.1:0"], &log);
    let lines: Vec<String> = BufReader::new(stdout)
        .lines()
        .map(Result::unwrap)
        .take_while(|l| !l.starts_with("aggregator cost map:"))
        .collect();
    let isp = base_after(&lines, "ISP ALTO server (isp-a):");
    let aggregator = base_after(&lines, "aggregator directory:");
    report("demo ISP", &walk(&isp).await);
    wait_for_text(&format!("{aggregator}/maps/agg-netmap"), "isp-a:").await;
    report("demo aggregator", &walk(&aggregator).await);
}

#[tokio::test]
async fn publish_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let maps = dir.path().join("maps");
    copy_tree(&scenario("figure5").join("isp-a"), &maps);
    let args = [
        "publish",
        "--dir",
        maps.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ];
    let (_publisher, rest) = start_announcing(BIN, &args, &dir.path().join("log"), "publishing ");
    let url = rest
        .rsplit(' ')
        .next()
        .unwrap()
        .trim_end_matches("/directory");
    report("publish", &walk(url).await);
}

#[tokio::test]
async fn serve_conforms() {
    serve_walk("altofed.toml").await;
}

#[tokio::test]
async fn serve_publishing_both_directions_conforms() {
    serve_walk("altofed-both.toml").await;
}

/// `altofed serve` of Figure 5 with its configuration file `config`.
async fn serve_walk(config: &str) {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&scenario("figure5"), dir.path());
    let config = dir.path().join(config);
    let (_server, base) = serve_ready(BIN, &config, &[], &dir.path().join("log")).await;
    let base = base.as_str();
    wait_for_text(&format!("{base}/maps/agg-netmap"), "isp-a:").await;
    report("serve", &walk(base).await);
}

#[tokio::test]
async fn mirror_conforms() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&scenario("figure5"), dir.path());
    let config = dir.path().join("altofed.toml");
    let (_server, base) = serve_ready(BIN, &config, &[], &dir.path().join("log")).await;
    wait_for_text(&format!("{base}/maps/agg-netmap"), "isp-a:").await;
    let ird = format!("{base}/directory");
    let args = ["mirror", "--upstream", &ird, "--listen", "127.0.0.1:0"];
    let log = dir.path().join("mirror.log");
    let (_mirror, rest) = start_announcing(BIN, &args, &log, "mirroring ");
    let mirror = rest
        .rsplit(' ')
        .next()
        .unwrap()
        .trim_end_matches("/directory");
    wait_for_text(&format!("{mirror}/maps/agg-netmap"), "isp-a:").await;
    report("mirror", &walk(mirror).await);
}
