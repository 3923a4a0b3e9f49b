//! Graceful shutdown with a request in flight, and overload answers.
//!
//! A request is held in flight deterministically by an admin event hook that
//! blocks (hooks for node status run on a blocking thread) until the test
//! releases it.

use std::sync::mpsc as std_mpsc;
use std::sync::Mutex;

use altofed_server::ops::AdminEvent;
use altofed_server::ServerConfig;
use reqwest::StatusCode;
use serde_json::json;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use altofed_tests::prometheus::sample;

use crate::support::{client, Server};

/// Makes node status hooks block: returns "a hook was entered" and the
/// release switch.
fn blocking_hook(server: &Server) -> (mpsc::UnboundedReceiver<()>, std_mpsc::Sender<()>) {
    let (entered_tx, entered) = mpsc::unbounded_channel();
    let (release, release_rx) = std_mpsc::channel::<()>();
    let release_rx = Mutex::new(release_rx);
    server.state.on_event(move |event: &AdminEvent| {
        if matches!(event, AdminEvent::NodeChanged { .. }) {
            let _ = entered_tx.send(());
            let _ = release_rx.lock().unwrap().recv();
        }
    });
    (entered, release)
}

fn slow_put(server: &Server) -> JoinHandle<reqwest::Result<reqwest::Response>> {
    let url = server.url("/admin/nodes/192.0.2.10");
    tokio::spawn(async move {
        client()
            .put(url)
            .json(&json!({"health": "up", "load": 0.5, "drained": false}))
            .send()
            .await
    })
}

#[tokio::test]
async fn shutdown_lets_the_request_in_flight_finish() {
    let mut server = Server::published(ServerConfig::default()).await;
    let (mut entered, release) = blocking_hook(&server);
    let in_flight = slow_put(&server);
    entered.recv().await.unwrap();

    let token = server.state.shutdown_token();
    assert!(!token.is_cancelled());
    server.signal_shutdown();
    token.cancelled().await;
    assert!(
        !server.handle.is_finished(),
        "run must wait for the request in flight"
    );

    release.send(()).unwrap();
    let response = in_flight.await.unwrap().unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap()["health"],
        "up"
    );
    server.handle.await.unwrap().unwrap();
    assert_eq!(server.state.node_statuses().len(), 1);
}

#[tokio::test]
async fn app_state_shutdown_stops_run() {
    let server = Server::published(ServerConfig::default()).await;
    assert_eq!(
        client()
            .get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    server.state.shutdown();
    server.handle.await.unwrap().unwrap();
}

/// A published server with a limit of one request at once, and that one
/// taken by an admin request held in flight until `release` is sent.
pub(crate) struct PermitHeld {
    pub(crate) server: Server,
    pub(crate) release: std_mpsc::Sender<()>,
    pub(crate) in_flight: JoinHandle<reqwest::Result<reqwest::Response>>,
}

pub(crate) async fn only_permit_held() -> PermitHeld {
    let config = ServerConfig {
        max_concurrent_requests: Some(1),
        ..ServerConfig::default()
    };
    let server = Server::published(config).await;
    let (mut entered, release) = blocking_hook(&server);
    let in_flight = slow_put(&server);
    entered.recv().await.unwrap();
    PermitHeld {
        server,
        release,
        in_flight,
    }
}

#[tokio::test]
async fn overload_answers_503_with_retry_after() {
    let PermitHeld {
        server,
        release,
        in_flight,
    } = only_permit_held().await;

    let http = client();
    let shed = http.get(server.url("/directory")).send().await.unwrap();
    assert_eq!(shed.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(shed.headers()["retry-after"], "1");
    let admin = http.get(server.url("/admin/nodes")).send().await.unwrap();
    assert_eq!(admin.status(), StatusCode::SERVICE_UNAVAILABLE);
    // Probes and metrics are not limited.
    assert_eq!(
        http.get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let metrics = http
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let shed_count = sample(
        &metrics,
        "altofed_http_requests_total",
        &[
            ("method", "GET"),
            ("route", "/directory"),
            ("resource", "directory"),
            ("status", "503"),
        ],
    );
    assert_eq!(shed_count, Some(1.0), "{metrics}");
    assert_eq!(
        sample(&metrics, "altofed_http_requests_in_flight", &[]),
        Some(2.0),
        "{metrics}"
    );

    release.send(()).unwrap();
    assert_eq!(in_flight.await.unwrap().unwrap().status(), StatusCode::OK);
    assert_eq!(
        http.get(server.url("/directory"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    server.stop().await;
}
