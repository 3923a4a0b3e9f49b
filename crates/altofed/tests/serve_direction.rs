//! `altofed serve` with `output.direction`, as a real process: the
//! endpoint cost service answers a redirector's subscriber -> CDN request
//! under `both`, and under the default direction refuses it with an error
//! that says which direction is published.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use altofed_model::media;
use altofed_tests::fixtures::{copy_tree, scenario};
use altofed_tests::process::{serve_ready, wait_for_text, Running};
use reqwest::header::CONTENT_TYPE;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_altofed");

/// `altofed serve` on topologies/figure5/<config>; its base URL once it
/// publishes isp-a's PIDs (the first snapshot may hold the CDN's alone).
async fn serve(dir: &Path, config: &str) -> (Running, String) {
    copy_tree(&scenario("figure5"), dir);
    let (running, base) = serve_ready(BIN, &dir.join(config), &[], &dir.join("serve.log")).await;
    wait_for_text(&format!("{base}/maps/agg-netmap"), "isp-a:").await;
    (running, base)
}

/// A subscriber of isp-a:pid1 asking for the three Figure 5 caches.
async fn redirector_request(base: &str) -> (u16, Value) {
    let body = json!({
        "cost-type": {"cost-mode": "numerical", "cost-metric": "routingcost"},
        "endpoints": {"srcs": ["ipv4:198.51.100.1"],
            "dsts": ["ipv4:203.0.113.1", "ipv4:203.0.113.65", "ipv4:203.0.113.129"]},
    });
    let response = reqwest::Client::new()
        .post(format!("{base}/endpointcost"))
        .header(CONTENT_TYPE, media::ENDPOINT_COST_PARAMS)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn the_default_direction_refuses_a_subscriber_to_cdn_request() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, base) = serve(dir.path(), "altofed.toml").await;
    let meta = json!({"code": "E_INVALID_FIELD_VALUE", "field": "endpoints/srcs",
        "message": "this server publishes costs from CDN PIDs to subscriber PIDs only (output.direction = cdn-to-subscriber)"});
    assert_eq!(
        redirector_request(&base).await,
        (400, json!({ "meta": meta }))
    );
}

#[tokio::test]
async fn both_directions_answer_a_subscriber_to_cdn_request() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, base) = serve(dir.path(), "altofed-both.toml").await;
    // isp-a:pid1 -> pid8, pid9, pid10 = 4, 5, 8 (crates/altofed/tests/figure5_reverse.rs).
    let (status, doc) = redirector_request(&base).await;
    assert_eq!(status, 200);
    assert_eq!(
        doc["endpoint-cost-map"],
        json!({"ipv4:198.51.100.1": {"ipv4:203.0.113.1": 4, "ipv4:203.0.113.65": 5, "ipv4:203.0.113.129": 8}})
    );
}
