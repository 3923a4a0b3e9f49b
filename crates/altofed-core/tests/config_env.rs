//! `ALTOFED_*` environment overrides: keys at every level (tables, peers
//! and links by name or index), values parsed as the key's type, and an
//! exact error naming the variable for an unknown key, an unknown peer or
//! a bad value. The file's own errors keep their line numbers.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use altofed_core::config::{env_overrides, Config, FollowRedirects};

const TEXT: &str = r#"
[cdn]
topology = "cdn.toml"

[[peer]]
name = "isp-a"
dir = "isp-a"

[[peer.link]]
name = "lon"
router = "r6"
address = "192.0.2.4"

[[peer.link]]
name = "par"
router = "r7"
address = "192.0.2.5"

[[peer]]
name = "as1239"
url = "http://isp.example/directory"

[[peer.link]]
router = "r6"
address = "198.51.100.1"
"#;

fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    env_overrides(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    )
}

fn with(pairs: &[(&str, &str)]) -> Config {
    Config::from_toml_with_env(TEXT, &vars(pairs)).unwrap()
}

fn error_with(pairs: &[(&str, &str)]) -> String {
    Config::from_toml_with_env(TEXT, &vars(pairs))
        .unwrap_err()
        .to_string()
}

#[test]
fn only_altofed_variables_count() {
    let found = vars(&[
        ("PATH", "/bin"),
        ("ALTOFED_SERVER__LISTEN", "[::]:80"),
        ("altofed_x", "1"),
        // `altofed route`'s, for route.toml.
        ("ALTOFED_ROUTE__ALTO__URL", "http://a/directory"),
    ]);
    assert_eq!(
        found,
        [("ALTOFED_SERVER__LISTEN".to_owned(), "[::]:80".to_owned())]
    );
    let plain = Config::from_toml_with_env(TEXT, &[]).unwrap();
    assert_eq!(plain.server.listen.to_string(), "127.0.0.1:8080");
}

#[test]
fn tables_peers_and_links_by_name_or_index() {
    let config = with(&[
        ("ALTOFED_SERVER__LISTEN", "0.0.0.0:9090"),
        ("ALTOFED_SERVER__WATCH_INTERVAL", "250ms"),
        ("ALTOFED_SERVER__ADMIN_BEARER_TOKEN", "s3cret"),
        ("ALTOFED_OUTPUT__RESOURCE_PREFIX", "cdn"),
        ("ALTOFED_OUTPUT__DEFAULT_COST", "99"),
        ("ALTOFED_PEER__AS1239__HTTP__BEARER_TOKEN", "peer-token"),
        ("ALTOFED_PEER__AS1239__HTTP__UPDATE_STREAM", "false"),
        ("ALTOFED_PEER__AS1239__HTTP__FOLLOW_REDIRECTS", "any"),
        ("ALTOFED_PEER__ISP_A__LINK__PAR__COST", "7.5"),
        ("ALTOFED_PEER__0__PRIORITY", "3"),
        ("ALTOFED_PEER__1__LINK__0__PREFERENCE", "100"),
    ]);
    assert_eq!(config.server.listen.to_string(), "0.0.0.0:9090");
    assert_eq!(config.server.watch_interval, Duration::from_millis(250));
    assert_eq!(config.server.admin_bearer_token.as_deref(), Some("s3cret"));
    assert_eq!(config.network_map_id(), "cdn-netmap");
    assert_eq!(config.output.default_cost, Some(99.0));
    let (a, b) = (&config.peers[0], &config.peers[1]);
    assert_eq!(b.http.bearer_token.as_deref(), Some("peer-token"));
    assert!(!b.http.update_stream);
    assert_eq!(b.http.follow_redirects, FollowRedirects::Any);
    assert_eq!((a.links[0].cost, a.links[1].cost), (0.0, 7.5));
    assert_eq!((a.priority, b.links[0].preference), (3, 100));
    // Everything else is the file's.
    assert_eq!(a.links[1].address.unwrap().to_string(), "192.0.2.5");
    assert_eq!(b.url.as_deref(), Some("http://isp.example/directory"));
}

#[test]
fn errors_name_the_variable() {
    for (pairs, want) in [
        (
            &[("ALTOFED_SERVER__LISTN", "0.0.0.0:80")][..],
            "environment variable ALTOFED_SERVER__LISTN: server.listn: unknown field `listn`",
        ),
        (
            &[("ALTOFED_PEER__AS3257__URL", "http://x/")],
            "environment variable ALTOFED_PEER__AS3257__URL: no `peer` named `as3257`",
        ),
        (
            &[("ALTOFED_PEER__2__URL", "http://x/")],
            "environment variable ALTOFED_PEER__2__URL: `peer` has 2 entries, no index 2",
        ),
        (
            &[("ALTOFED_PEER", "x")],
            "environment variable ALTOFED_PEER: `peer` needs an index or a name",
        ),
        (
            &[("ALTOFED_SERVER___LISTEN", "x")],
            "environment variable ALTOFED_SERVER___LISTEN: ",
        ),
        (
            &[("ALTOFED_SERVER__LISTEN", "not-an-address")],
            "environment variable ALTOFED_SERVER__LISTEN: server.listen: invalid socket address syntax",
        ),
    ] {
        let err = error_with(pairs);
        assert!(err.starts_with(want), "{err}\n  does not start with\n{want}");
    }
}

#[test]
fn overridden_values_are_checked_like_the_file() {
    assert_eq!(
        error_with(&[("ALTOFED_PEER__ISP_A__LINK__LON__COST", "-1")]),
        "peer[0].link[0].cost: must be a finite number ≥ 0, got -1"
    );
}

#[test]
fn file_errors_keep_their_line_numbers() {
    let err = Config::from_toml_with_env(
        &TEXT.replace("[cdn]", "[cdn]\nformat = 1"),
        &vars(&[("ALTOFED_SERVER__LISTEN", "0.0.0.0:80")]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("TOML parse error at line 3"), "{err}");
}

#[test]
fn server_limits_can_be_set_from_the_environment() {
    let config = with(&[
        ("ALTOFED_SERVER__LIMITS__MAX_CONNECTIONS", "20000"),
        ("ALTOFED_SERVER__LIMITS__SHUTDOWN_GRACE", "3s"),
    ]);
    assert_eq!(config.server.limits.max_connections, Some(20_000));
    assert_eq!(
        config.server.limits.shutdown_grace,
        Some(Duration::from_secs(3))
    );
    assert_eq!(
        error_with(&[("ALTOFED_SERVER__LIMITS__MAX_CONNECTIONS", "0")]),
        "server.limits.max-connections: must be at least 1"
    );
}

#[test]
fn server_cache_from_the_environment() {
    let config = with(&[
        ("ALTOFED_SERVER__CACHE__MAX_AGE", "1m"),
        ("ALTOFED_SERVER__CACHE__RESOURCES__AGG_PROPMAP", "0s"),
    ]);
    let cache = &config.server.cache;
    assert_eq!(cache.max_age_of("agg-netmap"), Duration::from_secs(60));
    assert_eq!(cache.max_age_of("agg-propmap"), Duration::ZERO);
    assert_eq!(
        error_with(&[("ALTOFED_SERVER__CACHE__RESOURCES__AGG_PROPMAPX", "5s")]),
        "server.cache.resources.agg-propmapx: no GET resource of this id is served; \
         the ids are directory, agg-netmap, agg-routingcost-num, agg-routingcost-ord, \
         agg-propmap"
    );
}
