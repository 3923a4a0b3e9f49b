//! The fronts in-process on real loopback sockets, over a table built
//! from the aggregator's Figure 5 maps (topologies/figure5/expected/):
//! what the process test does not reach (content-aware mode, several
//! answers, NODATA for a missing family, no table yet, ECS source 0).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use altofed_core::peer::PeerMaps;
use altofed_model::{CostMapDoc, CostTableDoc, NetworkMapDoc, PropertyMapDoc};
use altofed_route::config::{DnsSection, HttpSection, NodeConfig, RoutingSection};
use altofed_route::dns_front::{self, DnsFront};
use altofed_route::dns_zone::Zone;
use altofed_route::http_front::{self, HttpFront};
use altofed_route::metrics::Metrics;
use altofed_route::{Node, RoutingTable};
use altofed_tests::dns_client::{self, udp_client, Answer, Dns};
use arc_swap::ArcSwapOption;
use hickory_server::proto::op::ResponseCode;
use hickory_server::proto::rr::RecordType;

fn expected(file: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../topologies/figure5/expected/multipath");
    std::fs::read_to_string(dir.join(file)).unwrap()
}

fn figure5() -> PeerMaps {
    let netmap: NetworkMapDoc = serde_json::from_str(&expected("networkmap.json")).unwrap();
    let costs: CostMapDoc = serde_json::from_str(&expected("costmap.json")).unwrap();
    let props: PropertyMapDoc = serde_json::from_str(&expected("propmap.json")).unwrap();
    PeerMaps {
        network_map: netmap,
        cost_map: CostTableDoc::from(&costs),
        property_map: Some(props),
    }
}

/// n8 (pid8), n9 (pid9, IPv4 only), n10 (pid10); `v6` gives n8 and n10
/// their IPv6 addresses.
fn nodes(v6: bool) -> Arc<[Node]> {
    let node = |name: &str, v4: &str, six: &str| {
        let mut addresses = vec![v4.parse().unwrap()];
        if v6 && !six.is_empty() {
            addresses.push(six.parse().unwrap());
        }
        Node::from_config(&NodeConfig {
            name: name.into(),
            addresses,
            hostname: Some(format!("{name}.cdn.example")),
            weight: 1,
        })
    };
    vec![
        node("n8", "203.0.113.1", "2001:db8:8::1"),
        node("n9", "203.0.113.65", ""),
        node("n10", "203.0.113.129", "2001:db8:10::1"),
    ]
    .into()
}

fn routing(answers: usize) -> RoutingSection {
    RoutingSection {
        answers,
        fallback: vec!["n9".into(), "n8".into()],
        ..RoutingSection::default()
    }
}

fn table(nodes: &Arc<[Node]>, answers: usize) -> Arc<ArcSwapOption<RoutingTable>> {
    let built = RoutingTable::build(&figure5(), nodes.clone(), &routing(answers)).unwrap();
    Arc::new(ArcSwapOption::from_pointee(built))
}

/// The HTTP front on a free port, trusting loopback's X-Forwarded-For.
async fn http_front(table: Arc<ArcSwapOption<RoutingTable>>, margin: Option<f64>) -> String {
    let nodes = nodes(true);
    let config = HttpSection {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        scheme: "https".into(),
        port: Some(8443),
        trusted_proxies: vec!["127.0.0.0/8".parse().unwrap()],
        content_aware_margin: margin,
        proxy_protocol: false,
    };
    let front = HttpFront {
        table,
        config: Arc::new(config),
        metrics: Arc::new(Metrics::new(&nodes)),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = http_front::router(front).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    format!("http://{addr}")
}

async fn location(front: &str, client: &str, path: &str) -> (u16, String) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = http
        .get(format!("{front}{path}"))
        .header("x-forwarded-for", client)
        .send()
        .await
        .unwrap();
    let location = response.headers().get("location");
    let location = location.map(|l| l.to_str().unwrap().to_owned());
    (response.status().as_u16(), location.unwrap_or_default())
}

/// The node host of `location`.
fn host(location: &str) -> &str {
    let rest = location.strip_prefix("https://").unwrap();
    rest.split(':').next().unwrap()
}

#[tokio::test]
async fn content_aware_mode_keeps_a_path_on_one_node_among_those_within_the_margin() {
    let nodes = nodes(true);
    // pid3: n10 6, n8 6, n9 7. Margin 0: n10 and n8 share the paths.
    for (margin, want) in [(0.0, 2), (1.0, 3)] {
        let front = http_front(table(&nodes, 1), Some(margin)).await;
        let mut seen = std::collections::BTreeSet::new();
        for i in 0..60 {
            let path = format!("/obj/{i}?v=1");
            let (status, first) = location(&front, "192.0.2.130", &path).await;
            assert_eq!(status, 302);
            assert!(first.ends_with(&format!(":8443{path}")), "{first}");
            let again = location(&front, "192.0.2.130", &path).await.1;
            assert_eq!(first, again, "one path, one node");
            seen.insert(host(&first).to_owned());
        }
        assert_eq!(seen.len(), want, "margin {margin}: {seen:?}");
    }
    // pid1: n8 4, n9 5: outside a margin of 0.5, n8 has every path.
    let front = http_front(table(&nodes, 1), Some(0.5)).await;
    for i in 0..20 {
        let got = location(&front, "198.51.100.1", &format!("/o/{i}")).await.1;
        assert_eq!(host(&got), "n8.cdn.example");
    }
}

#[tokio::test]
async fn no_table_yet_is_503() {
    let front = http_front(Arc::new(ArcSwapOption::empty()), None).await;
    assert_eq!(
        location(&front, "198.51.100.1", "/").await,
        (503, String::new())
    );
}

/// The DNS front on a free port (UDP and TCP) and a UDP client of it.
async fn dns_front(
    table: Arc<ArcSwapOption<RoutingTable>>,
    nodes: &Arc<[Node]>,
    answers: usize,
) -> (hickory_server::Server<DnsFront>, Dns) {
    let section: DnsSection = toml::from_str(
        "listen = \"127.0.0.1:0\"\nzone = \"cdn.example.\"\nnames = [\"www\"]\nns = [\"ns1.cdn.example.\"]\n",
    )
    .unwrap();
    let front = DnsFront {
        zone: Zone::from_config(&section).unwrap(),
        table,
        answers,
        metrics: Arc::new(Metrics::new(nodes)),
    };
    let (udp, tcp) = dns_front::bind(section.listen).await.unwrap();
    let addr = udp.local_addr().unwrap();
    let mut server = hickory_server::Server::new(front);
    server.register_socket(udp);
    server.register_listener(tcp, Duration::from_secs(5), 64 * 1024);
    (server, udp_client(addr))
}

/// One query for `www.cdn.example.`.
async fn ask(client: &Dns, rtype: RecordType, subnet: Option<&str>) -> Answer {
    dns_client::ask(client, "www.cdn.example.", rtype, subnet)
        .await
        .unwrap()
}

fn ips(list: &[&str]) -> Vec<IpAddr> {
    list.iter().map(|a| a.parse().unwrap()).collect()
}

#[tokio::test]
async fn dns_answers_carry_the_best_nodes_of_the_family_asked() {
    let nodes = nodes(true);
    let (_server, client) = dns_front(table(&nodes, 2), &nodes, 2).await;
    // pid1: n8 4, n9 5, n10 8. Two A answers: n8, n9. For AAAA n9 has no
    // address, so n8 and n10.
    let a = ask(&client, RecordType::A, Some("198.51.100.1/32")).await;
    assert_eq!(a.addresses, ips(&["203.0.113.1", "203.0.113.65"]));
    assert_eq!(a.scope, Some(25));
    let aaaa = ask(&client, RecordType::AAAA, Some("2001:db8:1::1/64")).await;
    assert_eq!(aaaa.addresses, ips(&["2001:db8:8::1", "2001:db8:10::1"]));
    assert_eq!(aaaa.scope, Some(48));
    // ECS with source prefix 0: the client wants its address unused; the
    // source address (loopback: the catch-all, fallback n9, n8) decides.
    let zero = ask(&client, RecordType::A, Some("0.0.0.0/0")).await;
    assert_eq!(
        (zero.addresses, zero.scope),
        (ips(&["203.0.113.65", "203.0.113.1"]), Some(0))
    );
    // In the catch-all: the fallback, scoped to what was asked.
    let other = ask(&client, RecordType::A, Some("8.8.8.0/24")).await;
    assert_eq!(other.scope, Some(24));
}

#[tokio::test]
async fn no_node_of_the_family_is_nodata_and_no_table_is_servfail() {
    let v4_only = nodes(false);
    let (_server, client) = dns_front(table(&v4_only, 1), &v4_only, 1).await;
    let nodata = ask(&client, RecordType::AAAA, Some("198.51.100.1/32")).await;
    assert_eq!(nodata.code, ResponseCode::NoError);
    assert!(nodata.addresses.is_empty());
    assert_eq!(nodata.authority_types, [RecordType::SOA]);
    let (_server, client) = dns_front(Arc::new(ArcSwapOption::empty()), &v4_only, 1).await;
    let none = ask(&client, RecordType::A, None).await;
    assert_eq!(none.code, ResponseCode::ServFail);
}
