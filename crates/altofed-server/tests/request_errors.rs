//! Request bodies with the wrong JSON types, arrays for objects, bytes
//! after the JSON value and unsupported cost modes: each answered with the
//! exact RFC 7285 §8.5 error document (400, `application/alto-error+json`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use altofed_model::media;
use altofed_server::ServerConfig;
use common::{figure5, post_raw, start, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

const FILTERED_COST: &str = "/maps/agg-routingcost-num/filtered";
const FILTERED_NET: &str = "/maps/agg-netmap/filtered";

/// A 400 ALTO error with exactly this `meta`.
async fn assert_error(server: &TestServer, path: &str, media_type: &str, body: &str, meta: Value) {
    let reply = post_raw(server, path, media_type, body).await;
    let want = (
        StatusCode::BAD_REQUEST,
        media::ERROR.to_owned(),
        json!({ "meta": meta }),
    );
    assert_eq!(reply, want, "{path} {body}");
}

fn numerical() -> Value {
    json!({"cost-mode": "numerical", "cost-metric": "routingcost"})
}

#[tokio::test]
async fn a_cost_mode_of_the_wrong_type_is_an_invalid_field_type() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    let meta = json!({"code": "E_INVALID_FIELD_TYPE", "field": "cost-type/cost-mode"});
    for mode in [json!(1), json!(true), json!(null), json!(["numerical"])] {
        let cost_type = json!({"cost-mode": mode, "cost-metric": "routingcost"});
        let body = json!({"cost-type": cost_type}).to_string();
        assert_error(
            &server,
            FILTERED_COST,
            media::COST_MAP_FILTER,
            &body,
            meta.clone(),
        )
        .await;
        let body = json!({"cost-type": cost_type, "endpoints": {"dsts": ["ipv4:192.0.2.1"]}});
        let (path, ty) = ("/endpointcost", media::ENDPOINT_COST_PARAMS);
        assert_error(&server, path, ty, &body.to_string(), meta.clone()).await;
    }
}

#[tokio::test]
async fn arrays_are_refused_where_objects_are_required() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    let field_type = |field: &str| json!({"code": "E_INVALID_FIELD_TYPE", "field": field});
    // Positionally these would read as a cost type and a PID filter.
    let body = json!({"cost-type": ["routingcost", "numerical"]}).to_string();
    assert_error(
        &server,
        FILTERED_COST,
        media::COST_MAP_FILTER,
        &body,
        field_type("cost-type"),
    )
    .await;
    let body = json!({"cost-type": numerical(), "pids": [["pid8"], ["isp-a:pid1"]]}).to_string();
    assert_error(
        &server,
        FILTERED_COST,
        media::COST_MAP_FILTER,
        &body,
        field_type("pids"),
    )
    .await;
    let body =
        json!({"cost-type": numerical(), "endpoints": [["ipv4:203.0.113.1"], ["ipv4:192.0.2.1"]]});
    let (path, ty) = ("/endpointcost", media::ENDPOINT_COST_PARAMS);
    assert_error(
        &server,
        path,
        ty,
        &body.to_string(),
        field_type("endpoints"),
    )
    .await;
    let body = json!({"add": {"s1": ["agg-netmap"]}}).to_string();
    assert_error(
        &server,
        "/updates",
        media::UPDATE_STREAM_PARAMS,
        &body,
        field_type("add/s1"),
    )
    .await;
}

#[tokio::test]
async fn a_body_that_is_not_an_object_has_no_field() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    let meta = json!({"code": "E_INVALID_FIELD_TYPE", "message": "the request body must be a JSON object"});
    for body in [r#"[["pid8"], ["ipv4"]]"#, "[]", r#""pids""#, "7", "null"] {
        assert_error(
            &server,
            FILTERED_NET,
            media::NETWORK_MAP_FILTER,
            body,
            meta.clone(),
        )
        .await;
    }
    let (path, ty) = ("/endpointprop", media::ENDPOINT_PROP_PARAMS);
    assert_error(
        &server,
        path,
        ty,
        r#"[["agg-netmap.pid"], ["ipv4:192.0.2.1"]]"#,
        meta,
    )
    .await;
}

#[tokio::test]
async fn bytes_after_the_json_value_are_a_syntax_error() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    for (body, column) in [
        (r#"{"pids": []} x"#, 14),
        (r#"{"pids": []}{}"#, 13),
        (r#"{"pids": ["x"]}]"#, 16),
    ] {
        let detail = format!("trailing characters at line 1 column {column}");
        let meta = json!({"code": "E_SYNTAX", "syntax-error": detail});
        assert_error(&server, FILTERED_NET, media::NETWORK_MAP_FILTER, body, meta).await;
    }
    // Whitespace after the value is no trailing content.
    let reply = post_raw(
        &server,
        FILTERED_NET,
        media::NETWORK_MAP_FILTER,
        "{\"pids\": []} \r\n",
    )
    .await;
    assert_eq!(
        (reply.0, reply.1.as_str()),
        (StatusCode::OK, media::NETWORK_MAP)
    );
}

#[tokio::test]
async fn an_unsupported_cost_mode_on_the_endpoint_cost_service_names_the_mode() {
    let mut docs = figure5();
    docs.cost_maps.retain(|(id, _)| id == "agg-routingcost-num");
    let server = start(ServerConfig::default(), Some(docs)).await;
    let (path, ty) = ("/endpointcost", media::ENDPOINT_COST_PARAMS);
    let endpoints = json!({"srcs": ["ipv4:203.0.113.1"], "dsts": ["ipv4:192.0.2.1"]});
    let ordinal = json!({"cost-mode": "ordinal", "cost-metric": "routingcost"});
    let body = json!({"cost-type": ordinal, "endpoints": endpoints}).to_string();
    let meta = json!({"code": "E_INVALID_FIELD_VALUE", "field": "cost-type/cost-mode", "value": "ordinal"});
    assert_error(&server, path, ty, &body, meta).await;
    let hopcount = json!({"cost-mode": "numerical", "cost-metric": "hopcount"});
    let body = json!({"cost-type": hopcount, "endpoints": endpoints}).to_string();
    let meta = json!({"code": "E_INVALID_FIELD_VALUE", "field": "cost-type/cost-metric", "value": "hopcount"});
    assert_error(&server, path, ty, &body, meta).await;
}
