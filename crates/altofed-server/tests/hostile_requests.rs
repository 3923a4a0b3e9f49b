//! Requests a hostile client sends: work proportional to what the server
//! allows, not to what the body asks (issue #11). Each test is one row of
//! the issue's table, against a real server on a real socket.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use altofed_model::media;
use altofed_server::ServerConfig;
use altofed_tests::synthetic;
use common::{figure5, start, TestServer};
use reqwest::header::CONTENT_TYPE;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn post(
    server: &TestServer,
    path: &str,
    media_type: &str,
    body: String,
) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(server.url(path))
        .header(CONTENT_TYPE, media_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn numerical() -> Value {
    json!({"cost-mode": "numerical", "cost-metric": "routingcost"})
}

fn repeated(item: &str, times: usize) -> Vec<&str> {
    vec![item; times]
}

#[tokio::test]
async fn a_filtered_cost_map_full_of_duplicates_is_answered_once_per_pair() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    let body = json!({
        "cost-type": numerical(),
        "pids": {"srcs": repeated("pid8", 45_000), "dsts": repeated("isp-a:pid1", 45_000)},
    })
    .to_string();
    assert!(
        body.len() > 900_000 && body.len() < 1024 * 1024,
        "{}",
        body.len()
    );
    let (status, doc) = post(
        &server,
        "/maps/agg-routingcost-num/filtered",
        media::COST_MAP_FILTER,
        body,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["cost-map"], json!({"pid8": {"isp-a:pid1": 4}}));
}

#[tokio::test]
async fn an_endpoint_cost_request_full_of_duplicates_is_answered_once_per_pair() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    let (cache, client) = ("ipv4:203.0.113.1", "ipv4:198.51.100.200");
    let body = json!({
        "cost-type": numerical(),
        "endpoints": {"srcs": repeated(cache, 25_000), "dsts": repeated(client, 25_000)},
    })
    .to_string();
    let (status, doc) = post(&server, "/endpointcost", media::ENDPOINT_COST_PARAMS, body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["endpoint-cost-map"], json!({cache: {client: 11}}));
}

/// `n` distinct IPv4 endpoint addresses.
fn distinct_addresses(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("ipv4:10.{}.{}.{}", i >> 16, (i >> 8) & 0xff, i & 0xff))
        .collect()
}

#[tokio::test]
async fn too_many_pairs_get_an_error_naming_the_limit_and_nothing_is_lost() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    let addresses = distinct_addresses(12_000);
    let body =
        json!({"cost-type": numerical(), "endpoints": {"srcs": addresses, "dsts": addresses}})
            .to_string();
    let (status, doc) = post(&server, "/endpointcost", media::ENDPOINT_COST_PARAMS, body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        doc,
        json!({"meta": {
            "code": "E_INVALID_FIELD_VALUE",
            "field": "endpoints",
            "message": "this request asks for 144000000 distinct source-destination pairs; \
                the server answers at most 1000000 per request \
                (server.limits.max-pairs-per-request): split it into smaller requests",
        }})
    );

    // The filtered cost map counts the pairs that exist among those asked.
    let config = ServerConfig {
        max_pairs_per_request: 5,
        ..ServerConfig::default()
    };
    let small = start(config, Some(figure5())).await;
    let filter = |srcs: &[&str]| {
        json!({"cost-type": numerical(), "pids": {"srcs": srcs, "dsts": []}}).to_string()
    };
    let path = "/maps/agg-routingcost-num/filtered";
    let (status, doc) = post(
        &small,
        path,
        media::COST_MAP_FILTER,
        filter(&["pid8", "pid9"]),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{doc}");
    assert_eq!(doc["meta"]["field"], "pids");
    assert!(
        doc["meta"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 5 per request"),
        "{doc}"
    );
    let (status, doc) = post(
        &small,
        path,
        media::COST_MAP_FILTER,
        filter(&["pid8", "nope", "pid8"]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    assert_eq!(doc["cost-map"]["pid8"].as_object().unwrap().len(), 4);

    // What was published is still served.
    let full = reqwest::get(server.url("/maps/agg-routingcost-num"))
        .await
        .unwrap();
    assert_eq!(full.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_deeply_nested_body_is_a_syntax_error_that_says_so() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    let body = "[".repeat(100_000);
    let (status, doc) = post(&server, "/endpointcost", media::ENDPOINT_COST_PARAMS, body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        doc,
        json!({"meta": {"code": "E_SYNTAX", "syntax-error": "JSON nested deeper than 32 levels at byte 32"}})
    );
    let body = format!(
        r#"{{"cost-type": {}, "endpoints": {{"srcs": [], "x": {}}}}}"#,
        numerical(),
        "[".repeat(50)
    );
    let (status, doc) = post(&server, "/endpointcost", media::ENDPOINT_COST_PARAMS, body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(doc["meta"]["code"], "E_SYNTAX");
    assert!(doc["meta"]["syntax-error"]
        .as_str()
        .unwrap()
        .starts_with("JSON nested deeper than 32 levels"));
}

/// 1,000 PIDs with a cost between every two: 1,000 x 1,000 addresses, one
/// per PID, is the largest request the default limit allows.
fn largest_allowed_request() -> String {
    let addresses: Vec<String> = (0..1_000)
        .map(|i| format!("ipv4:{}", synthetic::address_in(i)))
        .collect();
    json!({"cost-type": numerical(), "endpoints": {"srcs": addresses, "dsts": addresses}})
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_are_answered_while_the_largest_allowed_requests_run() {
    let config = ServerConfig {
        request_jobs: Some(1),
        ..ServerConfig::default()
    };
    let server = Arc::new(start(config, Some(synthetic::documents(1_000, 1))).await);
    let body = largest_allowed_request();
    const BIG: usize = 6;
    let finished = Arc::new(AtomicUsize::new(0));
    let mut big = Vec::new();
    for _ in 0..BIG {
        let (server, body, finished) = (server.clone(), body.clone(), finished.clone());
        big.push(tokio::spawn(async move {
            let (status, doc) =
                post(&server, "/endpointcost", media::ENDPOINT_COST_PARAMS, body).await;
            finished.fetch_add(1, Ordering::SeqCst);
            assert_eq!(status, StatusCode::OK);
            let rows = doc["endpoint-cost-map"].as_object().unwrap();
            assert_eq!(rows.len(), 1_000);
            assert!(rows.values().all(|r| r.as_object().unwrap().len() == 1_000));
        }));
    }
    // Once all of them are being handled, probes still get answers before
    // the last of them is done.
    let deadline = Instant::now() + Duration::from_secs(60);
    while server.state.metrics().in_flight() < BIG as i64 {
        assert!(Instant::now() < deadline, "the requests never all started");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for path in ["/healthz", "/readyz", "/healthz"] {
        let status = reqwest::get(server.url(path)).await.unwrap().status();
        assert_eq!(status, StatusCode::OK);
    }
    assert!(
        finished.load(Ordering::SeqCst) < BIG,
        "the probes were answered only after every large request"
    );
    for task in big {
        task.await.unwrap();
    }
}

#[tokio::test]
async fn a_property_map_filter_of_many_addresses_inherits_by_prefix_once_per_entity() {
    let mut docs = figure5();
    let props = &mut docs.property_maps[0].1.property_map;
    for (entity, values) in [
        (
            "ipv4:10.0.0.0/8",
            json!({".priv:region": "eu", ".priv:tier": "1"}),
        ),
        ("ipv4:10.1.0.0/16", json!({".priv:region": "fr"})),
        ("ipv4:10.1.2.3", json!({".priv:tier": null})),
        ("ipv6:2001:db8::/32", json!({".priv:region": "v6"})),
    ] {
        props.insert(entity.to_owned(), serde_json::from_value(values).unwrap());
    }
    let server = start(ServerConfig::default(), Some(docs)).await;
    let mut entities = distinct_addresses(40_000);
    entities.extend(
        repeated("ipv4:10.1.2.3", 1_000)
            .into_iter()
            .map(str::to_owned),
    );
    entities.extend(["ipv4:10.1.2.3/32", "ipv6:2001:db8::1", "ipv4:192.0.2.1"].map(str::to_owned));
    let body =
        json!({"entities": entities, "properties": [".priv:region", ".priv:tier"]}).to_string();
    let (status, doc) = post(
        &server,
        "/maps/agg-propmap/filtered",
        media::PROPERTY_MAP_PARAMS,
        body,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let map = doc["property-map"].as_object().unwrap();
    // The 40,000 addresses in 10.0/16, 10.1.2.3 once, its /32 spelling and
    // the IPv6 one; 192.0.2.1 has nothing.
    assert_eq!(map.len(), 40_000 + 1 + 2);
    assert_eq!(
        map["ipv4:10.0.0.5"],
        json!({".priv:region": "eu", ".priv:tier": "1"})
    );
    // null blocks the inherited value (RFC 9240 §6.1).
    assert_eq!(map["ipv4:10.1.2.3"], json!({".priv:region": "fr"}));
    assert_eq!(map["ipv4:10.1.2.3/32"], json!({".priv:region": "fr"}));
    assert_eq!(map["ipv6:2001:db8::1"], json!({".priv:region": "v6"}));
}
