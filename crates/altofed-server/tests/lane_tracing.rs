//! The endpoint cost lane's span carries the request id, the client's or
//! the one it made and answered with, although the lane does not set it on
//! the request. At INFO (the lane serves `POST /endpointcost` unless DEBUG
//! is on); in its own test binary, as `ops/captured_logs.rs` explains.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "ops/captured_logs.rs"]
mod captured_logs;
#[path = "ops/support.rs"]
#[allow(dead_code)]
mod support;

use altofed_model::media;
use altofed_server::ServerConfig;
use captured_logs::capture_logs;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::StatusCode;
use support::{client, Server};

#[tokio::test]
async fn the_lanes_span_carries_the_given_or_made_request_id() {
    let captured = capture_logs(tracing::Level::INFO);

    // No snapshot yet: a 503, which the lane logs within its span.
    let server = Server::start(ServerConfig::default()).await;
    let post = |id: Option<&str>| {
        let mut request = client()
            .post(server.url("/endpointcost"))
            .header(CONTENT_TYPE, media::ENDPOINT_COST_PARAMS)
            .header(ACCEPT, media::ENDPOINT_COST)
            .body(r#"{"endpoints":{"srcs":["ipv4:192.0.2.1"],"dsts":["ipv4:192.0.2.2"]}}"#);
        if let Some(id) = id {
            request = request.header("x-request-id", id);
        }
        request.send()
    };
    let given = post(Some("lane-given-7")).await.unwrap();
    assert_eq!(given.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(given.headers()["x-request-id"], "lane-given-7");
    let made = post(None).await.unwrap();
    assert_eq!(made.status(), StatusCode::SERVICE_UNAVAILABLE);
    let made = made.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(made.len(), 36, "{made}");
    server.stop().await;

    let logs = captured.text();
    for id in ["lane-given-7", made.as_str()] {
        assert!(
            logs.lines().any(|l| l.contains("answered 503")
                && l.contains("uri=/endpointcost")
                && l.contains(&format!("request_id={id}"))),
            "{id}: {logs}"
        );
    }
}
