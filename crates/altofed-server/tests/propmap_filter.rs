//! Filtered property map requests are checked against the resource's
//! `mappings` (RFC 9240 §8.3, §8.5) with RFC 7285 §8.5 error documents:
//! both members required, each with at least one entry, every entity in a
//! declared entity domain, every property one the map has.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use altofed_model::media;
use altofed_server::ServerConfig;
use common::{figure5, post_raw, start, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

const FILTERED: &str = "/maps/agg-propmap/filtered";

async fn post(server: &TestServer, body: Value) -> (StatusCode, String, Value) {
    post_raw(
        server,
        FILTERED,
        media::PROPERTY_MAP_PARAMS,
        body.to_string(),
    )
    .await
}

/// A 400 `application/alto-error+json` with exactly this `meta`.
async fn assert_error(server: &TestServer, request: Value, meta: Value) {
    let (status, media_type, body) = post(server, request.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{request}");
    assert_eq!(media_type, media::ERROR, "{request}");
    assert_eq!(body, json!({ "meta": meta }), "{request}");
}

#[tokio::test]
async fn an_entity_in_an_undeclared_domain_is_an_invalid_value() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    // The Figure 5 map declares only `agg-netmap.pid`.
    for entity in [
        "ipv4:192.0.2.1",
        "ipv6:2001:db8::1",
        "other-netmap.pid:pid8",
    ] {
        let request =
            json!({"entities": ["agg-netmap.pid:pid8", entity], "properties": [".priv:kind"]});
        let meta = json!({"code": "E_INVALID_FIELD_VALUE", "field": "entities", "value": entity});
        assert_error(&server, request, meta).await;
    }
}

#[tokio::test]
async fn a_property_not_in_the_capabilities_is_an_invalid_value() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    for property in [".priv:colour", "agg-netmap.pid", "priv:kind"] {
        let request =
            json!({"entities": ["agg-netmap.pid:pid8"], "properties": [".priv:kind", property]});
        let meta =
            json!({"code": "E_INVALID_FIELD_VALUE", "field": "properties", "value": property});
        assert_error(&server, request, meta).await;
    }
}

#[tokio::test]
async fn empty_lists_are_invalid_values() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    let request = json!({"entities": [], "properties": [".priv:kind"]});
    let meta = json!({"code": "E_INVALID_FIELD_VALUE", "field": "entities",
        "message": "`entities` needs at least one entry (RFC 9240 §8.3)"});
    assert_error(&server, request, meta).await;
    let request = json!({"entities": ["agg-netmap.pid:pid8"], "properties": []});
    let meta = json!({"code": "E_INVALID_FIELD_VALUE", "field": "properties",
        "message": "`properties` needs at least one entry (RFC 9240 §8.3)"});
    assert_error(&server, request, meta).await;
}

#[tokio::test]
async fn missing_members_are_missing_fields() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    let request = json!({"entities": ["agg-netmap.pid:pid8"]});
    let meta = json!({"code": "E_MISSING_FIELD", "field": "properties"});
    assert_error(&server, request, meta).await;
    let request = json!({"properties": [".priv:kind"]});
    let meta = json!({"code": "E_MISSING_FIELD", "field": "entities"});
    assert_error(&server, request, meta).await;
}

#[tokio::test]
async fn a_valid_request_is_answered() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    // An unknown PID of a declared domain is not an error: it has no
    // properties, so it is not listed (RFC 9240 §8.6).
    let request = json!({
        "entities": ["agg-netmap.pid:isp-a:pid3", "agg-netmap.pid:nope", "agg-netmap.pid:isp-a:pid3"],
        "properties": [".priv:origin-pid", ".priv:origin-pid"]
    });
    let (status, media_type, body) = post(&server, request).await;
    assert_eq!(
        (status, media_type.as_str()),
        (StatusCode::OK, media::PROPERTY_MAP)
    );
    let netmap = server.state.snapshot().unwrap().network_map_vtag().clone();
    assert_eq!(
        body,
        json!({
            "meta": {"dependent-vtags": [netmap]},
            "property-map": {"agg-netmap.pid:isp-a:pid3": {".priv:origin-pid": "pid3"}}
        })
    );
}

#[tokio::test]
async fn a_domain_whose_entities_have_no_property_is_not_declared() {
    // A served map (e.g. by `altofed publish`) with an entity without
    // properties in a domain of its own.
    let mut docs = figure5();
    let map = &mut docs.property_maps[0].1.property_map;
    map.insert("ipv4:192.0.2.1".to_owned(), Default::default());
    let server = start(ServerConfig::default(), Some(docs)).await;
    let ird: Value = reqwest::get(server.url("/directory"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mappings = &ird["resources"]["agg-propmap"]["capabilities"]["mappings"];
    assert_eq!(
        mappings,
        &json!({"agg-netmap.pid": [".priv:kind", ".priv:origin-peer", ".priv:origin-pid"]}),
        "RFC 9240 §7.4: every listed domain has a property"
    );
    let request = json!({"entities": ["ipv4:192.0.2.1"], "properties": [".priv:kind"]});
    let meta =
        json!({"code": "E_INVALID_FIELD_VALUE", "field": "entities", "value": "ipv4:192.0.2.1"});
    assert_error(&server, request, meta).await;
}
