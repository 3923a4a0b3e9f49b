//! Connections a hostile client opens: the connection limit, the header,
//! idle and write timeouts, and shutdown with a deadline (issue #11), on a
//! real server with low limits, while a well-behaved client is served.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use altofed_server::conn::ConnectionLimits;
use altofed_server::ServerConfig;
use altofed_tests::prometheus::sample;
use altofed_tests::synthetic;
use common::{figure5, start, TestServer};
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HEADER: Duration = Duration::from_millis(400);
const IDLE: Duration = Duration::from_millis(1_500);

fn limited(max_connections: usize) -> ServerConfig {
    ServerConfig {
        connections: ConnectionLimits {
            max_connections,
            header_read_timeout: HEADER,
            idle_timeout: IDLE,
            write_timeout: Duration::from_millis(600),
            shutdown_grace: Duration::from_millis(500),
        },
        ..ServerConfig::default()
    }
}

fn metric(server: &TestServer, name: &str, labels: &[(&str, &str)]) -> f64 {
    let text = server.state.metrics().render(&server.state);
    sample(&text, name, labels).unwrap_or(0.0)
}

/// Polls until `check` holds; the deadline only guards against a hang.
async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check() {
        assert!(Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Reads until the server closes the connection; what it sent.
async fn until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut out)).await;
    assert!(read.is_ok(), "the server kept the connection open");
    out
}

#[tokio::test]
async fn silent_half_sent_and_idle_connections_are_closed_while_a_good_client_is_served() {
    let server = start(limited(6), Some(figure5())).await;
    // A well-behaved client with its keep-alive connection, from the start.
    let good = reqwest::Client::new();
    let get = || good.get(server.url("/maps/agg-routingcost-num")).send();
    assert_eq!(get().await.unwrap().status(), StatusCode::OK);

    let mut silent = TcpStream::connect(server.addr).await.unwrap();
    let mut half = TcpStream::connect(server.addr).await.unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let mut idle = TcpStream::connect(server.addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    // Two more fill the limit of six; the next ones are turned away.
    let _fill = [
        TcpStream::connect(server.addr).await.unwrap(),
        TcpStream::connect(server.addr).await.unwrap(),
    ];
    eventually("six connections open", || {
        metric(&server, "altofed_http_connections_open", &[]) >= 6.0
    })
    .await;
    let mut refused = TcpStream::connect(server.addr).await.unwrap();
    let answer = String::from_utf8(until_closed(&mut refused).await).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
        "{answer}"
    );
    assert_eq!(
        metric(&server, "altofed_http_connections_refused_total", &[]),
        1.0
    );

    // The good client is served all along, on its own connection.
    assert_eq!(get().await.unwrap().status(), StatusCode::OK);
    assert!(until_closed(&mut silent).await.is_empty());
    assert!(until_closed(&mut half).await.is_empty());
    assert_eq!(get().await.unwrap().status(), StatusCode::OK);
    let answered = String::from_utf8(until_closed(&mut idle).await).unwrap();
    assert!(answered.starts_with("HTTP/1.1 200 OK\r\n"), "{answered}");
    let header = [("phase", "header")];
    assert!(metric(&server, "altofed_http_connections_timed_out_total", &header) >= 4.0);
    let idle_closed = [("phase", "idle")];
    assert!(
        metric(
            &server,
            "altofed_http_connections_timed_out_total",
            &idle_closed
        ) >= 1.0
    );
    assert_eq!(get().await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        metric(&server, "altofed_http_connections_refused_total", &[]),
        1.0
    );
}

#[tokio::test]
async fn a_client_that_never_reads_its_response_is_cut_off() {
    // A 25 MB cost map body, more than the socket buffers hold.
    let server = start(limited(16), Some(synthetic::documents(1_000, 1))).await;
    let path = format!("/maps/{}", synthetic::COST_MAP_ID);
    let mut stuck = TcpStream::connect(server.addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
    stuck.write_all(request.as_bytes()).await.unwrap();
    let write = [("phase", "write")];
    eventually("the stuck connection is closed", || {
        metric(&server, "altofed_http_connections_timed_out_total", &write) >= 1.0
    })
    .await;
    eventually("no connection left open", || {
        metric(&server, "altofed_http_connections_open", &[]) == 0.0
    })
    .await;
    let response = reqwest::get(server.url(&path)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.bytes().await.unwrap().len() > 10_000_000);
}

#[tokio::test]
async fn shutdown_ends_within_the_grace_period_whatever_clients_hold() {
    let config = ServerConfig {
        connections: ConnectionLimits {
            header_read_timeout: Duration::from_secs(600),
            idle_timeout: Duration::from_secs(600),
            ..limited(16).connections
        },
        ..ServerConfig::default()
    };
    let server = start(config, Some(figure5())).await;
    let mut half = TcpStream::connect(server.addr).await.unwrap();
    half.write_all(b"POST /endpointcost HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        .await
        .unwrap();
    eventually("the request is in flight", || {
        server.state.metrics().in_flight() == 1
    })
    .await;
    let stopped = tokio::time::timeout(Duration::from_secs(30), server.shutdown()).await;
    assert!(stopped.is_ok(), "the server waited for the client");
    // The connection held open was closed by the server.
    until_closed(&mut half).await;
}
