//! HTTPS to a peer whose certificate comes from a CA given in `ca-file`.

use std::path::PathBuf;

use altofed_core::config::HttpOptions;
use altofed_peers::{Fetched, HttpPeer};
use altofed_server::ops::TlsConfig;
use altofed_server::ServerConfig;
use reqwest::Url;

use crate::support::{assert_maps_are, isp_a, options, peer, Server};

#[tokio::test]
async fn trusts_the_ca_file_and_only_it() {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    let config = ServerConfig {
        tls: Some(TlsConfig {
            cert_chain: cert,
            private_key: key,
        }),
        ..ServerConfig::default()
    };
    let docs = isp_a();
    let server = Server::start(config, docs.clone()).await;
    let url = format!("https://{}/directory", server.addr);

    // `ca-file` relative to the configuration's directory.
    std::fs::write(dir.path().join("peer-ca.pem"), certified.cert.pem()).unwrap();
    let trusting = HttpOptions {
        ca_file: Some(PathBuf::from("peer-ca.pem")),
        ..options()
    };
    let mut peer_ok =
        HttpPeer::new("isp-a", Url::parse(&url).unwrap(), &trusting, dir.path()).unwrap();
    let Fetched::Updated(maps) = peer_ok.fetch().await.unwrap() else {
        panic!("maps expected");
    };
    assert_maps_are(&maps, &docs);
    assert!(matches!(peer_ok.fetch().await.unwrap(), Fetched::Unchanged));

    // Without it the certificate is unknown.
    let (mut untrusting, _) = peer(&url, &options());
    let error = untrusting.fetch().await.unwrap_err();
    assert_eq!(error.class(), "connect");
    assert_eq!(
        error.to_string(),
        format!("peer `isp-a`: GET {url}: cannot connect: invalid peer certificate: UnknownIssuer")
    );
    server.stop().await;
}

#[test]
fn unreadable_or_empty_ca_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let url = Url::parse("https://127.0.0.1:1/directory").unwrap();
    let with = |file: &str| HttpOptions {
        ca_file: Some(PathBuf::from(file)),
        ..options()
    };
    let missing = HttpPeer::new("isp-a", url.clone(), &with("nope.pem"), dir.path()).unwrap_err();
    assert!(
        missing.to_string().starts_with(&format!(
            "peer `isp-a`: ca-file {}: cannot read: ",
            dir.path().join("nope.pem").display()
        )),
        "{missing}"
    );
    std::fs::write(dir.path().join("empty.pem"), "not a certificate\n").unwrap();
    let empty = HttpPeer::new("isp-a", url, &with("empty.pem"), dir.path()).unwrap_err();
    assert_eq!(
        empty.to_string(),
        format!(
            "peer `isp-a`: ca-file {}: no certificate found",
            dir.path().join("empty.pem").display()
        )
    );
}
