//! `[server.cache]` of `altofed.toml` reaches the answers of `altofed
//! serve`: per-resource `max-age`s, and `private` when the ALTO resources
//! need a token (a shared cache must not hand them out unchecked).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use altofed_tests::fixtures::{copy_tree, scenario};
use altofed_tests::process::serve_ready;
use reqwest::header::{AUTHORIZATION, CACHE_CONTROL, VARY};

const BIN: &str = env!("CARGO_BIN_EXE_altofed");

#[tokio::test]
async fn cache_control_follows_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&scenario("figure5"), dir.path());
    let config = dir.path().join("altofed.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(
        "\n[server]\nalto-bearer-token = \"secret\"\n\
         [server.cache]\nmax-age = \"30s\"\n\
         [server.cache.resources]\nagg-propmap = \"0s\"\ndirectory = \"1h\"\n",
    );
    std::fs::write(&config, text).unwrap();
    let log = dir.path().join("altofed.log");
    let (_server, base) = serve_ready(BIN, &config, &[], &log).await;

    let client = reqwest::Client::new();
    for (path, want) in [
        ("/maps/agg-netmap", "private, max-age=30, must-revalidate"),
        (
            "/maps/agg-routingcost-num",
            "private, max-age=30, must-revalidate",
        ),
        ("/maps/agg-propmap", "no-cache"),
        ("/directory", "private, max-age=3600, must-revalidate"),
    ] {
        let response = client
            .get(format!("{base}{path}"))
            .header(AUTHORIZATION, "Bearer secret")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()[CACHE_CONTROL], want, "{path}");
        assert_eq!(response.headers()[VARY], "accept-encoding", "{path}");
    }
}
