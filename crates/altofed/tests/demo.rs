//! `altofed demo`: prints its URLs, and the printed cost map URL returns
//! design.md's multipath table, pulled from the ISP server over HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_altofed");

#[tokio::test]
async fn demo_serves_the_multipath_table_at_the_printed_url() {
    let mut child = Command::new(BIN)
        .args(["demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines: Vec<String> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .take(4)
        .map(Result::unwrap)
        .collect();
    let url = lines
        .iter()
        .find_map(|l| l.strip_prefix("aggregator cost map:"))
        .map(|u| u.trim().to_owned())
        .unwrap_or_else(|| panic!("no cost map URL in {lines:?}"));

    // A cold start publishes the CDN's own PIDs first; the ISP's columns
    // follow its first pull over HTTP.
    let deadline = Instant::now() + Duration::from_secs(20);
    let doc: Value = loop {
        let response = reqwest::get(&url).await.unwrap();
        if response.status() == reqwest::StatusCode::OK {
            let doc: Value = response.json().await.unwrap();
            if doc["cost-map"]["pid8"]["isp-a:pid1"].is_number() {
                break doc;
            }
        }
        assert!(Instant::now() < deadline, "no ISP costs at {url}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let table: Vec<Vec<f64>> = ["pid8", "pid9", "pid10"]
        .iter()
        .map(|src| {
            ["isp-a:pid1", "isp-a:pid2", "isp-a:pid3"]
                .iter()
                .map(|dst| doc["cost-map"][src][dst].as_f64().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(table, [[4.0, 11.0, 6.0], [5.0, 12.0, 7.0], [8.0, 5.0, 6.0]]);

    altofed_tests::process::signal(&child, "TERM");
    assert!(child.wait().unwrap().success(), "exits 0 after SIGTERM");
}
