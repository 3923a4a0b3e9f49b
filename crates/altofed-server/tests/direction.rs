//! `output.direction` on the wire: an endpoint cost or filtered cost map
//! request whose pairs are all in the direction the cost maps do not
//! publish is an E_INVALID_FIELD_VALUE error that says which direction is
//! published (RFC 7285 §8.5); a request with a pair in a published
//! direction is answered as before, and without a configured direction
//! nothing is checked.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use altofed_model::media;
use altofed_server::routes::PublishedDirection;
use altofed_server::ServerConfig;
use common::{figure5, figure5_expected, start, TestServer};
use reqwest::header::CONTENT_TYPE;
use reqwest::StatusCode;
use serde_json::{json, Value};

// Figure 5 addresses: CDN PIDs pid8, pid9, pid10; subscribers isp-a:pid1
// (198.51.100.0/25) and isp-a:pid2 (198.51.100.128/25).
const CACHES: [&str; 3] = [
    "ipv4:203.0.113.1",
    "ipv4:203.0.113.65",
    "ipv4:203.0.113.129",
];
const SUBSCRIBER: &str = "ipv4:198.51.100.1";
const OTHER_SUBSCRIBER: &str = "ipv4:198.51.100.200";

async fn server(direction: Option<PublishedDirection>, expected: &str) -> TestServer {
    let config = ServerConfig {
        published_direction: direction,
        ..ServerConfig::default()
    };
    let docs = if expected == "multipath" {
        figure5()
    } else {
        figure5_expected(expected)
    };
    start(config, Some(docs)).await
}

async fn post(
    server: &TestServer,
    path: &str,
    content_type: &str,
    body: Value,
) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(server.url(path))
        .header(CONTENT_TYPE, content_type)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

async fn ecs(server: &TestServer, srcs: &[&str], dsts: &[&str]) -> (StatusCode, Value) {
    let body = json!({"cost-type": {"cost-mode": "numerical", "cost-metric": "routingcost"},
        "endpoints": {"srcs": srcs, "dsts": dsts}});
    post(server, "/endpointcost", media::ENDPOINT_COST_PARAMS, body).await
}

async fn filtered(server: &TestServer, srcs: &[&str], dsts: &[&str]) -> (StatusCode, Value) {
    let body = json!({"cost-type": {"cost-mode": "numerical", "cost-metric": "routingcost"},
        "pids": {"srcs": srcs, "dsts": dsts}});
    let path = "/maps/agg-routingcost-num/filtered";
    post(server, path, media::COST_MAP_FILTER, body).await
}

fn refusal(field: &str, message: &str) -> (StatusCode, Value) {
    let meta = json!({"code": "E_INVALID_FIELD_VALUE", "field": field, "message": message});
    (StatusCode::BAD_REQUEST, json!({ "meta": meta }))
}

const FORWARD_ONLY: &str = "this server publishes costs from CDN PIDs to subscriber PIDs only (output.direction = cdn-to-subscriber)";
const REVERSE_ONLY: &str = "this server publishes costs from subscriber PIDs to CDN PIDs only (output.direction = subscriber-to-cdn)";

#[tokio::test]
async fn a_redirector_asking_subscriber_to_cdn_of_a_forward_server_is_told_why() {
    let server = server(Some(PublishedDirection::CdnToSubscriber), "multipath").await;
    assert_eq!(
        ecs(&server, &[SUBSCRIBER], &CACHES).await,
        refusal("endpoints/srcs", FORWARD_ONLY)
    );
    assert_eq!(
        filtered(&server, &["isp-a:pid1"], &["pid8", "pid9"]).await,
        refusal("pids/srcs", FORWARD_ONLY)
    );
    // "All destinations" includes subscribers, but from a subscriber only
    // subscriber -> subscriber pairs (in neither direction) remain.
    assert_eq!(
        filtered(&server, &["isp-a:pid1"], &[]).await,
        refusal("pids/srcs", FORWARD_ONLY)
    );
}

#[tokio::test]
async fn a_request_with_a_published_pair_or_none_in_either_direction_is_answered_as_before() {
    let server = server(Some(PublishedDirection::CdnToSubscriber), "multipath").await;
    // Mixed: a subscriber and a cache as sources; the cache's row answers
    // (rows without entries are left out, as before).
    let (status, doc) = ecs(
        &server,
        &[SUBSCRIBER, CACHES[0]],
        &[OTHER_SUBSCRIBER, CACHES[1]],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        doc["endpoint-cost-map"],
        json!({CACHES[0]: {OTHER_SUBSCRIBER: 11}})
    );
    // Subscriber to subscriber is in neither direction: an empty answer.
    let (status, doc) = ecs(&server, &[SUBSCRIBER], &[OTHER_SUBSCRIBER]).await;
    assert_eq!(
        (status, &doc["endpoint-cost-map"]),
        (StatusCode::OK, &json!({}))
    );
    // Without a configured direction (static files, demo) nothing is checked.
    let unchecked = server_without_direction().await;
    let (status, doc) = ecs(&unchecked, &[SUBSCRIBER], &CACHES).await;
    assert_eq!(
        (status, &doc["endpoint-cost-map"]),
        (StatusCode::OK, &json!({}))
    );
}

async fn server_without_direction() -> TestServer {
    server(None, "multipath").await
}

#[tokio::test]
async fn both_directions_answer_the_redirector() {
    let server = server(Some(PublishedDirection::Both), "both-multipath").await;
    // design.md §1 reversed (crates/altofed/tests/figure5_reverse.rs): pid1 -> 4 5 8.
    let (status, doc) = ecs(&server, &[SUBSCRIBER], &CACHES).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        doc["endpoint-cost-map"],
        json!({SUBSCRIBER: {CACHES[0]: 4, CACHES[1]: 5, CACHES[2]: 8}})
    );
    let (status, doc) = ecs(&server, &[CACHES[0]], &[SUBSCRIBER]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        doc["endpoint-cost-map"],
        json!({CACHES[0]: {SUBSCRIBER: 4}})
    );
}

#[tokio::test]
async fn a_reverse_only_server_refuses_cdn_to_subscriber_requests() {
    let server = server(Some(PublishedDirection::SubscriberToCdn), "both-multipath").await;
    assert_eq!(
        ecs(&server, &CACHES, &[SUBSCRIBER]).await,
        refusal("endpoints/srcs", REVERSE_ONLY)
    );
    assert_eq!(
        filtered(&server, &["pid8"], &["isp-a:pid1", "default"]).await,
        refusal("pids/srcs", REVERSE_ONLY)
    );
    let (status, doc) = filtered(&server, &["isp-a:pid1"], &["pid8"]).await;
    assert_eq!(
        (status, &doc["cost-map"]),
        (StatusCode::OK, &json!({"isp-a:pid1": {"pid8": 4}}))
    );
}
