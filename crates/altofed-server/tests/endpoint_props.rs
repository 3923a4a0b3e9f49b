//! The endpoint property service answers every requested endpoint (RFC
//! 7285 §11.4.1.6), one in no PID with `{}`, and needs at least one
//! property and one endpoint (RFC 7285 §11.4.1.3).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use altofed_model::media;
use altofed_server::{Documents, ServerConfig};
use common::{figure5, post_raw, start, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The Figure 5 network map without its catch-all PID `default`, alone:
/// addresses outside the CDN's and the ISP's prefixes are in no PID.
fn without_catch_all() -> Documents {
    let mut network_map = figure5().network_map;
    std::sync::Arc::make_mut(&mut network_map)
        .network_map
        .remove("default")
        .unwrap();
    Documents {
        network_map,
        cost_maps: Vec::new(),
        property_maps: Vec::new(),
    }
}

async fn post(server: &TestServer, body: Value) -> (StatusCode, String, Value) {
    post_raw(
        server,
        "/endpointprop",
        media::ENDPOINT_PROP_PARAMS,
        body.to_string(),
    )
    .await
}

#[tokio::test]
async fn an_endpoint_in_no_pid_is_answered_with_no_properties() {
    let server = start(ServerConfig::default(), Some(without_catch_all())).await;
    let request = json!({
        "properties": ["agg-netmap.pid"],
        "endpoints": ["ipv4:203.0.113.1", "ipv4:8.8.8.8", "ipv6:2001:db8:ffff::1", "ipv4:8.8.8.8"]
    });
    let (status, media_type, body) = post(&server, request).await;
    assert_eq!(
        (status, media_type.as_str()),
        (StatusCode::OK, media::ENDPOINT_PROP)
    );
    let netmap = server.state.snapshot().unwrap().network_map_vtag().clone();
    assert_eq!(
        body,
        json!({
            "meta": {"dependent-vtags": [netmap]},
            "endpoint-properties": {
                "ipv4:203.0.113.1": {"agg-netmap.pid": "pid8"},
                "ipv4:8.8.8.8": {},
                "ipv6:2001:db8:ffff::1": {}
            }
        })
    );
}

#[tokio::test]
async fn empty_lists_are_invalid_values() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    for (request, field) in [
        (
            json!({"properties": ["agg-netmap.pid"], "endpoints": []}),
            "endpoints",
        ),
        (
            json!({"properties": [], "endpoints": ["ipv4:203.0.113.1"]}),
            "properties",
        ),
    ] {
        let (status, media_type, body) = post(&server, request).await;
        assert_eq!(
            (status, media_type.as_str()),
            (StatusCode::BAD_REQUEST, media::ERROR)
        );
        let message = format!("`{field}` needs at least one entry (RFC 7285 §11.4.1.3)");
        assert_eq!(
            body,
            json!({"meta": {"code": "E_INVALID_FIELD_VALUE", "field": field, "message": message}})
        );
    }
}
