//! `x-request-id`: echoed when given, generated when absent (the span is
//! checked in `tests/ops_tracing.rs`, which needs its own process).

use altofed_server::ops::Auth;
use altofed_server::ServerConfig;
use reqwest::StatusCode;

use crate::support::{client, Server};

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|g| g.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && groups
            .iter()
            .all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
}

#[tokio::test]
async fn request_ids_are_echoed_or_generated() {
    let config = ServerConfig {
        alto_auth: Some(Auth::Bearer { token: "t".into() }),
        ..ServerConfig::default()
    };
    let server = Server::published(config).await;
    let http = client();
    for path in ["/healthz", "/no/such/route", "/directory"] {
        let r = http
            .get(server.url(path))
            .header("x-request-id", "req-42")
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["x-request-id"], "req-42", "{path}");
    }
    let first = http.get(server.url("/healthz")).send().await.unwrap();
    let second = http.get(server.url("/directory")).send().await.unwrap();
    assert_eq!(second.status(), StatusCode::UNAUTHORIZED);
    let (a, b) = (
        first.headers()["x-request-id"].to_str().unwrap(),
        second.headers()["x-request-id"].to_str().unwrap(),
    );
    assert!(is_uuid(a) && is_uuid(b), "{a} {b}");
    assert_ne!(a, b);
    server.stop().await;
}
