//! A cost map body is published in identity first and compressed after
//! (`snapshot::build_identity_first`, `Snapshot::compress_pending`): until
//! then a client that asks for gzip or zstd gets the identity body under
//! the identity ETag; after, the same bytes as a snapshot compressed
//! before it was served. Pieces a snapshot took over from one not yet
//! compressed are compressed by whichever snapshot gets to them first.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use altofed_model::{Cost, CostRows};
use altofed_server::http::negotiate::send_resource;
use altofed_server::http::CachePolicy;
use altofed_server::snapshot::{build_identity_first, build_snapshot, Coding, Snapshot};
use altofed_server::{Documents, ServerConfig};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};

const NUM: &str = "agg-routingcost-num";

/// Two peers' columns (one over a segment's 1,700 PIDs), five CDN rows;
/// `bump` raises one peer's costs.
fn documents(bump: f64, tag: &str) -> Documents {
    let rows: CostRows = (0..5)
        .map(|s| {
            let row = [("as3257", 2_100), ("isp-a", 30)]
                .iter()
                .flat_map(|(g, n)| (0..*n).map(move |d| (*g, d)))
                .map(|(g, d)| {
                    let extra = if g == "as3257" { bump } else { 0.0 };
                    let cost = f64::from(s * 7 + d % 13) + extra;
                    (format!("{g}:pid{d}"), Cost(cost))
                })
                .collect();
            (format!("cdn{s}"), row)
        })
        .collect();
    common::figure5_with_costs(&rows, tag)
}

/// Cost map `NUM` in `coding` as the snapshot holds it, if it does.
fn held(snapshot: &Snapshot, coding: Coding) -> Option<Vec<u8>> {
    let body = snapshot.resources[NUM].body.get(coding)?;
    Some(body.to_bytes().to_vec())
}

#[test]
fn the_identity_body_is_there_first_and_the_codings_equal_a_compressed_build() {
    let snapshot = build_identity_first(documents(0.0, "v1").into(), 1, None).unwrap();
    let whole = build_snapshot(documents(0.0, "v1"), 1, None).unwrap();
    assert!(!snapshot.is_compressed());
    assert!(whole.is_compressed());
    assert_eq!(
        held(&snapshot, Coding::Identity),
        held(&whole, Coding::Identity)
    );
    assert_eq!(held(&snapshot, Coding::Gzip), None, "not compressed yet");
    assert_eq!(held(&snapshot, Coding::Zstd), None, "not compressed yet");
    let network_map = &snapshot.resources["agg-netmap"].body;
    assert!(
        network_map.get(Coding::Gzip).is_some(),
        "bodies encoded whole are compressed at once"
    );

    snapshot.compress_pending();
    assert!(snapshot.is_compressed());
    for coding in [Coding::Identity, Coding::Gzip, Coding::Zstd] {
        let (ours, theirs) = (held(&snapshot, coding), held(&whole, coding));
        assert!(ours.is_some() && ours == theirs, "{coding:?} differs");
    }
    let text = held(&snapshot, Coding::Identity).unwrap();
    assert_eq!(
        common::gunzip(&held(&snapshot, Coding::Gzip).unwrap()),
        text
    );
    let zstd = held(&snapshot, Coding::Zstd).unwrap();
    assert_eq!(zstd::decode_all(&zstd[..]).unwrap(), text);
}

#[test]
fn pieces_taken_over_before_they_were_compressed_are_compressed_by_the_next() {
    let first = build_identity_first(documents(0.0, "v1").into(), 1, None).unwrap();
    let second = build_identity_first(documents(0.5, "v2").into(), 2, Some(&first)).unwrap();
    let body = &second.cost_bodies[NUM];
    assert!(body.reused > 0 && body.built > 0, "{body:?}");
    second.compress_pending();
    let whole = build_snapshot(documents(0.5, "v2"), 2, None).unwrap();
    for coding in [Coding::Gzip, Coding::Zstd] {
        assert_eq!(held(&second, coding), held(&whole, coding), "{coding:?}");
    }
    // The first snapshot's own body is still to assemble, from pieces the
    // second compressed and its own.
    assert!(!first.is_compressed());
    first.compress_pending();
    let whole = build_snapshot(documents(0.0, "v1"), 1, None).unwrap();
    assert_eq!(held(&first, Coding::Gzip), held(&whole, Coding::Gzip));
}

/// `send_resource`'s answer to a GET of `NUM` with `headers`: status,
/// `Content-Encoding`, ETag and body.
async fn get(
    snapshot: &Snapshot,
    headers: &HeaderMap,
) -> (StatusCode, Option<String>, String, Vec<u8>) {
    let resource = &snapshot.resources[NUM];
    let response = send_resource(headers, resource, &CachePolicy::default()).unwrap();
    let value = |name| {
        let v = response.headers().get(name)?;
        Some(v.to_str().unwrap().to_owned())
    };
    let encoding = value(header::CONTENT_ENCODING);
    let etag = value(header::ETAG).unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, encoding, etag, body.to_vec())
}

#[tokio::test]
async fn a_client_asking_for_gzip_gets_identity_until_it_is_compressed_then_gzip() {
    let snapshot = build_identity_first(documents(0.0, "v1").into(), 1, None).unwrap();
    let text = held(&snapshot, Coding::Identity).unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip"));

    let (status, encoding, etag, body) = get(&snapshot, &headers).await;
    assert_eq!(
        (status, encoding, etag.as_str()),
        (StatusCode::OK, None, "\"v1\"")
    );
    assert!(body == text);

    snapshot.compress_pending();
    let (status, encoding, etag, body) = get(&snapshot, &headers).await;
    assert_eq!(
        (status, encoding.as_deref(), etag.as_str()),
        (StatusCode::OK, Some("gzip"), "\"v1-gz\"")
    );
    assert!(common::gunzip(&body) == text);

    // The identity answer's ETag still names the resource: nothing to send.
    headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"v1\""));
    let (status, _, etag, body) = get(&snapshot, &headers).await;
    assert_eq!(
        (status, etag.as_str()),
        (StatusCode::NOT_MODIFIED, "\"v1-gz\"")
    );
    assert!(body.is_empty());
}

#[tokio::test]
async fn a_served_publish_is_compressed_when_publish_returns() {
    let server = common::start(ServerConfig::default(), Some(documents(0.0, "v1"))).await;
    let next = server.state.publish(documents(0.5, "v2")).unwrap();
    assert!(next.is_compressed());
    let response = common::raw_client()
        .get(server.url(&format!("/maps/{NUM}")))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
    assert_eq!(response.headers()["etag"], "\"v2-gz\"");
    let body = response.bytes().await.unwrap();
    assert!(common::gunzip(&body) == held(&next, Coding::Identity).unwrap());
    // Both publishes had pieces to compress after they were served.
    let metrics = server.state.metrics().render(&server.state);
    assert!(
        metrics.contains("altofed_snapshot_compress_duration_seconds_count 2\n"),
        "{metrics}"
    );
    server.shutdown().await;
}
