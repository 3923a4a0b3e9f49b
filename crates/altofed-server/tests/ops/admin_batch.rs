//! `PUT /admin/nodes`: many statuses in one request and one publish, all
//! or nothing.

use altofed_model::media;
use altofed_server::ops::node_batch::MAX_BATCH;
use altofed_server::ServerConfig;
use reqwest::StatusCode;
use serde_json::{json, Map, Value};

use crate::support::{client, Server, PROPMAP};

async fn put_batch(server: &Server, body: &Value) -> reqwest::Response {
    client()
        .put(server.url("/admin/nodes"))
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn get_propmap(server: &Server) -> (String, Value) {
    let r = client()
        .get(server.url(&format!("/maps/{PROPMAP}")))
        .send()
        .await
        .unwrap();
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    (
        etag,
        r.json::<Value>().await.unwrap()["property-map"].clone(),
    )
}

fn generation(server: &Server) -> u64 {
    server.state.snapshot().unwrap().generation
}

#[tokio::test]
async fn a_batch_sets_and_clears_nodes_in_one_publish() {
    let server = Server::published(ServerConfig::default()).await;
    let up = json!({"health": "up", "load": 0.2, "drained": false});
    let down = json!({"health": "down", "load": 1.0, "drained": true});
    let first = json!({"nodes": {"192.0.2.10": up, "2001:db8::1": down, "192.0.2.99": up}});
    let r = put_batch(&server, &first).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap(), first);

    let before = generation(&server);
    let second = json!({"nodes": {"192.0.2.10": down, "2001:db8::1": null, "192.0.2.11": up}});
    let r = put_batch(&server, &second).await;
    assert_eq!(r.status(), StatusCode::OK);
    // Cleared nodes are left out of the answer.
    let stored = json!({"nodes": {"192.0.2.10": down, "192.0.2.11": up}});
    assert_eq!(r.json::<Value>().await.unwrap(), stored);
    assert_eq!(generation(&server), before + 1);

    let (_, map) = get_propmap(&server).await;
    let props = |s: &Value| json!({".priv:health": s["health"], ".priv:load": s["load"], ".priv:drained": s["drained"]});
    assert_eq!(map["ipv4:192.0.2.10"], props(&down));
    assert_eq!(map["ipv4:192.0.2.11"], props(&up));
    // Not listed: untouched.
    assert_eq!(map["ipv4:192.0.2.99"], props(&up));
    assert!(map.get("ipv6:2001:db8::1").is_none());
    let list: Value = client()
        .get(server.url("/admin/nodes"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        list,
        json!({"nodes": {"192.0.2.10": down, "192.0.2.11": up, "192.0.2.99": up}})
    );
    server.stop().await;
}

#[tokio::test]
async fn one_bad_entry_and_nothing_is_applied() {
    let server = Server::published(ServerConfig::default()).await;
    let up = json!({"health": "up", "load": 0.2, "drained": false});
    let (etag, _) = get_propmap(&server).await;
    let cases = [
        (
            json!({"nodes": {"192.0.2.10": up, "192.0.2.11": {"health": "up", "load": 1.5, "drained": false}}}),
            json!({"meta": {"code": "E_INVALID_FIELD_VALUE", "field": "nodes/192.0.2.11/load", "value": "1.5"}}),
        ),
        (
            json!({"nodes": {"192.0.2.10": up, "192.0.2.11": {"health": "sideways", "load": 0.5, "drained": false}}}),
            json!({"meta": {"code": "E_INVALID_FIELD_VALUE", "field": "nodes/192.0.2.11/health", "value": "sideways"}}),
        ),
        (
            json!({"nodes": {"192.0.2.10": up, "192.0.2.11": {"health": "up", "load": 0.5}}}),
            json!({"meta": {"code": "E_MISSING_FIELD", "field": "nodes/192.0.2.11/drained"}}),
        ),
        (
            json!({"nodes": {"192.0.2.10": up, "192.0.2.11": true}}),
            json!({"meta": {"code": "E_INVALID_FIELD_TYPE", "field": "nodes/192.0.2.11"}}),
        ),
        (
            json!({"nodes": {"192.0.2.10": up, "node-7": up}}),
            json!({"meta": {"code": "E_INVALID_FIELD_VALUE", "field": "nodes", "value": "node-7"}}),
        ),
        (
            json!({"nodes": ["192.0.2.10"]}),
            json!({"meta": {"code": "E_INVALID_FIELD_TYPE", "field": "nodes"}}),
        ),
        (
            json!({"node": {"192.0.2.10": up}}),
            json!({"meta": {"code": "E_MISSING_FIELD", "field": "nodes"}}),
        ),
    ];
    for (body, expected) in cases {
        let r = put_batch(&server, &body).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(r.headers()["content-type"], media::ERROR);
        assert_eq!(r.json::<Value>().await.unwrap(), expected, "{body}");
    }
    assert!(server.state.node_statuses().is_empty());
    assert_eq!(get_propmap(&server).await.0, etag);
    server.stop().await;
}

/// `count` entries that clear nodes nobody set: no change, no publish.
fn clearing(count: usize) -> Value {
    let nodes: Map<String, Value> = (0..count)
        .map(|n| {
            let [_, _, hi, lo] = u32::try_from(n).unwrap().to_be_bytes();
            (format!("10.1.{hi}.{lo}"), Value::Null)
        })
        .collect();
    json!({ "nodes": nodes })
}

#[tokio::test]
async fn a_batch_holds_at_most_max_batch_entries() {
    let server = Server::published(ServerConfig::default()).await;
    let before = generation(&server);
    let r = put_batch(&server, &clearing(MAX_BATCH)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"nodes": {}}));
    assert_eq!(generation(&server), before);

    let r = put_batch(&server, &clearing(MAX_BATCH + 1)).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let value = format!("{} entries, at most {MAX_BATCH}", MAX_BATCH + 1);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"meta": {"code": "E_INVALID_FIELD_VALUE", "field": "nodes", "value": value}})
    );
    server.stop().await;
}
