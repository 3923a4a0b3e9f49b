//! The POST services (filtered maps, endpoint property and cost services)
//! on the Figure 5 documents, and every ALTO error class with the exact
//! error document (RFC 7285 §8.5).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use altofed_model::media;
use altofed_server::ServerConfig;
use common::{figure5, post_raw, start, TestServer};
use reqwest::header::CONTENT_TYPE;
use reqwest::StatusCode;
use serde_json::{json, Value};

const NUMERICAL: &str = r#"{"cost-mode": "numerical", "cost-metric": "routingcost"}"#;

async fn post(
    server: &TestServer,
    path: &str,
    content_type: &str,
    body: Value,
) -> (StatusCode, String, Value) {
    post_raw(server, path, content_type, body.to_string()).await
}

/// Asserts a 400 ALTO error document with exactly this `meta`.
fn assert_alto_error(reply: &(StatusCode, String, Value), meta: &Value) {
    assert_eq!(reply.0, StatusCode::BAD_REQUEST);
    assert_eq!(reply.1, media::ERROR);
    assert_eq!(reply.2, json!({ "meta": meta }));
}

fn cost_type() -> Value {
    serde_json::from_str(NUMERICAL).unwrap()
}

#[tokio::test]
async fn filtered_cost_map_applies_pids_and_constraints_and_ignores_unknown_pids() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    let request = json!({
        "cost-type": cost_type(),
        "constraints": ["le 10"],
        "pids": {"srcs": ["pid8", "nope"], "dsts": ["isp-a:pid1", "isp-a:pid2", "nope"]}
    });
    let (status, media_type, doc) = post(
        &server,
        "/maps/agg-routingcost-num/filtered",
        media::COST_MAP_FILTER,
        request,
    )
    .await;
    assert_eq!(
        (status, media_type.as_str()),
        (StatusCode::OK, media::COST_MAP)
    );
    assert_eq!(doc["cost-map"], json!({"pid8": {"isp-a:pid1": 4}}));
    let netmap = server.state.snapshot().unwrap().network_map_vtag().clone();
    assert_eq!(doc["meta"]["dependent-vtags"], json!([netmap]));
    assert_eq!(doc["meta"]["cost-type"], cost_type());
}

#[tokio::test]
async fn filtered_cost_map_without_pids_is_the_whole_map() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    let (_, _, doc) = post(
        &server,
        "/maps/agg-routingcost-num/filtered",
        media::COST_MAP_FILTER,
        json!({"cost-type": cost_type()}),
    )
    .await;
    let full: Value = reqwest::get(server.url("/maps/agg-routingcost-num"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["cost-map"], full["cost-map"]);
}

#[tokio::test]
async fn filtered_network_map_selects_pids_and_address_types() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    let request = json!({"pids": ["pid8", "nope"], "address-types": ["ipv6"]});
    let (status, _, doc) = post(
        &server,
        "/maps/agg-netmap/filtered",
        media::NETWORK_MAP_FILTER,
        request,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        doc["network-map"],
        json!({"pid8": {"ipv6": ["2001:db8:8::/48"]}})
    );
    let full: Value = reqwest::get(server.url("/maps/agg-netmap"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        doc["meta"]["vtag"], full["meta"]["vtag"],
        "the full map's vtag (RFC 7285 §11.3.1.6)"
    );
}

#[tokio::test]
async fn filtered_property_map() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    let request = json!({"entities": ["agg-netmap.pid:isp-a:pid1", "agg-netmap.pid:nope"], "properties": [".priv:origin-peer"]});
    let (status, media_type, doc) = post(
        &server,
        "/maps/agg-propmap/filtered",
        media::PROPERTY_MAP_PARAMS,
        request,
    )
    .await;
    assert_eq!(
        (status, media_type.as_str()),
        (StatusCode::OK, media::PROPERTY_MAP)
    );
    assert_eq!(
        doc["property-map"],
        json!({"agg-netmap.pid:isp-a:pid1": {".priv:origin-peer": "isp-a"}})
    );

    let bad = json!({"entities": ["agg-netmap.pid:a.b"], "properties": [".priv:kind"]});
    let reply = post(
        &server,
        "/maps/agg-propmap/filtered",
        media::PROPERTY_MAP_PARAMS,
        bad,
    )
    .await;
    assert_alto_error(
        &reply,
        &json!({"code": "E_INVALID_FIELD_VALUE", "field": "entities", "value": "agg-netmap.pid:a.b"}),
    );
}

#[tokio::test]
async fn endpoint_cost_service_ranks_cdn_nodes_for_a_client() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    // Caches in pid8, pid9, pid10; the client in isp-a:pid2 (design.md §1: 11, 12, 5).
    let caches = [
        "ipv4:203.0.113.1",
        "ipv4:203.0.113.65",
        "ipv4:203.0.113.129",
    ];
    let client = "ipv4:198.51.100.200";
    let request =
        json!({"cost-type": cost_type(), "endpoints": {"srcs": caches, "dsts": [client]}});
    let (status, media_type, doc) = post(
        &server,
        "/endpointcost",
        media::ENDPOINT_COST_PARAMS,
        request,
    )
    .await;
    assert_eq!(
        (status, media_type.as_str()),
        (StatusCode::OK, media::ENDPOINT_COST)
    );
    assert_eq!(
        doc["endpoint-cost-map"],
        json!({caches[0]: {client: 11}, caches[1]: {client: 12}, caches[2]: {client: 5}})
    );
    assert_eq!(doc["meta"]["cost-type"], cost_type());

    let ordinal = json!({"cost-type": {"cost-mode": "ordinal", "cost-metric": "routingcost"}, "constraints": ["lt 7"],
        "endpoints": {"srcs": caches, "dsts": [client]}});
    let (_, _, doc) = post(
        &server,
        "/endpointcost",
        media::ENDPOINT_COST_PARAMS,
        ordinal,
    )
    .await;
    assert_eq!(
        doc["endpoint-cost-map"],
        json!({caches[0]: {client: 6}, caches[2]: {client: 2}})
    );
}

#[tokio::test]
async fn endpoint_cost_without_destinations_uses_the_clients_own_address() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    // 127.0.0.1 falls in the catch-all PID, which inherits isp-a:pid3's costs.
    let request = json!({"cost-type": cost_type(), "endpoints": {"srcs": ["ipv4:203.0.113.1"]}});
    let (_, _, doc) = post(
        &server,
        "/endpointcost",
        media::ENDPOINT_COST_PARAMS,
        request,
    )
    .await;
    assert_eq!(
        doc["endpoint-cost-map"],
        json!({"ipv4:203.0.113.1": {"ipv4:127.0.0.1": 6}})
    );

    let neither = json!({"cost-type": cost_type(), "endpoints": {}});
    let reply = post(
        &server,
        "/endpointcost",
        media::ENDPOINT_COST_PARAMS,
        neither,
    )
    .await;
    assert_alto_error(
        &reply,
        &json!({"code": "E_MISSING_FIELD", "field": "endpoints/dsts"}),
    );
}

#[tokio::test]
async fn endpoint_property_service_gives_pids() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    let request = json!({"properties": ["agg-netmap.pid"], "endpoints": ["ipv4:203.0.113.1", "ipv6:2001:db8:1::5", "ipv4:8.8.8.8"]});
    let (status, media_type, doc) = post(
        &server,
        "/endpointprop",
        media::ENDPOINT_PROP_PARAMS,
        request,
    )
    .await;
    assert_eq!(
        (status, media_type.as_str()),
        (StatusCode::OK, media::ENDPOINT_PROP)
    );
    assert_eq!(
        doc["endpoint-properties"],
        json!({
            "ipv4:203.0.113.1": {"agg-netmap.pid": "pid8"},
            "ipv6:2001:db8:1::5": {"agg-netmap.pid": "isp-a:pid1"},
            "ipv4:8.8.8.8": {"agg-netmap.pid": "default"}
        })
    );
    let netmap = server.state.snapshot().unwrap().network_map_vtag().clone();
    assert_eq!(doc["meta"]["dependent-vtags"], json!([netmap]));
}

#[tokio::test]
async fn every_alto_error_class() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    let filtered = "/maps/agg-routingcost-num/filtered";
    let ty = media::COST_MAP_FILTER;

    let (status, media_type, _) =
        post_raw(&server, filtered, ty, "{\"cost-type\": ".to_owned()).await;
    assert_eq!(
        (status, media_type.as_str()),
        (StatusCode::BAD_REQUEST, media::ERROR)
    );
    let syntax: Value = reqwest::Client::new()
        .post(server.url(filtered))
        .header(CONTENT_TYPE, ty)
        .body("{\"cost-type\": ")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        syntax,
        json!({"meta": {"code": "E_SYNTAX", "syntax-error": "EOF while parsing a value at line 1 column 14"}})
    );

    assert_alto_error(
        &post(&server, filtered, ty, json!({})).await,
        &json!({"code": "E_MISSING_FIELD", "field": "cost-type"}),
    );
    assert_alto_error(
        &post(
            &server,
            filtered,
            ty,
            json!({"cost-type": {"cost-mode": "numerical"}}),
        )
        .await,
        &json!({"code": "E_MISSING_FIELD", "field": "cost-type/cost-metric"}),
    );
    assert_alto_error(
        &post(&server, filtered, ty, json!({"cost-type": "routingcost"})).await,
        &json!({"code": "E_INVALID_FIELD_TYPE", "field": "cost-type"}),
    );
    assert_alto_error(
        &post(
            &server,
            filtered,
            ty,
            json!({"cost-type": {"cost-mode": "cardinal", "cost-metric": "routingcost"}}),
        )
        .await,
        &json!({"code": "E_INVALID_FIELD_VALUE", "field": "cost-type/cost-mode", "value": "cardinal"}),
    );
    assert_alto_error(
        &post(
            &server,
            filtered,
            ty,
            json!({"cost-type": {"cost-mode": "ordinal", "cost-metric": "routingcost"}}),
        )
        .await,
        &json!({"code": "E_INVALID_FIELD_VALUE", "field": "cost-type/cost-mode", "value": "ordinal"}),
    );
    assert_alto_error(
        &post(
            &server,
            filtered,
            ty,
            json!({"cost-type": cost_type(), "constraints": ["about 5"]}),
        )
        .await,
        &json!({"code": "E_INVALID_FIELD_VALUE", "field": "constraints", "value": "about 5"}),
    );
    // An array element of the wrong type is an invalid value (RFC 7285 §8.5.2).
    assert_alto_error(
        &post(
            &server,
            filtered,
            ty,
            json!({"cost-type": cost_type(), "pids": {"srcs": [1], "dsts": []}}),
        )
        .await,
        &json!({"code": "E_INVALID_FIELD_VALUE", "field": "pids/srcs", "value": "1"}),
    );
    let bad_address = json!({"cost-type": cost_type(), "endpoints": {"srcs": ["ipv4:300.1.1.1"], "dsts": ["ipv4:192.0.2.1"]}});
    assert_alto_error(
        &post(
            &server,
            "/endpointcost",
            media::ENDPOINT_COST_PARAMS,
            bad_address,
        )
        .await,
        &json!({"code": "E_INVALID_FIELD_VALUE", "field": "endpoints/srcs", "value": "ipv4:300.1.1.1"}),
    );
    let unknown_metric = json!({"cost-type": {"cost-mode": "numerical", "cost-metric": "hopcount"}, "endpoints": {"dsts": ["ipv4:192.0.2.1"]}});
    assert_alto_error(
        &post(
            &server,
            "/endpointcost",
            media::ENDPOINT_COST_PARAMS,
            unknown_metric,
        )
        .await,
        &json!({"code": "E_INVALID_FIELD_VALUE", "field": "cost-type/cost-metric", "value": "hopcount"}),
    );
    let unknown_property = json!({"properties": ["priv:colour"], "endpoints": ["ipv4:192.0.2.1"]});
    assert_alto_error(
        &post(
            &server,
            "/endpointprop",
            media::ENDPOINT_PROP_PARAMS,
            unknown_property,
        )
        .await,
        &json!({"code": "E_INVALID_FIELD_VALUE", "field": "properties", "value": "priv:colour"}),
    );
}
