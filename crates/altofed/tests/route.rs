//! `altofed route` end to end, all real processes and sockets: an ISP
//! (`altofed publish` of Figure 5's isp-a), the aggregator (`altofed
//! serve`, pulling the ISP over HTTP) and the router (`altofed route`,
//! an ALTO client of the aggregator), queried over DNS (hickory's client,
//! UDP and TCP, with and without EDNS Client Subnet) and HTTP (reqwest,
//! redirects not followed). Then a node is drained through the
//! aggregator's admin API and the ISP's cost map is edited: the answers
//! follow, nothing restarted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod aggregator;

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::process::Command;

use aggregator::{copy_figure5, figure5, http_source, publish, serve, until, BIN};
use altofed_tests::dns_client::{ask, tcp_client, udp_client, Dns};
use altofed_tests::process::{spawn_logged, Running};
use hickory_server::proto::op::ResponseCode;
use hickory_server::proto::rr::RecordType;
use serde_json::{json, Value};

// The node of each Figure 5 CDN PID (cdn.toml's prefixes).
const N8: &str = "203.0.113.1";
const N9: &str = "203.0.113.65";
const N10: &str = "203.0.113.129";

// An address in each subscriber PID of isp-a.
const PID1: &str = "198.51.100.1";
const PID2: &str = "198.51.100.200";
const PID3: &str = "192.0.2.130";

/// The router's configuration; `polling` turns the update stream off.
fn route_toml(ird: &str, polling: bool) -> String {
    format!(
        r#"
[alto]
url = "{ird}"
http.update-stream = {stream}
http.poll-interval = "200ms"
http.retry-min = "100ms"
http.retry-max = "200ms"

[[node]]
name = "n8"
addresses = ["{N8}", "2001:db8:8::1"]

[[node]]
name = "n9"
addresses = ["{N9}"]

[[node]]
name = "n10"
addresses = ["{N10}", "2001:db8:10::1"]

[routing]
fallback = ["n9", "n8"]

[dns]
listen = "127.0.0.1:0"
zone = "cdn.example."
names = ["www"]
ttl = 20
ns = ["ns1.cdn.example."]

[http]
listen = "127.0.0.1:0"
trusted-proxies = ["127.0.0.0/8"]

[ops]
listen = "127.0.0.1:0"
"#,
        stream = !polling
    )
}

/// The router's listeners, as it announced them.
struct Router {
    running: Running,
    dns: SocketAddr,
    http: String,
    ops: String,
}

/// `altofed route -v --config config`, once it has said where it listens.
fn start_router(config: &Path, log: &Path) -> Router {
    let args = ["route", "-v", "--config", config.to_str().unwrap()];
    let (running, stdout) = spawn_logged(BIN, &args, log);
    let (mut dns, mut http, mut ops) = (None, None, None);
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(a) = line.strip_prefix("routing DNS at ") {
            dns = Some(a.parse().unwrap());
        } else if let Some(a) = line.strip_prefix("routing HTTP at ") {
            http = Some(a.to_owned());
        } else if let Some(a) = line.strip_prefix("routing ops at ") {
            ops = Some(a.to_owned());
        }
        if dns.is_some() && http.is_some() && ops.is_some() {
            break;
        }
    }
    let (Some(dns), Some(http), Some(ops)) = (dns, http, ops) else {
        panic!(
            "the router never told all its addresses:\n{}",
            running.log_text()
        );
    };
    Router {
        running,
        dns,
        http,
        ops,
    }
}

const WWW: &str = "www.cdn.example.";

/// The A record answered for a client in `subnet` (ECS), and its scope.
async fn a_for(client: &Dns, subnet: &str) -> (Vec<IpAddr>, Option<u8>) {
    let answer = ask(client, WWW, RecordType::A, Some(subnet)).await.unwrap();
    assert_eq!(answer.code, ResponseCode::NoError, "{answer:?}");
    (answer.addresses, answer.scope)
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The HTTP front's answer for a client at `client` (X-Forwarded-For from
/// a trusted proxy): status, Location, Cache-Control.
async fn redirect(http: &reqwest::Client, front: &str, client: &str) -> (u16, String, String) {
    let response = http
        .get(format!("{front}/videos/7.mp4?start=30"))
        .header("x-forwarded-for", format!("192.0.2.99, {client}"))
        .send()
        .await
        .unwrap();
    let header = |name: &str| {
        let value = response.headers().get(name);
        value
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    (
        response.status().as_u16(),
        header("location"),
        header("cache-control"),
    )
}

fn location(node: &str) -> String {
    format!("http://{node}/videos/7.mp4?start=30")
}

async fn status(url: &str) -> Option<u16> {
    Some(reqwest::get(url).await.ok()?.status().as_u16())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_follow_maps_node_status_and_isp_costs_over_an_update_stream() {
    scenario(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_follow_maps_node_status_and_isp_costs_by_polling() {
    scenario(true).await;
}

async fn scenario(polling: bool) {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    copy_figure5(dir);
    let (_isp, isp_url) = publish(&dir.join("isp-a"), "127.0.0.1:0", &dir.join("isp.log"));
    let config = figure5(dir, &http_source(&isp_url), "", "");
    let (aggregator, base) = serve(&config, &dir.join("aggregator.log"));
    let netmap = format!("{base}/maps/agg-netmap");
    altofed_tests::process::wait_for_text(&netmap, "isp-a:pid3").await;

    let route_config = dir.join("route.toml");
    std::fs::write(
        &route_config,
        route_toml(&format!("{base}/directory"), polling),
    )
    .unwrap();
    let router = start_router(&route_config, &dir.join("route.log"));
    let http = http_client();
    let front = router.http.clone();
    until("the router is ready", &router.running, async || {
        status(&format!("{}/readyz", router.ops)).await == Some(200)
    })
    .await;
    until(
        "the router ranks isp-a's PIDs",
        &router.running,
        async || redirect(&http, &front, PID1).await.1 == location(N8),
    )
    .await;

    // HTTP: the cheapest CDN PID's node; pid3's tie (pid8 and pid10 at 6,
    // equal weight) goes to the lower name, "n10" < "n8".
    for (client, node) in [(PID1, N8), (PID2, N10), (PID3, N10)] {
        let got = redirect(&http, &front, client).await;
        assert_eq!(
            got,
            (302, location(node), "no-store".to_owned()),
            "{client}"
        );
    }
    // No X-Forwarded-For: the socket's address (loopback, in the
    // catch-all) decides, and gets the fallback's first node.
    let own = http.head(format!("{front}/x")).send().await.unwrap();
    assert_eq!(own.status(), 302);
    assert_eq!(own.headers()["location"], format!("http://{N9}/x"));
    let post = http.post(format!("{front}/x")).send().await.unwrap();
    assert_eq!(post.status(), 405);

    // DNS over UDP: ECS decides, not the source address (127.0.0.1, in
    // the catch-all: the fallback n9), and the scope is the PID's /25.
    let udp = udp_client(router.dns);
    for (client, node) in [(PID1, N8), (PID2, N10), (PID3, N10)] {
        let subnet = format!("{client}/32");
        assert_eq!(
            a_for(&udp, &subnet).await,
            (vec![ip(node)], Some(25)),
            "{client}"
        );
    }
    let plain = ask(&udp, WWW, RecordType::A, None).await.unwrap();
    assert_eq!(
        (plain.code, plain.addresses),
        (ResponseCode::NoError, vec![ip(N9)])
    );
    assert!(plain.authoritative);
    let v6 = ask(&udp, WWW, RecordType::AAAA, Some("2001:db8:1::/56"))
        .await
        .unwrap();
    assert_eq!(
        (v6.addresses, v6.scope),
        (vec![ip("2001:db8:8::1")], Some(48))
    );
    // Outside the zone: REFUSED; unknown inside: NXDOMAIN; a type the
    // name has none of: NODATA (SOA in the authority section).
    let refused = ask(&udp, "www.example.org.", RecordType::A, None)
        .await
        .unwrap();
    assert_eq!(refused.code, ResponseCode::Refused);
    let nx = ask(&udp, "nope.cdn.example.", RecordType::A, None)
        .await
        .unwrap();
    assert_eq!(
        (nx.code, nx.authority_types),
        (ResponseCode::NXDomain, vec![RecordType::SOA])
    );
    let nodata = ask(&udp, WWW, RecordType::TXT, None).await.unwrap();
    assert_eq!(
        (nodata.code, nodata.answer_types, nodata.authority_types),
        (ResponseCode::NoError, vec![], vec![RecordType::SOA])
    );
    let soa = ask(&udp, "cdn.example.", RecordType::SOA, None)
        .await
        .unwrap();
    assert_eq!(soa.answer_types, [RecordType::SOA]);
    let ns = ask(&udp, "cdn.example.", RecordType::NS, None)
        .await
        .unwrap();
    assert_eq!(ns.answer_types, [RecordType::NS]);

    // DNS over TCP.
    let tcp = tcp_client(router.dns).await;
    assert_eq!(
        a_for(&tcp, "198.51.100.128/25").await,
        (vec![ip(N10)], Some(25))
    );

    // Drain pid8's node at the aggregator: pid1 moves to the next best,
    // pid9's node (cost 5).
    let admin = format!("{base}/admin/nodes/{N8}");
    let drained = json!({"health": "up", "load": 0.0, "drained": true});
    let put = http.put(&admin).json(&drained).send().await.unwrap();
    assert_eq!(put.status(), 200, "{}", aggregator.log_text());
    until(
        "the drained node leaves pid1's answers",
        &router.running,
        async || a_for(&udp, "198.51.100.1/32").await.0 == vec![ip(N9)],
    )
    .await;
    assert_eq!(redirect(&http, &front, PID1).await.1, location(N9));
    // A status change re-filters the rankings, ranks nothing again.
    let log = router.running.log_text();
    assert!(log.contains("reused=Everything"), "{log}");

    // The ISP makes its border pid4 -> pid1 expensive (1 -> 20): for
    // pid1, pid10 (exit r7: 1 + 2 + 5 = 8) is now cheaper than pid9
    // (min(3 + 1 + 20, 8 + 2 + 5) = 15).
    let costmap = dir.join("isp-a/costmap.json");
    let mut map: Value = serde_json::from_str(&std::fs::read_to_string(&costmap).unwrap()).unwrap();
    map["cost-map"]["pid4"]["pid1"] = json!(20);
    map["cost-map"]["pid1"]["pid4"] = json!(20);
    map["meta"]["vtag"]["tag"] = json!("figure5-costmap-v2");
    std::fs::write(&costmap, serde_json::to_string(&map).unwrap()).unwrap();
    until(
        "the edited costs re-rank pid1",
        &router.running,
        async || a_for(&udp, "198.51.100.1/32").await.0 == vec![ip(N10)],
    )
    .await;
    assert_eq!(redirect(&http, &front, PID1).await.1, location(N10));
    // Same network map, new costs: the lookup is kept, PIDs whose costs
    // changed are ranked again.
    let log = router.running.log_text();
    assert!(log.contains("reused=Rankings"), "{log}");

    // What was answered shows on /metrics.
    let metrics = reqwest::get(format!("{}/metrics", router.ops))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let sample = |name: &str, labels: &[(&str, &str)]| {
        altofed_tests::prometheus::sample(&metrics, name, labels).unwrap_or(0.0)
    };
    assert!(
        sample(
            "altofed_route_answers_total",
            &[("front", "dns"), ("node", "n8")]
        ) >= 2.0
    );
    assert!(sample("altofed_route_fallbacks_total", &[("front", "http")]) >= 1.0);
    assert!(sample("altofed_route_table_builds_total", &[("result", "ok")]) >= 3.0);
    assert!(sample("altofed_route_table_build_seconds", &[]) > 0.0);
    let alto = [("peer", "alto")];
    let streamed = sample("altofed_route_peer_update_stream_connected", &alto);
    assert_eq!(streamed, if polling { 0.0 } else { 1.0 });
    assert!(
        sample(
            "altofed_route_peer_fetches_total",
            &[("peer", "alto"), ("result", "ok")]
        ) >= 1.0
    );
}

#[test]
fn check_validates_the_file_and_names_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("route.toml");
    std::fs::write(&good, route_toml("http://127.0.0.1:1/directory", false)).unwrap();
    let out = Command::new(BIN)
        .args(["route", "--check", "--config", good.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        said.trim(),
        format!(
            "{}: ok (3 nodes; DNS and HTTP front; ALTO server http://127.0.0.1:1/directory)",
            good.display()
        )
    );

    // ALTOFED_ROUTE__* overrides apply, the aggregator's ALTOFED_* do not.
    let out = Command::new(BIN)
        .args(["route", "--check", "--config", good.to_str().unwrap()])
        .env("ALTOFED_ROUTE__ALTO__URL", "http://alto.example/directory")
        .env("ALTOFED_SERVER__LISTEN", "127.0.0.1:1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(
        said.ends_with("ALTO server http://alto.example/directory)\n"),
        "{said}"
    );
    let out = Command::new(BIN)
        .args(["route", "--check", "--config", good.to_str().unwrap()])
        .env("ALTOFED_ROUTE__NODE__N9__WIEGHT", "2")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stderr).unwrap().trim(),
        format!(
            "error: {}: environment variable ALTOFED_ROUTE__NODE__N9__WIEGHT: node[1].wieght: \
             unknown field `wieght`, expected one of `name`, `addresses`, `hostname`, `weight` for key `node[1]`",
            good.display()
        )
    );

    // The ALTO client is built too: a CA file that is not there is named.
    let no_ca = dir.path().join("no-ca.toml");
    let text = route_toml("https://127.0.0.1:1/directory", false)
        .replace("[alto]\n", "[alto]\nhttp.ca-file = \"missing.pem\"\n");
    std::fs::write(&no_ca, text).unwrap();
    let out = Command::new(BIN)
        .args(["route", "--check", "--config", no_ca.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    let want = format!(
        "error: {}: peer `alto`: ca-file {}: cannot read: ",
        no_ca.display(),
        dir.path().join("missing.pem").display()
    );
    assert!(stderr.starts_with(&want), "{stderr}");

    let bad = dir.path().join("bad.toml");
    let text = route_toml("http://127.0.0.1:1/directory", false)
        .replace("fallback = [\"n9\", \"n8\"]", "fallback = [\"n7\"]");
    std::fs::write(&bad, text).unwrap();
    let out = Command::new(BIN)
        .args(["route", "--check", "--config", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap().trim(),
        format!(
            "error: {}: routing.fallback names `n7`, which is no [[node]]",
            bad.display()
        )
    );
}
