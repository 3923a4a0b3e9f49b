//! The request span carries the request id, and a 503 is logged but not as
//! an error. In its own test binary: the
//! subscriber must be the process-wide default (tracing caches callsite
//! interest across threads, so a thread-local one misses events when other
//! tests run in parallel).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "ops/support.rs"]
#[allow(dead_code)]
mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use altofed_server::ServerConfig;
use reqwest::StatusCode;

use support::{client, Server};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_request_span_carries_the_id_and_a_503_is_no_error() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

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

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
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
