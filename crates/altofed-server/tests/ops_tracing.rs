//! The request span carries the request id, and a 503 is logged but not as
//! an error. In its own test binary: the
//! subscriber must be the process-wide default (tracing caches callsite
//! interest across threads, so a thread-local one misses events when other
//! tests run in parallel).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "ops/captured_logs.rs"]
mod captured_logs;
#[path = "ops/support.rs"]
#[allow(dead_code)]
mod support;

use altofed_server::ServerConfig;
use captured_logs::capture_logs;
use reqwest::StatusCode;
use support::{client, Server};

#[tokio::test]
async fn the_request_span_carries_the_id_and_a_503_is_no_error() {
    let captured = capture_logs(tracing::Level::DEBUG);

    let server = Server::published(ServerConfig::default()).await;
    let r = client()
        .get(server.url("/directory"))
        .header("x-request-id", "trace-me-7")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    server.stop().await;

    // Not ready before the first snapshot: a 503, logged but not as an
    // error (issue #12).
    let server = Server::start(ServerConfig::default()).await;
    let r = client().get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    server.stop().await;

    let logs = captured.text();
    assert!(
        logs.lines()
            .any(|l| l.contains("uri=/readyz") && l.contains("answered 503")),
        "{logs}"
    );
    assert!(!logs.contains("ERROR"), "{logs}");
    let line = logs
        .lines()
        .find(|l| l.contains("finished processing request"))
        .unwrap_or_default();
    assert!(
        line.contains("request_id=trace-me-7") && line.contains("uri=/directory"),
        "{logs}"
    );
}
