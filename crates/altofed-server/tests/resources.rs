//! Every ALTO resource over real HTTP: the IRD walk, GET behaviour (media
//! types, ETags, codings), the POST services, and every error class with the
//! exact document or status a client sees.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use altofed_model::ird::{DirectoryDoc, IrdEntry};
use altofed_model::validate::{
    validate_cost_map, validate_ird, validate_network_map, validate_property_map,
};
use altofed_model::{media, CostMapDoc, NetworkMapDoc, PropertyMapDoc};
use altofed_server::ServerConfig;
use common::{figure5, raw_client, start};
use reqwest::header::{
    ACCEPT, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn accept(media_type: &str) -> String {
    format!("{media_type},{}", media::ERROR)
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    content_type: &str,
    body: &Value,
) -> reqwest::Response {
    client
        .post(url)
        .header(CONTENT_TYPE, content_type)
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

/// A minimal valid request body for each POST resource in the IRD.
fn sample_request(entry: &IrdEntry, ird: &DirectoryDoc) -> Value {
    let accepts = entry.accepts.as_deref().unwrap();
    let names = entry
        .capabilities
        .as_ref()
        .and_then(|c| c.cost_type_names.as_ref());
    let cost_type = names
        .map(|n| serde_json::to_value(&ird.meta.cost_types[&n[0]]).unwrap())
        .unwrap_or(Value::Null);
    match accepts {
        media::NETWORK_MAP_FILTER => json!({"pids": []}),
        media::COST_MAP_FILTER => json!({"cost-type": cost_type}),
        media::PROPERTY_MAP_PARAMS => {
            json!({"entities": ["agg-netmap.pid:pid8"], "properties": [".priv:kind"]})
        }
        media::ENDPOINT_PROP_PARAMS => {
            json!({"properties": ["agg-netmap.pid"], "endpoints": ["ipv4:203.0.113.1"]})
        }
        media::ENDPOINT_COST_PARAMS => {
            json!({"cost-type": cost_type, "endpoints": {"srcs": ["ipv4:203.0.113.1"], "dsts": ["ipv4:198.51.100.1"]}})
        }
        media::UPDATE_STREAM_PARAMS => json!({"add": {"s1": {"resource-id": "agg-netmap"}}}),
        other => panic!("IRD lists an unexpected request type {other}"),
    }
}

/// Parses and validates a GET body by its media type.
fn check_document(media_type: &str, body: &[u8], netmap: &NetworkMapDoc) {
    match media_type {
        media::NETWORK_MAP => validate_network_map(&serde_json::from_slice(body).unwrap()).unwrap(),
        media::COST_MAP => {
            let doc: CostMapDoc = serde_json::from_slice(body).unwrap();
            validate_cost_map(&doc, Some(netmap)).unwrap();
        }
        media::PROPERTY_MAP => {
            let doc: PropertyMapDoc = serde_json::from_slice(body).unwrap();
            validate_property_map(&doc).unwrap();
            assert_eq!(doc.meta.dependent_vtags, vec![netmap.meta.vtag.clone()]);
        }
        other => panic!("unexpected GET media type {other}"),
    }
}

#[tokio::test]
async fn ird_walk_fetches_every_resource_with_the_media_type_it_declares() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    let client = reqwest::Client::new();
    let response = client
        .get(server.url("/directory"))
        .header(ACCEPT, accept(media::DIRECTORY))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], media::DIRECTORY);
    let ird: DirectoryDoc = response.json().await.unwrap();
    validate_ird(&ird).unwrap();
    assert_eq!(
        ird.meta.default_alto_network_map.as_deref(),
        Some("agg-netmap")
    );
    assert_eq!(ird.resources.len(), 11, "{:#?}", ird.resources.keys());
    let netmap: NetworkMapDoc = client
        .get(server.url("/maps/agg-netmap"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    for (id, entry) in &ird.resources {
        let url = server.url(&entry.uri);
        let response = match &entry.accepts {
            None => client
                .get(&url)
                .header(ACCEPT, accept(&entry.media_type))
                .send()
                .await
                .unwrap(),
            Some(accepts) => {
                let body = sample_request(entry, &ird);
                client
                    .post(&url)
                    .header(CONTENT_TYPE, accepts)
                    .header(ACCEPT, accept(&entry.media_type))
                    .body(body.to_string())
                    .send()
                    .await
                    .unwrap()
            }
        };
        assert_eq!(response.status(), StatusCode::OK, "{id} at {url}");
        assert_eq!(
            response.headers()[CONTENT_TYPE],
            entry.media_type.as_str(),
            "{id}"
        );
        if entry.accepts.is_none() {
            check_document(&entry.media_type, &response.bytes().await.unwrap(), &netmap);
        }
    }
}

#[tokio::test]
async fn get_sends_the_vtag_as_etag_and_304_on_if_none_match() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    let client = raw_client();
    let response = client
        .get(server.url("/maps/agg-netmap"))
        .send()
        .await
        .unwrap();
    let etag = response.headers()[ETAG].to_str().unwrap().to_owned();
    let doc: NetworkMapDoc = response.json().await.unwrap();
    assert_eq!(etag, format!("\"{}\"", doc.meta.vtag.tag));

    let again = client
        .get(server.url("/maps/agg-netmap"))
        .header(IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[ETAG], etag.as_str());
    assert!(again.bytes().await.unwrap().is_empty());

    let stale = client
        .get(server.url("/maps/agg-netmap"))
        .header(IF_NONE_MATCH, "\"other\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::OK);
}

#[tokio::test]
async fn bodies_come_gzip_or_zstd_compressed_when_asked_and_decode_to_the_same_document() {
    let server = start(ServerConfig::default(), Some(figure5())).await;
    let client = raw_client();
    // The IRD is the largest Figure 5 body, large enough to be compressed.
    let url = server.url("/directory");
    let plain = client
        .get(&url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();

    let gz = client
        .get(&url)
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()[CONTENT_ENCODING], "gzip");
    let gz_etag = gz.headers()[ETAG].to_str().unwrap().to_owned();
    assert!(gz_etag.ends_with("-gz\""), "{gz_etag}");
    assert_eq!(common::gunzip(&gz.bytes().await.unwrap()), plain);

    let zst = client
        .get(&url)
        .header(ACCEPT_ENCODING, "gzip;q=0.5, zstd")
        .send()
        .await
        .unwrap();
    assert_eq!(zst.headers()[CONTENT_ENCODING], "zstd");
    assert_eq!(
        zstd::decode_all(&zst.bytes().await.unwrap()[..]).unwrap(),
        plain
    );

    // Any coding's ETag revalidates the resource.
    let cached = client
        .get(&url)
        .header(IF_NONE_MATCH, &gz_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn http_level_errors() {
    let server = start(
        ServerConfig {
            max_body_bytes: 1024,
            ..ServerConfig::default()
        },
        Some(figure5()),
    )
    .await;
    let client = reqwest::Client::new();

    let unknown = client.get(server.url("/maps/nope")).send().await.unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(unknown.text().await.unwrap(), "no such resource: nope\n");

    let not_acceptable = client
        .get(server.url("/maps/agg-netmap"))
        .header(ACCEPT, media::COST_MAP)
        .send()
        .await
        .unwrap();
    assert_eq!(not_acceptable.status(), StatusCode::NOT_ACCEPTABLE);
    assert_eq!(
        not_acceptable.text().await.unwrap(),
        "this resource is only available as application/alto-networkmap+json\n"
    );

    let wrong_type = post(
        &client,
        &server.url("/maps/agg-netmap/filtered"),
        "application/json",
        &json!({"pids": []}),
    )
    .await;
    assert_eq!(wrong_type.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        wrong_type.text().await.unwrap(),
        "request body must be application/alto-networkmapfilter+json\n"
    );

    let big = json!({"pids": vec!["pid8"; 400]});
    let too_large = post(
        &client,
        &server.url("/maps/agg-netmap/filtered"),
        media::NETWORK_MAP_FILTER,
        &big,
    )
    .await;
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        too_large.text().await.unwrap(),
        "request body is over the limit of 1024 bytes\n"
    );
}

#[tokio::test]
async fn no_snapshot_yet_is_503_with_retry_after() {
    let server = start(ServerConfig::default(), None).await;
    let response = reqwest::get(server.url("/directory")).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "5");
    // Publishing makes the same server answer.
    server.state.publish(figure5()).unwrap();
    assert_eq!(
        reqwest::get(server.url("/directory"))
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}
