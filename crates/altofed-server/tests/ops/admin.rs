//! The admin API: node status in the property map, validation, hooks.

use std::net::IpAddr;

use altofed_model::media;
use altofed_server::ops::{AdminEvent, Health, NodeStatus};
use altofed_server::{AppState, ServerConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::support::{client, documents, Server, PROPMAP};

async fn get_propmap(server: &Server) -> (String, Value) {
    let r = client()
        .get(server.url(&format!("/maps/{PROPMAP}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    (etag, r.json().await.unwrap())
}

async fn put(server: &Server, address: &str, body: &Value) -> reqwest::Response {
    client()
        .put(server.url(&format!("/admin/nodes/{address}")))
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn node_status_is_published_in_the_property_map() {
    let server = Server::published(ServerConfig::default()).await;
    let http = client();
    let (etag_before, before) = get_propmap(&server).await;

    let up = json!({"health": "up", "load": 0.25, "drained": false});
    let r = put(&server, "192.0.2.10", &up).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap(), up);
    let drained = json!({"health": "down", "load": 1.0, "drained": true, "note": "ignored"});
    assert_eq!(
        put(&server, "2001:db8:8::10", &drained).await.status(),
        StatusCode::OK
    );

    let (etag_after, after) = get_propmap(&server).await;
    assert_ne!(etag_before, etag_after);
    let rows = &after["property-map"];
    assert_eq!(
        rows["ipv4:192.0.2.10"],
        json!({".priv:health": "up", ".priv:load": 0.25, ".priv:drained": false})
    );
    assert_eq!(
        rows["ipv6:2001:db8:8::10"],
        json!({".priv:health": "down", ".priv:load": 1.0, ".priv:drained": true})
    );
    for (entity, props) in before["property-map"].as_object().unwrap() {
        assert_eq!(&rows[entity], props, "{entity} kept");
    }
    assert_eq!(server.state.snapshot().unwrap().generation, 3);

    // The old ETag no longer matches; the IRD names the new mappings.
    let r = http
        .get(server.url(&format!("/maps/{PROPMAP}")))
        .header("if-none-match", &etag_before)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let ird: Value = http
        .get(server.url("/directory"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mappings = &ird["resources"][PROPMAP]["capabilities"]["mappings"];
    assert_eq!(
        mappings["ipv4"],
        json!([".priv:drained", ".priv:health", ".priv:load"]),
        "{ird}"
    );
    assert_eq!(
        mappings["ipv6"],
        json!([".priv:drained", ".priv:health", ".priv:load"]),
        "{ird}"
    );

    // Filtered property map (RFC 9240 §8) sees it too.
    let filter = json!({"entities": ["ipv4:192.0.2.10"], "properties": [".priv:health"]});
    let r = http
        .post(server.url(&format!("/maps/{PROPMAP}/filtered")))
        .header("content-type", media::PROPERTY_MAP_PARAMS)
        .body(filter.to_string())
        .send()
        .await
        .unwrap();
    let filtered: Value = r.json().await.unwrap();
    assert_eq!(
        filtered["property-map"],
        json!({"ipv4:192.0.2.10": {".priv:health": "up"}})
    );

    // Listing and reading back.
    let list: Value = http
        .get(server.url("/admin/nodes"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        list,
        json!({"nodes": {"192.0.2.10": up, "2001:db8:8::10": {"health": "down", "load": 1.0, "drained": true}}})
    );
    let one = http
        .get(server.url("/admin/nodes/192.0.2.10"))
        .send()
        .await
        .unwrap();
    assert_eq!(one.json::<Value>().await.unwrap(), up);
    assert_eq!(
        http.get(server.url("/admin/nodes/192.0.2.11"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    // A new publish by the engine keeps the status.
    server.publish();
    let (_, republished) = get_propmap(&server).await;
    assert_eq!(
        republished["property-map"]["ipv4:192.0.2.10"][".priv:health"],
        "up"
    );

    // Clearing.
    let r = http
        .delete(server.url("/admin/nodes/192.0.2.10"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (etag_cleared, cleared) = get_propmap(&server).await;
    assert_ne!(etag_cleared, etag_after);
    assert!(cleared["property-map"].get("ipv4:192.0.2.10").is_none());
    assert!(cleared["property-map"].get("ipv6:2001:db8:8::10").is_some());
    let r = http
        .delete(server.url("/admin/nodes/192.0.2.10"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    server.stop().await;
}

#[tokio::test]
async fn status_set_before_the_first_publish_is_merged_into_it() {
    let server = Server::start(ServerConfig::default()).await;
    let up = json!({"health": "up", "load": 0.5, "drained": false});
    assert_eq!(
        put(&server, "203.0.113.5", &up).await.status(),
        StatusCode::OK
    );
    assert!(server.state.snapshot().is_none());
    server.publish();
    let (_, map) = get_propmap(&server).await;
    assert_eq!(map["property-map"]["ipv4:203.0.113.5"][".priv:load"], 0.5);

    // Without any property map, one is made for the status.
    let state = AppState::new(ServerConfig::default());
    let address: IpAddr = "203.0.113.6".parse().unwrap();
    let status = NodeStatus {
        health: Health::Up,
        load: 0.0,
        drained: false,
    };
    state.set_node_status(address, Some(status)).unwrap();
    state
        .publish(altofed_server::Documents {
            property_maps: Vec::new(),
            ..documents()
        })
        .unwrap();
    let snapshot = state.snapshot().unwrap();
    let made = &snapshot.property_maps["agg-propmap"];
    assert_eq!(made.property_map["ipv4:203.0.113.6"][".priv:health"], "up");
    server.stop().await;
}

#[tokio::test]
async fn bad_status_requests_get_alto_errors() {
    let server = Server::published(ServerConfig::default()).await;
    let (etag, _) = get_propmap(&server).await;
    let cases = [
        (
            "192.0.2.10",
            json!({"health": "sideways", "load": 0.5, "drained": false}),
            json!({"meta": {"code": "E_INVALID_FIELD_VALUE", "field": "health", "value": "sideways"}}),
        ),
        (
            "192.0.2.10",
            json!({"health": "up", "load": 1.5, "drained": false}),
            json!({"meta": {"code": "E_INVALID_FIELD_VALUE", "field": "load", "value": "1.5"}}),
        ),
        (
            "192.0.2.10",
            json!({"health": "up", "load": -0.5, "drained": false}),
            json!({"meta": {"code": "E_INVALID_FIELD_VALUE", "field": "load", "value": "-0.5"}}),
        ),
        (
            "192.0.2.10",
            json!({"health": "up", "load": "high", "drained": false}),
            json!({"meta": {"code": "E_INVALID_FIELD_TYPE", "field": "load"}}),
        ),
        (
            "192.0.2.10",
            json!({"health": "up", "load": 0.5}),
            json!({"meta": {"code": "E_MISSING_FIELD", "field": "drained"}}),
        ),
        (
            "node-7",
            json!({"health": "up", "load": 0.5, "drained": false}),
            json!({"meta": {"code": "E_INVALID_FIELD_VALUE", "field": "address", "value": "node-7"}}),
        ),
    ];
    for (address, body, expected) in cases {
        let r = put(&server, address, &body).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(r.headers()["content-type"], media::ERROR);
        assert_eq!(r.json::<Value>().await.unwrap(), expected, "{body}");
    }
    let http = client();
    let url = server.url("/admin/nodes/192.0.2.10");
    let r = http
        .put(&url)
        .header("content-type", "application/json")
        .body("{\"health\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().await.unwrap()["meta"]["code"], "E_SYNTAX");
    let r = http
        .put(&url)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    assert!(server.state.node_statuses().is_empty());
    assert_eq!(get_propmap(&server).await.0, etag);
    server.stop().await;
}

#[tokio::test]
async fn hooks_hear_status_changes_and_recompute_requests() {
    let server = Server::published(ServerConfig::default()).await;
    let (tx, mut events) = mpsc::unbounded_channel();
    server.state.on_event(move |event: &AdminEvent| {
        let _ = tx.send(event.clone());
    });
    let address: IpAddr = "192.0.2.10".parse().unwrap();
    let body = json!({"health": "up", "load": 0.1, "drained": true});
    assert_eq!(
        put(&server, "192.0.2.10", &body).await.status(),
        StatusCode::OK
    );
    let status = NodeStatus {
        health: Health::Up,
        load: 0.1,
        drained: true,
    };
    assert_eq!(
        events.recv().await,
        Some(AdminEvent::NodeChanged {
            address,
            status: Some(status)
        })
    );

    // The same status again changes nothing: no event, no new snapshot.
    let generation = server.state.snapshot().unwrap().generation;
    assert_eq!(
        put(&server, "192.0.2.10", &body).await.status(),
        StatusCode::OK
    );
    assert_eq!(server.state.snapshot().unwrap().generation, generation);

    let http = client();
    assert_eq!(
        http.delete(server.url("/admin/nodes/192.0.2.10"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        events.recv().await,
        Some(AdminEvent::NodeChanged {
            address,
            status: None
        })
    );

    let r = http
        .post(server.url("/admin/recompute"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    assert_eq!(events.recv().await, Some(AdminEvent::RecomputeRequested));
    assert!(events.try_recv().is_err());
    server.stop().await;

    // Without a hook nobody can recompute.
    let bare = Server::published(ServerConfig::default()).await;
    let r = client()
        .post(bare.url("/admin/recompute"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_IMPLEMENTED);
    bare.stop().await;
}
