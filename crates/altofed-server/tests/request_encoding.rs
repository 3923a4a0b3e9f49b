//! A request body with a content coding other than identity is refused
//! with 415 and `Accept-Encoding: identity` (RFC 7694 §3), on every POST
//! resource; `identity` is read as usual.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;

use altofed_model::media;
use altofed_server::ServerConfig;
use common::{figure5, start, TestServer};
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE};
use reqwest::StatusCode;
use serde_json::json;

fn gzip(text: &str) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap()
}

/// Status, `Content-Type`, `Accept-Encoding` and body of the answer.
async fn post(
    server: &TestServer,
    path: &str,
    media_type: &str,
    coding: &str,
    body: Vec<u8>,
) -> (StatusCode, String, Option<String>, String) {
    let response = reqwest::Client::new()
        .post(server.url(path))
        .header(CONTENT_TYPE, media_type)
        .header(CONTENT_ENCODING, coding)
        .body(body)
        .send()
        .await
        .unwrap();
    let header = |name| {
        let value = response.headers().get(name);
        value.map(|v: &reqwest::header::HeaderValue| v.to_str().unwrap().to_owned())
    };
    let (content_type, accept_encoding) = (header(CONTENT_TYPE).unwrap(), header(ACCEPT_ENCODING));
    (
        response.status(),
        content_type,
        accept_encoding,
        response.text().await.unwrap(),
    )
}

fn requests() -> Vec<(&'static str, &'static str, String)> {
    let cost_type = json!({"cost-mode": "numerical", "cost-metric": "routingcost"});
    vec![
        ("/maps/agg-netmap/filtered", media::NETWORK_MAP_FILTER, json!({"pids": []}).to_string()),
        ("/maps/agg-routingcost-num/filtered", media::COST_MAP_FILTER, json!({"cost-type": cost_type}).to_string()),
        ("/maps/agg-propmap/filtered", media::PROPERTY_MAP_PARAMS,
            json!({"entities": ["agg-netmap.pid:pid8"], "properties": [".priv:kind"]}).to_string()),
        ("/endpointprop", media::ENDPOINT_PROP_PARAMS,
            json!({"properties": ["agg-netmap.pid"], "endpoints": ["ipv4:203.0.113.1"]}).to_string()),
        ("/endpointcost", media::ENDPOINT_COST_PARAMS,
            json!({"cost-type": cost_type, "endpoints": {"srcs": ["ipv4:203.0.113.1"], "dsts": ["ipv4:192.0.2.1"]}}).to_string()),
        ("/updates", media::UPDATE_STREAM_PARAMS, json!({"add": {"s1": {"resource-id": "agg-netmap"}}}).to_string()),
    ]
}

#[tokio::test]
async fn a_content_coded_body_is_415_with_accept_encoding_identity() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    for (path, media_type, body) in requests() {
        for coding in ["gzip", "identity, gzip", "br"] {
            let named = coding.rsplit(", ").next().unwrap();
            let reply = post(&server, path, media_type, coding, gzip(&body)).await;
            let text = format!("request bodies are read without content coding; got `{named}`\n");
            let want = (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "text/plain; charset=utf-8".to_owned(),
                Some("identity".to_owned()),
                text,
            );
            assert_eq!(reply, want, "{path} {coding}");
        }
    }
}

#[tokio::test]
async fn an_identity_coded_body_is_read() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    // Not the update stream: its answer does not end.
    for (path, media_type, body) in requests().into_iter().filter(|r| r.0 != "/updates") {
        let reply = post(&server, path, media_type, "identity", body.into_bytes()).await;
        assert_eq!(reply.0, StatusCode::OK, "{path}: {}", reply.3);
        assert_eq!(reply.2, None, "{path}");
    }
}
