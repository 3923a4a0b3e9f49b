//! Property names as served (RFC 9240 §5.2.2: `[ResourceID] '.'
//! EntityPropertyType`; a self-defined property keeps the dot,
//! `.priv:kind`): in the property map, in the IRD's `mappings`, and in
//! filtered requests; a map with undotted names is not published.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use altofed_model::media;
use altofed_server::ServerConfig;
use common::{figure5, post_raw, start, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PROPMAP: &str = "agg-propmap";

async fn get(server: &TestServer, path: &str) -> Value {
    let response = reqwest::get(server.url(path)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn filtered(server: &TestServer, body: Value) -> (StatusCode, String, Value) {
    let path = format!("/maps/{PROPMAP}/filtered");
    post_raw(server, &path, media::PROPERTY_MAP_PARAMS, body.to_string()).await
}

#[tokio::test]
async fn the_served_property_map_uses_dotted_names() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    let map = get(&server, &format!("/maps/{PROPMAP}")).await;
    let rows = map["property-map"].as_object().unwrap();
    assert_eq!(rows["agg-netmap.pid:pid8"], json!({".priv:kind": "cdn"}));
    assert_eq!(
        rows["agg-netmap.pid:default"],
        json!({".priv:kind": "catch-all"})
    );
    assert_eq!(
        rows["agg-netmap.pid:isp-a:pid1"],
        json!({".priv:kind": "subscriber", ".priv:origin-peer": "isp-a", ".priv:origin-pid": "pid1"})
    );
    for (entity, props) in rows {
        for name in props.as_object().unwrap().keys() {
            assert!(name.starts_with(".priv:"), "{entity}: {name}");
        }
    }
}

#[tokio::test]
async fn the_ird_mappings_use_dotted_names() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    let ird = get(&server, "/directory").await;
    let want = json!({"agg-netmap.pid": [".priv:kind", ".priv:origin-peer", ".priv:origin-pid"]});
    for id in [PROPMAP, "agg-propmap-filtered"] {
        assert_eq!(
            ird["resources"][id]["capabilities"]["mappings"], want,
            "{id}"
        );
    }
}

#[tokio::test]
async fn a_filtered_request_for_a_dotted_name_returns_its_values() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    let request = json!({
        "entities": ["agg-netmap.pid:pid8", "agg-netmap.pid:isp-a:pid2"],
        "properties": [".priv:kind"]
    });
    let (status, media_type, doc) = filtered(&server, request).await;
    assert_eq!(
        (status, media_type.as_str()),
        (StatusCode::OK, media::PROPERTY_MAP)
    );
    assert_eq!(
        doc["property-map"],
        json!({
            "agg-netmap.pid:pid8": {".priv:kind": "cdn"},
            "agg-netmap.pid:isp-a:pid2": {".priv:kind": "subscriber"}
        })
    );

    let undotted = json!({"entities": ["agg-netmap.pid:pid8"], "properties": ["priv:kind"]});
    let (status, media_type, doc) = filtered(&server, undotted).await;
    assert_eq!(
        (status, media_type.as_str()),
        (StatusCode::BAD_REQUEST, media::ERROR)
    );
    assert_eq!(
        doc,
        json!({"meta": {"code": "E_INVALID_FIELD_VALUE", "field": "properties", "value": "priv:kind"}})
    );
}

#[tokio::test]
async fn a_property_map_with_undotted_names_is_not_published() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    let mut docs = figure5();
    let rows = &mut docs.property_maps[0].1.property_map;
    let pid8 = rows.get_mut("agg-netmap.pid:pid8").unwrap();
    pid8.insert("priv:kind".to_owned(), json!("cdn"));
    let error = server.state.publish(docs).unwrap_err().to_string();
    assert_eq!(
        error,
        "resource `agg-propmap`: property name `priv:kind` has no `.`; an entity property name is `[ResourceID] '.' EntityPropertyType`, so a self-defined one is written `.priv:kind` (RFC 9240 §5.2.2)"
    );
    assert_eq!(server.state.snapshot().unwrap().generation, 1);
}
