//! `altofed publish`: serves a directory of map files over ALTO, picks up
//! edits, keeps the last good maps when a file breaks, and stops cleanly on
//! SIGTERM.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::time::{Duration, Instant};

use altofed_tests::fixtures::{copy_tree, scenario};
use altofed_tests::process::{start_announcing, Running};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_altofed");

/// Starts `altofed publish` on a free port; returns it and its base URL.
fn start(dir: &std::path::Path, log: &std::path::Path) -> (Running, String) {
    let args = [
        "publish",
        "--dir",
        dir.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
        "--reload-ms",
        "50",
    ];
    let (publisher, rest) = start_announcing(BIN, &args, log, "publishing ");
    let url = rest
        .rsplit(' ')
        .next()
        .unwrap()
        .trim_end_matches("/directory")
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{rest}");
    (publisher, url)
}

async fn cost(url: &str) -> (reqwest::StatusCode, Value) {
    let response = reqwest::get(format!("{url}/maps/isp-a-routingcost"))
        .await
        .unwrap();
    (
        response.status(),
        response.json().await.unwrap_or(Value::Null),
    )
}

/// Polls until `check` holds; the deadline only guards against a hang.
async fn eventually(url: &str, check: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, doc) = cost(url).await;
        assert_eq!(status, reqwest::StatusCode::OK);
        if check(&doc) {
            return doc;
        }
        assert!(Instant::now() < deadline, "no change seen: {doc}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn publishes_a_directory_reloads_edits_and_keeps_the_last_good_maps() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&scenario("figure5").join("isp-a"), dir.path());
    let log = tempfile::NamedTempFile::new().unwrap();
    let (mut publisher, url) = start(dir.path(), log.path());

    let ird: Value = reqwest::get(format!("{url}/directory"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ird["meta"]["default-alto-network-map"], "isp-a-netmap");
    let ids: Vec<&str> = ird["resources"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert!(
        ids.contains(&"isp-a-routingcost") && ids.contains(&"propmap"),
        "{ids:?}"
    );
    let (_, doc) = cost(&url).await;
    assert_eq!(doc["cost-map"]["pid4"]["pid1"], 1);

    let path = dir.path().join("costmap.json");
    let edited = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"pid4\": { \"pid1\": 1,", "\"pid4\": { \"pid1\": 7,");
    std::fs::write(&path, edited).unwrap();
    eventually(&url, |doc| doc["cost-map"]["pid4"]["pid1"] == 7).await;

    // A broken file is not published; the last good maps stay in service.
    std::fs::write(&path, "{ not json").unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !publisher.log_text().contains("keeping the maps in service") {
        assert!(Instant::now() < deadline, "{}", publisher.log_text());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (status, doc) = cost(&url).await;
    assert_eq!(
        (status, &doc["cost-map"]["pid4"]["pid1"]),
        (reqwest::StatusCode::OK, &Value::from(7))
    );

    publisher.signal("TERM");
    assert!(
        publisher.child.wait().unwrap().success(),
        "exits 0 after SIGTERM"
    );
}

#[test]
fn publish_fails_clearly_on_a_broken_directory() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&scenario("figure5").join("isp-a"), dir.path());
    std::fs::write(dir.path().join("networkmap.json"), "{\"network-map\": {}}").unwrap();
    let output = Command::new(BIN)
        .args([
            "publish",
            "--dir",
            dir.path().to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("networkmap.json: not a valid network map: at `.`: missing field `meta`"),
        "{stderr}"
    );
}
