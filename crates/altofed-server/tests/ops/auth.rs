//! Basic and Bearer authentication, configured separately for the ALTO
//! resources and the admin API; probes and metrics stay open.

use altofed_model::media;
use altofed_server::ops::Auth;
use altofed_server::ServerConfig;
use reqwest::{RequestBuilder, StatusCode};

use crate::support::{client, Server, NETMAP};

fn challenge(r: &reqwest::Response) -> String {
    r.headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

async fn status(request: RequestBuilder) -> (StatusCode, String) {
    let r = request.send().await.unwrap();
    (r.status(), challenge(&r))
}

#[tokio::test]
async fn basic_for_alto_bearer_for_admin() {
    let config = ServerConfig {
        alto_auth: Some(Auth::Basic {
            user: "router".into(),
            password: "pa:ss wörd".into(),
        }),
        admin_auth: Some(Auth::Bearer {
            token: "admin-token".into(),
        }),
        ..ServerConfig::default()
    };
    let server = Server::published(config).await;
    let http = client();
    let basic = "Basic realm=\"altofed\", charset=\"UTF-8\"".to_owned();
    let bearer = "Bearer realm=\"altofed-admin\"".to_owned();
    let invalid_bearer = "Bearer realm=\"altofed-admin\", error=\"invalid_token\"".to_owned();

    // ALTO resources, GET and POST.
    let dir = server.url("/directory");
    assert_eq!(
        status(http.get(&dir)).await,
        (StatusCode::UNAUTHORIZED, basic.clone())
    );
    assert_eq!(
        status(http.get(&dir).basic_auth("router", Some("wrong"))).await,
        (StatusCode::UNAUTHORIZED, basic.clone())
    );
    assert_eq!(
        status(http.get(&dir).basic_auth("other", Some("pa:ss wörd"))).await,
        (StatusCode::UNAUTHORIZED, basic.clone())
    );
    assert_eq!(
        status(http.get(&dir).bearer_auth("admin-token")).await,
        (StatusCode::UNAUTHORIZED, basic.clone())
    );
    assert_eq!(
        status(http.get(&dir).basic_auth("router", Some("pa:ss wörd"))).await,
        (StatusCode::OK, String::new())
    );
    let filtered = || {
        http.post(server.url(&format!("/maps/{NETMAP}/filtered")))
            .header("content-type", media::NETWORK_MAP_FILTER)
            .body(r#"{"pids": ["pid8"]}"#)
    };
    assert_eq!(status(filtered()).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        status(filtered().basic_auth("router", Some("pa:ss wörd")))
            .await
            .0,
        StatusCode::OK
    );

    // Admin API: its own credentials only.
    let nodes = server.url("/admin/nodes");
    assert_eq!(
        status(http.get(&nodes)).await,
        (StatusCode::UNAUTHORIZED, bearer.clone())
    );
    assert_eq!(
        status(http.get(&nodes).basic_auth("router", Some("pa:ss wörd"))).await,
        (StatusCode::UNAUTHORIZED, bearer)
    );
    assert_eq!(
        status(http.get(&nodes).bearer_auth("admin-token2")).await,
        (StatusCode::UNAUTHORIZED, invalid_bearer)
    );
    assert_eq!(
        status(http.get(&nodes).bearer_auth("admin-token")).await,
        (StatusCode::OK, String::new())
    );
    let recompute = server.url("/admin/recompute");
    assert_eq!(
        status(http.post(&recompute)).await.0,
        StatusCode::UNAUTHORIZED
    );

    // Operations endpoints stay open.
    for path in ["/healthz", "/readyz", "/metrics"] {
        assert_eq!(
            status(http.get(server.url(path))).await,
            (StatusCode::OK, String::new()),
            "{path}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn bearer_for_alto_and_an_open_admin_api() {
    let config = ServerConfig {
        alto_auth: Some(Auth::Bearer {
            token: "alto-token".into(),
        }),
        ..ServerConfig::default()
    };
    let server = Server::published(config).await;
    let http = client();
    let map = server.url(&format!("/maps/{NETMAP}"));
    assert_eq!(
        status(http.get(&map)).await,
        (
            StatusCode::UNAUTHORIZED,
            "Bearer realm=\"altofed\"".to_owned()
        )
    );
    let padded = status(http.get(&map).bearer_auth("alto-token ")).await;
    assert_eq!(
        padded,
        (StatusCode::OK, String::new()),
        "surrounding whitespace is not part of the token"
    );
    let wrong = status(http.get(&map).bearer_auth("alto-tokeN")).await;
    assert_eq!(
        wrong,
        (
            StatusCode::UNAUTHORIZED,
            "Bearer realm=\"altofed\", error=\"invalid_token\"".to_owned()
        )
    );
    assert_eq!(
        status(http.get(&map).basic_auth("alto-token", None::<&str>))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        status(http.get(&map).bearer_auth("alto-token")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        status(http.get(server.url("/admin/nodes"))).await.0,
        StatusCode::OK
    );
    server.stop().await;
}

#[tokio::test]
async fn the_admin_api_can_be_left_out() {
    let server = Server::published(ServerConfig {
        admin_api: false,
        ..ServerConfig::default()
    })
    .await;
    let r = client()
        .get(server.url("/admin/nodes"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    server.stop().await;
}
