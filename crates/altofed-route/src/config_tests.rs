//! `route.toml` as operators write it, and the mistakes they make.

#![allow(clippy::unwrap_used)]

use super::*;

const GOOD: &str = r#"
[alto]
url = "http://127.0.0.1:8080/directory"
http.poll-interval = "1s"

[[node]]
name = "n8"
addresses = ["203.0.113.1", "2001:db8:8::1"]
hostname = "n8.cdn.example"

[[node]]
name = "n10"
addresses = ["203.0.113.129"]
weight = 2

[routing]
fallback = ["n8"]

[http]
listen = "127.0.0.1:0"
"#;

fn error(text: &str) -> String {
    RouteConfig::from_toml(text).unwrap_err().to_string()
}

#[test]
fn a_good_file_reads_with_defaults() {
    let c = RouteConfig::from_toml(GOOD).unwrap();
    assert_eq!(c.nodes.len(), 2);
    assert_eq!(c.nodes[0].weight, 1);
    assert_eq!(c.nodes[1].weight, 2);
    assert_eq!(c.routing.answers, 1);
    assert_eq!(c.routing.max_load, 0.9);
    assert_eq!(c.alto.http.poll_interval, Duration::from_secs(1));
    assert_eq!(c.alto.max_age, Duration::from_secs(3600));
    assert_eq!(c.http.unwrap().scheme, "http");
    assert!(c.dns.is_none());
}

#[test]
fn unknown_keys_are_refused_by_name() {
    let e = error(&GOOD.replace("weight = 2", "wieght = 2"));
    assert!(e.contains("unknown field `wieght`"), "{e}");
    let e = error(&GOOD.replace("fallback = [\"n8\"]", "fallbak = []"));
    assert!(e.contains("unknown field `fallbak`"), "{e}");
    let e = error(&GOOD.replace("http.poll-interval", "http.poll-intervall"));
    assert!(e.contains("unknown field `poll-intervall`"), "{e}");
}

#[test]
fn what_a_careless_operator_writes_is_explained() {
    let no_nodes =
        GOOD.split("[[node]]").next().unwrap().to_owned() + "[http]\nlisten = \"127.0.0.1:0\"\n";
    assert_eq!(
        error(&no_nodes),
        "no [[node]]: the router needs at least one node to answer with"
    );
    assert_eq!(
        error(&GOOD.replace("[\"203.0.113.129\"]", "[]")),
        "node `n10` has no address"
    );
    assert_eq!(
        error(&GOOD.replace("fallback = [\"n8\"]", "fallback = [\"n8\", \"n9\"]")),
        "routing.fallback names `n9`, which is no [[node]]"
    );
    assert_eq!(
        error(&GOOD.replace("name = \"n10\"", "name = \"n8\"")),
        "node `n8` is listed twice"
    );
    assert_eq!(
        error(&GOOD.replace("[routing]", "[routing]\nmax-load = 1.5")),
        "routing.max-load must be in (0, 1], not 1.5"
    );
    assert_eq!(
        error(&GOOD.replace("[http]\nlisten = \"127.0.0.1:0\"", "")),
        "neither [dns] nor [http]: the router would serve nothing"
    );
    assert_eq!(
        error(&GOOD.replace(
            "http://127.0.0.1:8080/directory",
            "127.0.0.1:8080/directory"
        )),
        "alto.url `127.0.0.1:8080/directory`: relative URL without a base"
    );
    assert_eq!(
        error(&GOOD.replace("http://127.0.0.1:8080/directory", "ftp://alto/directory")),
        "alto.url `ftp://alto/directory`: not an http:// or https:// URL"
    );
    let e = error(&GOOD.replace("\"203.0.113.1\"", "\"203.0.113.300\""));
    assert!(e.contains("invalid IP address syntax"), "{e}");
}

#[test]
fn dns_names_must_be_in_the_zone() {
    let dns =
        "[dns]\nlisten = \"127.0.0.1:0\"\nzone = \"cdn.example.\"\nns = [\"ns1.cdn.example.\"]\n";
    let ok = format!("{GOOD}{dns}names = [\"www\", \"@\", \"img.cdn.example.\"]\n");
    assert!(RouteConfig::from_toml(&ok).is_ok());
    assert_eq!(
        error(&format!("{GOOD}{dns}names = [\"www.other.example.\"]\n")),
        "dns.names: `www.other.example.` is not inside dns.zone"
    );
    let no_ns = dns.replace("ns = [\"ns1.cdn.example.\"]\n", "ns = []\n");
    assert_eq!(
        error(&format!("{GOOD}{no_ns}names = [\"www\"]\n")),
        "dns.ns needs at least one name server"
    );
}

#[test]
fn the_figure5_example_is_valid() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../topologies/figure5/route.toml");
    let c = RouteConfig::from_toml(&std::fs::read_to_string(path).unwrap()).unwrap();
    let names: Vec<&str> = c.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["n8", "n9", "n10"]);
    assert!(c.dns.is_some() && c.http.is_some());
}
