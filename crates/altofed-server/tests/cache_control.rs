//! `Cache-Control`, `Vary` and `ETag` of every kind of answer, over real
//! HTTP: GET resources with the default policy and with `max-age`s (per
//! resource, the IRD included), in each content coding, their 304s (which
//! carry what the 200 would, RFC 9110 §15.4.5), POST answers and update
//! streams (never cached).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::time::Duration;

use altofed_model::media;
use altofed_server::http::CachePolicy;
use altofed_server::ServerConfig;
use common::{figure5, raw_client, start, TestServer};
use reqwest::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY,
};
use reqwest::StatusCode;
use serde_json::json;

fn policy() -> CachePolicy {
    CachePolicy {
        max_age: Duration::from_secs(60),
        per_resource: HashMap::from([
            ("agg-propmap".to_owned(), Duration::ZERO),
            ("directory".to_owned(), Duration::from_secs(3600)),
        ]),
        private: false,
    }
}

async fn server(cache: CachePolicy) -> TestServer {
    let config = ServerConfig {
        cache,
        ..ServerConfig::default()
    };
    start(config, Some(figure5())).await
}

/// One GET's status and headers: (status, content-encoding, etag, vary,
/// cache-control), absent headers as "".
async fn get(
    server: &TestServer,
    path: &str,
    coding: &str,
    if_none_match: Option<&str>,
) -> (StatusCode, [String; 4]) {
    let mut request = raw_client()
        .get(server.url(path))
        .header(ACCEPT_ENCODING, coding);
    if let Some(etag) = if_none_match {
        request = request.header(IF_NONE_MATCH, etag);
    }
    let response = request.send().await.unwrap();
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &reqwest::header::HeaderValue| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let headers = [
        header(CONTENT_ENCODING),
        header(ETAG),
        header(VARY),
        header(CACHE_CONTROL),
    ];
    (response.status(), headers)
}

#[tokio::test]
async fn by_default_every_get_answer_is_no_cache() {
    let server = server(CachePolicy::default()).await;
    for path in [
        "/directory",
        "/maps/agg-netmap",
        "/maps/agg-routingcost-num",
    ] {
        let (status, [_, etag, vary, cache]) = get(&server, path, "identity", None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            etag.starts_with('"') && etag.ends_with('"'),
            "{path}: {etag}"
        );
        assert_eq!(
            (vary.as_str(), cache.as_str()),
            ("accept-encoding", "no-cache"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn max_age_applies_per_resource_in_every_coding_and_on_304s() {
    let server = server(policy()).await;
    let cases = [
        ("/maps/agg-netmap", "max-age=60, must-revalidate"),
        ("/maps/agg-routingcost-num", "max-age=60, must-revalidate"),
        ("/maps/agg-propmap", "no-cache"),
        ("/directory", "max-age=3600, must-revalidate"),
    ];
    let mut compressed = 0;
    for (path, want) in cases {
        for coding in ["identity", "gzip", "zstd"] {
            let (status, [enc, etag, vary, cache]) = get(&server, path, coding, None).await;
            assert_eq!(status, StatusCode::OK, "{path} {coding}");
            // Bodies too small to be worth compressing are sent as they
            // are, whatever the client accepts; the ETag names the coding
            // sent.
            let suffix = match enc.as_str() {
                "" => "",
                "gzip" => "-gz",
                "zstd" => "-zst",
                other => panic!("{path} {coding}: Content-Encoding {other}"),
            };
            assert!(enc.is_empty() || enc == coding, "{path} {coding}: {enc}");
            compressed += usize::from(!enc.is_empty());
            assert!(
                etag.ends_with(&format!("{suffix}\"")),
                "{path} {coding}: {etag}"
            );
            assert_eq!(
                (vary.as_str(), cache.as_str()),
                ("accept-encoding", want),
                "{path} {coding}"
            );
            // The 304 to a conditional GET: no body, the same validators
            // and caching headers.
            let (status, [enc, etag_304, vary, cache]) =
                get(&server, path, coding, Some(&etag)).await;
            assert_eq!(status, StatusCode::NOT_MODIFIED, "{path} {coding}");
            assert_eq!(enc, "", "{path} {coding}: a 304 has no body to encode");
            assert_eq!(etag_304, etag, "{path} {coding}");
            assert_eq!(
                (vary.as_str(), cache.as_str()),
                ("accept-encoding", want),
                "{path} {coding} 304"
            );
        }
    }
    assert!(compressed >= 2, "no compressed answer was checked");
}

#[tokio::test]
async fn post_answers_carry_no_caching_headers() {
    // A POST answer is not stored by caches unless it says so (RFC 9110
    // §9.3.3); altofed's never do, whatever the GET policy.
    let server = server(policy()).await;
    let body = json!({
        "cost-type": {"cost-mode": "numerical", "cost-metric": "routingcost"},
        "endpoints": {"srcs": ["ipv4:203.0.113.1"], "dsts": ["ipv4:198.51.100.200"]}
    });
    let response = raw_client()
        .post(server.url("/endpointcost"))
        .header(CONTENT_TYPE, media::ENDPOINT_COST_PARAMS)
        .header(ACCEPT_ENCODING, "gzip")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let h = response.headers();
    assert_eq!(h.get(CACHE_CONTROL), None);
    assert_eq!(h.get(VARY), None, "POST answers are not content-coded");
    assert_eq!(h.get(CONTENT_ENCODING), None);
}

#[tokio::test]
async fn update_streams_are_no_store() {
    let server = server(policy()).await;
    let request = json!({"add": {"n": {"resource-id": "agg-netmap"}}});
    let response = raw_client()
        .post(server.url("/updates"))
        .header(CONTENT_TYPE, media::UPDATE_STREAM_PARAMS)
        .body(request.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
    assert_eq!(response.headers().get(VARY), None);
}
