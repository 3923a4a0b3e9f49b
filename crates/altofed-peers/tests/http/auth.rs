//! Basic and Bearer credentials reach the peer; refused ones give a clear
//! 401 error.

use altofed_core::config::HttpOptions;
use altofed_peers::Fetched;
use altofed_server::ops::Auth;
use altofed_server::ServerConfig;

use crate::support::{assert_maps_are, fetches, isp_a, options, peer, Server};

async fn server(auth: Auth) -> Server {
    let config = ServerConfig {
        alto_auth: Some(auth),
        ..ServerConfig::default()
    };
    Server::start(config, isp_a()).await
}

fn basic(user: &str, password: &str) -> HttpOptions {
    HttpOptions {
        basic_user: Some(user.to_owned()),
        basic_password: Some(password.to_owned()),
        ..options()
    }
}

fn bearer(token: &str) -> HttpOptions {
    HttpOptions {
        bearer_token: Some(token.to_owned()),
        ..options()
    }
}

#[tokio::test]
async fn basic_credentials() {
    let auth = Auth::Basic {
        user: "cdn".to_owned(),
        password: "s3cr3t:with colon".to_owned(),
    };
    let server = server(auth).await;
    let url = server.url("/directory");

    let (mut good, _) = peer(&url, &basic("cdn", "s3cr3t:with colon"));
    let Fetched::Updated(maps) = good.fetch().await.unwrap() else {
        panic!("maps expected");
    };
    assert_maps_are(&maps, &isp_a());
    assert!(matches!(good.fetch().await.unwrap(), Fetched::Unchanged));

    let (mut wrong, registry) = peer(&url, &basic("cdn", "guess"));
    assert_eq!(
        wrong.fetch().await.unwrap_err().to_string(),
        format!("peer `isp-a`: GET {url}: HTTP 401 Unauthorized: the peer refused our credentials (it asks for Basic)")
    );
    assert_eq!(fetches(&registry, "status"), 1.0);

    let (mut none, _) = peer(&url, &options());
    assert_eq!(
        none.fetch().await.unwrap_err().to_string(),
        format!(
            "peer `isp-a`: GET {url}: HTTP 401 Unauthorized: the peer requires credentials \
             (it asks for Basic); set basic-user/basic-password or bearer-token"
        )
    );
    server.stop().await;
}

#[tokio::test]
async fn bearer_token() {
    let server = server(Auth::Bearer {
        token: "tok-123".to_owned(),
    })
    .await;
    let url = server.url("/directory");

    let (mut good, _) = peer(&url, &bearer("tok-123"));
    assert!(matches!(good.fetch().await.unwrap(), Fetched::Updated(_)));

    let (mut wrong, _) = peer(&url, &bearer("tok-456"));
    assert_eq!(
        wrong.fetch().await.unwrap_err().to_string(),
        format!("peer `isp-a`: GET {url}: HTTP 401 Unauthorized: the peer refused our credentials (it asks for Bearer)")
    );
    server.stop().await;
}

#[test]
fn both_kinds_of_credentials_are_refused() {
    let options = HttpOptions {
        bearer_token: Some("t".to_owned()),
        ..basic("u", "p")
    };
    let url = reqwest::Url::parse("http://127.0.0.1:1/directory").unwrap();
    let err = altofed_peers::HttpPeer::new("isp-a", url, &options, std::path::Path::new("."))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "peer `isp-a`: use either basic-user/basic-password or bearer-token, not both"
    );
}
