//! `altofed serve` against a hostile client (issue #11), as a real process:
//! a request for too many pairs leaves its memory flat, and SIGTERM ends it
//! within the grace period while a client holds a half-sent request.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use altofed_model::media;
use altofed_tests::fixtures::{copy_tree, scenario};
use altofed_tests::process::{serve_ready, Running};
use reqwest::header::CONTENT_TYPE;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

const BIN: &str = env!("CARGO_BIN_EXE_altofed");

/// `altofed serve` on Figure 5 with `limits` as `[server.limits]`; its
/// base URL once it is ready.
async fn serve(dir: &Path, limits: &str) -> (Running, String) {
    copy_tree(&scenario("figure5"), dir);
    let config = dir.join("altofed.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}\n[server.limits]\n{limits}\n")).unwrap();
    serve_ready(BIN, &config, &["-v"], &dir.join("serve.log")).await
}

/// A `kB` line of the process's /proc status, in bytes.
fn proc_status_bytes(running: &Running, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", running.child.id())).unwrap();
    let line = status.lines().find(|l| l.starts_with(key)).unwrap();
    let kb: u64 = line[key.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap();
    kb * 1024
}

#[tokio::test]
async fn a_request_for_144_million_pairs_gets_the_limit_error_and_memory_stays_flat() {
    let dir = tempfile::tempdir().unwrap();
    let (server, base) = serve(dir.path(), "").await;
    let peak_before = proc_status_bytes(&server, "VmHWM:");
    let addresses: Vec<String> = (0..12_000)
        .map(|i| format!("ipv4:10.{}.{}.{}", i >> 16, (i >> 8) & 0xff, i & 0xff))
        .collect();
    let body = json!({
        "cost-type": {"cost-mode": "numerical", "cost-metric": "routingcost"},
        "endpoints": {"srcs": addresses, "dsts": addresses},
    })
    .to_string();
    assert!(
        body.len() > 400_000 && body.len() < 1024 * 1024,
        "{}",
        body.len()
    );
    let client = reqwest::Client::new();
    for _ in 0..4 {
        let response = client
            .post(format!("{base}/endpointcost"))
            .header(CONTENT_TYPE, media::ENDPOINT_COST_PARAMS)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let doc: Value = response.json().await.unwrap();
        assert_eq!(doc["meta"]["code"], "E_INVALID_FIELD_VALUE");
        assert_eq!(doc["meta"]["field"], "endpoints");
        let message = doc["meta"]["message"].as_str().unwrap();
        assert!(message.contains("asks for 144000000 distinct"), "{message}");
        assert!(
            message.contains("at most 1000000 per request (server.limits.max-pairs-per-request)")
        );
    }
    let growth = proc_status_bytes(&server, "VmHWM:").saturating_sub(peak_before);
    // Four 0.5 MB bodies and their parsed addresses; before, 3.9 GB and an abort.
    assert!(growth < 64 << 20, "peak RSS grew by {growth} bytes");
    let cost_map = reqwest::get(format!("{base}/maps/agg-routingcost-num"))
        .await
        .unwrap();
    assert_eq!(cost_map.status(), 200);
}

#[tokio::test]
async fn sigterm_exits_within_the_grace_period_while_a_client_holds_a_half_sent_request() {
    let dir = tempfile::tempdir().unwrap();
    let limits = "shutdown-grace = \"1s\"\nheader-read-timeout = \"10m\"\nidle-timeout = \"10m\"";
    let (mut server, base) = serve(dir.path(), limits).await;
    let addr = base.trim_start_matches("http://");
    let mut half = tokio::net::TcpStream::connect(addr).await.unwrap();
    half.write_all(b"POST /endpointcost HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{")
        .await
        .unwrap();
    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /maps/agg-netmap HTTP/1.1\r\nHost: x\r\nX-Half: ")
        .await
        .unwrap();
    // The request is being handled once the server counts it in flight
    // (beside the /metrics request itself).
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let metrics = reqwest::get(format!("{base}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let in_flight =
            altofed_tests::prometheus::sample(&metrics, "altofed_http_requests_in_flight", &[]);
        if in_flight.is_some_and(|n| n >= 2.0) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the half-sent request never arrived"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.signal("TERM");
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "still running after SIGTERM:\n{}",
            server.log_text()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "{status}:\n{}", server.log_text());
    assert!(server
        .log_text()
        .contains("shutdown grace of 1s over: closing the connections still open"));
    drop((half, idle));
}
