//! HTTPS with a certificate made in the test; the client address still
//! reaches the endpoint cost service.

use std::net::SocketAddr;

use altofed_model::media;
use altofed_server::ops::TlsConfig;
use altofed_server::{run, AppState, ServerConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::support::documents;

#[tokio::test]
async fn https_round_trip_with_client_address() {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, certified.cert.pem()).unwrap();
    std::fs::write(&key_path, certified.signing_key.serialize_pem()).unwrap();

    let tls = TlsConfig {
        cert_chain: cert_path,
        private_key: key_path,
    };
    let mut config = ServerConfig {
        tls: Some(tls),
        ..ServerConfig::default()
    };
    config.connections.header_read_timeout = std::time::Duration::from_secs(1);
    let state = AppState::new(config);
    state.publish(documents()).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(run(listener, state, async move {
        let _ = stopped.await;
    }));

    let root = reqwest::Certificate::from_pem(certified.cert.pem().as_bytes()).unwrap();
    let https = reqwest::Client::builder()
        .no_proxy()
        .tls_built_in_root_certs(false)
        .add_root_certificate(root)
        .resolve("localhost", addr)
        .build()
        .unwrap();
    let base = format!("https://localhost:{}", addr.port());

    let directory = https.get(format!("{base}/directory")).send().await.unwrap();
    assert_eq!(directory.status(), StatusCode::OK);
    assert_eq!(directory.headers()["content-type"], media::DIRECTORY);
    assert!(directory.headers().contains_key("x-request-id"));

    // No `dsts`: the client's own address (ConnectInfo) is the destination.
    let request = json!({
        "cost-type": {"cost-mode": "numerical", "cost-metric": "routingcost"},
        "endpoints": {"srcs": ["ipv4:203.0.113.10"]}
    });
    let response = https
        .post(format!("{base}/endpointcost"))
        .header("content-type", media::ENDPOINT_COST_PARAMS)
        .body(request.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let doc: Value = response.json().await.unwrap();
    let row = &doc["endpoint-cost-map"]["ipv4:203.0.113.10"];
    assert!(
        row.get("ipv4:127.0.0.1").is_some_and(Value::is_number),
        "{doc}"
    );

    // Plain HTTP to the TLS port gets no HTTP answer.
    let plain = reqwest::Client::builder().no_proxy().build().unwrap();
    assert!(plain
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .is_err());
    // The TLS port still serves after that failed handshake.
    assert_eq!(
        https
            .get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );

    // A client that never starts its handshake is closed after the
    // header timeout, while others are served.
    let mut silent = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut rest = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        tokio::io::AsyncReadExt::read_to_end(&mut silent, &mut rest),
    );
    assert!(read.await.is_ok(), "the silent TLS client was kept");
    assert!(rest.is_empty());
    assert_eq!(
        https
            .get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );

    stop.send(()).unwrap();
    handle.await.unwrap().unwrap();
}

#[tokio::test]
async fn bad_certificate_files_fail_run() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let tls = TlsConfig {
        cert_chain: empty.clone(),
        private_key: empty,
    };
    let state = AppState::new(ServerConfig {
        tls: Some(tls),
        ..ServerConfig::default()
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let err = run(listener, state, std::future::pending())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("no certificate found"), "{err}");
}
