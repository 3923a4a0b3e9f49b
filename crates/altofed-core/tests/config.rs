//! The aggregator configuration: defaults, unknown keys rejected, and every
//! semantic check with the key it names.

#![allow(clippy::unwrap_used)]

use altofed_core::compose::{Direction, Mode};
use altofed_core::config::{BorderMethod, Config, FollowRedirects};

const MINIMAL: &str = r#"
[cdn]
topology = "cdn.toml"

[[peer]]
name = "isp-a"
dir = "isp-a"

[[peer.link]]
router = "r6"
address = "192.0.2.4"
"#;

fn error_of(text: &str) -> String {
    Config::from_toml(text).unwrap_err().to_string()
}

#[test]
fn defaults() {
    let config = Config::from_toml(MINIMAL).unwrap();
    assert_eq!(config.output.mode, Mode::Multipath);
    assert_eq!(config.network_map_id(), "agg-netmap");
    assert_eq!(config.output.catch_all_pid, "default");
    let peer = &config.peers[0];
    assert_eq!(
        (peer.border_by, peer.border_property.as_str()),
        (BorderMethod::Address, ".priv:border-for")
    );
    assert_eq!((peer.scale, peer.offset, peer.priority), (1.0, 0.0, 0));
    assert_eq!(
        (
            peer.links[0].name(),
            peer.links[0].cost,
            peer.links[0].preference
        ),
        ("r6", 0.0, 0)
    );
}

#[test]
fn unknown_keys_are_rejected_at_every_level() {
    for (text, key) in [
        (format!("verbose = true\n{MINIMAL}"), "verbose"),
        (MINIMAL.replace("[cdn]", "[cdn]\nformat = \"x\""), "format"),
        (
            MINIMAL.replace("dir = \"isp-a\"", "dir = \"isp-a\"\nuri = \"x\""),
            "uri",
        ),
        (
            MINIMAL.replace(
                "dir = \"isp-a\"",
                "dir = \"isp-a\"\n[peer.http]\npoll = \"1s\"",
            ),
            "poll",
        ),
        (format!("{MINIMAL}colour = 1\n"), "colour"),
    ] {
        let err = error_of(&text);
        assert!(err.contains(&format!("unknown field `{key}`")), "{err}");
        assert!(err.contains("TOML parse error at line"), "{err}");
    }
}

#[test]
fn semantic_errors_name_their_key() {
    let cases = [
        (MINIMAL.replace("name = \"isp-a\"", "name = \"isp:a\""), "peer[0].name: peer name `isp:a` contains `:`, which separates peer and PID in published names"),
        (MINIMAL.replace("name = \"isp-a\"", "name = \"isp.a\""), "peer[0].name: name `isp.a` contains `.`, which is reserved (RFC 7285 §10.1)"),
        (MINIMAL.replace("address = \"192.0.2.4\"", "address = \"192.0.2.4\"\ncost = -1"), "peer[0].link[0].cost: must be a finite number ≥ 0, got -1"),
        (MINIMAL.replace("address = \"192.0.2.4\"", ""), "peer[0].link[0].address: missing: border-by = \"address\" or \"both\" needs the address of the ISP router on every link"),
        (MINIMAL.replace("dir = \"isp-a\"", "dir = \"isp-a\"\nscale = 0"), "peer[0].scale: must be a finite number > 0, got 0"),
        (format!("{MINIMAL}\n[output]\ndefault-cost = -3\n"), "output.default-cost: must be a finite number ≥ 0, got -3"),
        (format!("{MINIMAL}\n[output]\ncatch-all-costs-from = \"isp-z\"\n"), "output.catch-all-costs-from: no peer is called `isp-z`"),
        (format!("{MINIMAL}\n[output]\nresource-prefix = \"a.b\"\n"), "output.resource-prefix: name `a.b-netmap` contains `.`, which is reserved (RFC 7285 §10.1)"),
        (format!("{MINIMAL}\n[[pin]]\ncdn-pid = \"p\"\npeer = \"isp-a\"\nlink = \"r6\"\n"), "pin[0]: an egress pin only applies with output.mode = \"single-path\""),
        (format!("{MINIMAL}\n[output]\nmode = \"single-path\"\n[[pin]]\ncdn-pid = \"p\"\npeer = \"isp-a\"\nlink = \"r9\"\n"), "pin[0].link: peer `isp-a` has no link called `r9`"),
        (format!("{MINIMAL}\n[[peer]]\nname = \"isp-a\"\ndir = \"b\"\n[[peer.link]]\nrouter = \"r7\"\naddress = \"192.0.2.5\"\n"), "peer[1].name: peer `isp-a` is defined twice"),
        (format!("{MINIMAL}\n[[peer.link]]\nrouter = \"r6\"\naddress = \"192.0.2.5\"\n"), "peer[0].link[1].name: link `r6` is defined twice for peer `isp-a`"),
        (MINIMAL.replace("\n[[peer.link]]\nrouter = \"r6\"\naddress = \"192.0.2.4\"\n", ""), "peer[0].link: peer `isp-a` has no peering link"),
        (MINIMAL.replace("dir = \"isp-a\"", "dir = \"isp-a\"\nurl = \"http://x/directory\""), "peer[0]: peer `isp-a` needs exactly one of `dir`, `url` or `discover = true`"),
        (MINIMAL.replace("dir = \"isp-a\"", "url = \"ftp://x\""), "peer[0].url: `ftp://x` is not an http:// or https:// URL"),
        (MINIMAL.replace("dir = \"isp-a\"", "discover = true").replace("address = \"192.0.2.4\"", "address = \"192.0.2.4\"\n[[peer.link]]\nrouter = \"r7\"\naddress = \"192.0.2.5\""), "OK"),
        (MINIMAL.replace("dir = \"isp-a\"", "url = \"http://x/directory\"\n[peer.http]\ntimeout = \"0s\""), "peer[0].http.timeout: must be longer than 0s"),
        (MINIMAL.replace("dir = \"isp-a\"", "url = \"http://x/directory\"\n[peer.http]\nbasic-user = \"u\""), "peer[0].http: basic-user and basic-password go together"),
        (MINIMAL.replace("dir = \"isp-a\"", "url = \"http://x/directory\"\nmax-age = \"0s\""), "peer[0].max-age: must be longer than 0s"),
    ];
    for (text, want) in cases {
        if want == "OK" {
            assert!(Config::from_toml(&text).is_ok(), "{text}");
        } else {
            assert_eq!(error_of(&text), want);
        }
    }
}

#[test]
fn server_limits_are_read_checked_and_unknown_ones_rejected() {
    let text = format!(
        "{MINIMAL}\n[server.limits]\nmax-pairs-per-request = 5000\nheader-read-timeout = \"2s\"\n"
    );
    let limits = Config::from_toml(&text).unwrap().server.limits;
    assert_eq!(limits.max_pairs_per_request, Some(5000));
    assert_eq!(
        limits.header_read_timeout,
        Some(std::time::Duration::from_secs(2))
    );
    assert_eq!(limits.max_connections, None);
    let err = error_of(&format!("{MINIMAL}\n[server.limits]\nmax-pairs = 1\n"));
    assert!(err.contains("unknown field `max-pairs`"), "{err}");
    assert!(err.contains("TOML parse error at line"), "{err}");
    for (key, value, want) in [
        (
            "max-connections",
            "0",
            "server.limits.max-connections: must be at least 1",
        ),
        (
            "max-pairs-per-request",
            "0",
            "server.limits.max-pairs-per-request: must be at least 1",
        ),
        (
            "idle-timeout",
            "\"0s\"",
            "server.limits.idle-timeout: must be longer than 0s",
        ),
    ] {
        let text = format!("{MINIMAL}\n[server.limits]\n{key} = {value}\n");
        assert_eq!(error_of(&text), want);
    }
}

#[test]
fn follow_redirects_is_read_and_unknown_values_are_refused() {
    let with = |value: &str| {
        MINIMAL.replace(
            "dir = \"isp-a\"",
            &format!("url = \"http://x/directory\"\n[peer.http]\nfollow-redirects = {value}"),
        )
    };
    let follow = |text: &str| {
        Config::from_toml(text).unwrap().peers[0]
            .http
            .follow_redirects
    };
    assert_eq!(follow(MINIMAL), FollowRedirects::SameHost, "the default");
    for (value, want) in [
        ("\"none\"", FollowRedirects::None),
        ("\"same-host\"", FollowRedirects::SameHost),
        ("\"any\"", FollowRedirects::Any),
    ] {
        assert_eq!(follow(&with(value)), want, "{value}");
        assert_eq!(format!("\"{want}\""), value);
    }
    for value in ["\"sometimes\"", "\"same_host\"", "true"] {
        let err = error_of(&with(value));
        assert!(err.contains("TOML parse error at line 9"), "{err}");
        assert!(err.contains("follow-redirects"), "{err}");
    }
    let err = error_of(&with("\"sometimes\""));
    assert!(
        err.contains("unknown variant `sometimes`, expected one of `none`, `same-host`, `any`"),
        "{err}"
    );
}

#[test]
fn output_direction_is_read_and_unknown_values_are_refused() {
    let with = |value: &str| format!("{MINIMAL}\n[output]\ndirection = {value}\n");
    let direction = |text: &str| Config::from_toml(text).unwrap().output.direction;
    assert_eq!(
        direction(MINIMAL),
        Direction::CdnToSubscriber,
        "the default"
    );
    for want in [
        Direction::CdnToSubscriber,
        Direction::SubscriberToCdn,
        Direction::Both,
    ] {
        assert_eq!(direction(&with(&format!("\"{}\"", want.as_str()))), want);
    }
    assert_eq!(
        error_of(&with("\"reverse\"")),
        "TOML parse error at line 14, column 13\n   |\n14 | direction = \"reverse\"\n   |             ^^^^^^^^^\noutput.direction: unknown value `reverse`, expected one of `cdn-to-subscriber`, `subscriber-to-cdn`, `both`"
    );
}

#[test]
fn server_cache_is_read_checked_and_unknown_keys_rejected() {
    let config = Config::from_toml(MINIMAL).unwrap();
    assert_eq!(config.server.cache.max_age, std::time::Duration::ZERO);
    assert!(config.server.cache.resources.is_empty());

    let text = format!(
        "{MINIMAL}\n[server.cache]\nmax-age = \"1m\"\n\
         [server.cache.resources]\nagg-propmap = \"0s\"\ndirectory = \"1h\"\n"
    );
    let cache = Config::from_toml(&text).unwrap().server.cache;
    let secs = std::time::Duration::from_secs;
    assert_eq!(cache.max_age, secs(60));
    assert_eq!(cache.max_age_of("agg-netmap"), secs(60));
    assert_eq!(cache.max_age_of("agg-propmap"), secs(0));
    assert_eq!(cache.max_age_of("directory"), secs(3600));

    let err = error_of(&format!("{MINIMAL}\n[server.cache]\nmax-ages = \"1m\"\n"));
    assert_eq!(
        err,
        "TOML parse error at line 14, column 1\n   |\n14 | max-ages = \"1m\"\n   | ^^^^^^^^\n\
         unknown field `max-ages`, expected `max-age` or `resources`"
    );
    for (section, want) in [
        (
            "[server.cache]\nmax-age = \"1500ms\"\n",
            "server.cache.max-age: 1.5s is not a whole number of seconds \
             (Cache-Control max-age counts seconds)",
        ),
        (
            "[server.cache.resources]\nagg-costmap = \"1m\"\n",
            "server.cache.resources.agg-costmap: no GET resource of this id is served; \
             the ids are directory, agg-netmap, agg-routingcost-num, agg-routingcost-ord, \
             agg-propmap",
        ),
    ] {
        assert_eq!(error_of(&format!("{MINIMAL}\n{section}")), want);
    }
    // Without the ordinal map, its id is not served.
    let text = format!(
        "{MINIMAL}\n[output]\nordinal-cost-map = false\n\
         [server.cache.resources]\nagg-routingcost-ord = \"1m\"\n"
    );
    assert!(error_of(&text).starts_with("server.cache.resources.agg-routingcost-ord: no GET"));
}
