//! The four servers of the `route` bench, each on a thread of its own,
//! the queries and requests they are sent, and the checks that they
//! answer what they should before anything is timed.

use std::future::pending;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use altofed_benches::route_load::{on_one_thread, DnsLoad, HttpLoad};
use altofed_benches::route_scenario::RouteScenario;
use altofed_route::config::{DnsSection, HttpSection};
use altofed_route::dns_front::DnsFront;
use altofed_route::dns_zone::Zone;
use altofed_route::http_front::{self, HttpFront};
use altofed_route::metrics::Metrics;
use altofed_route::RoutingTable;
use altofed_server::conn::{serve_connections, ConnMetrics, ConnectionLimits};
use arc_swap::ArcSwapOption;
use axum::http::{header, HeaderValue, StatusCode};
use axum::Router;
use hickory_server::net::runtime::TokioRuntimeProvider;
use hickory_server::proto::op::{Edns, Message, Query};
use hickory_server::proto::rr::rdata::opt::{ClientSubnet, EdnsCode, EdnsOption};
use hickory_server::proto::rr::rdata::{A, SOA};
use hickory_server::proto::rr::{Name, RData, Record, RecordType};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneHandler, ZoneType};
use hickory_server::Server;

const WWW: &str = "www.cdn.example.";
/// The static servers' one answer.
const FIXED: Ipv4Addr = Ipv4Addr::new(198, 18, 0, 1);
const FIXED_LOCATION: &str = "http://198.18.0.1/obj/0";

/// Where the servers listen, and what they are sent.
#[derive(Debug)]
pub struct Servers {
    pub dns: SocketAddr,
    pub dns_static: SocketAddr,
    pub http: SocketAddr,
    pub http_static: SocketAddr,
    /// One A query per client address, with its /32 as ECS.
    pub dns_queries: Vec<Vec<u8>>,
    /// One GET per client address: `/obj/<i>`, `X-Forwarded-For` it.
    pub http_requests: Vec<Vec<u8>>,
    table: Arc<RoutingTable>,
    clients: Vec<Ipv4Addr>,
}

pub fn start(s: &RouteScenario) -> Servers {
    let table = Arc::new(RoutingTable::build(&s.maps, s.nodes.clone(), &s.routing).unwrap());
    let swap = Arc::new(ArcSwapOption::new(Some(table.clone())));
    let metrics = Arc::new(Metrics::new(&s.nodes));
    let dns_section: DnsSection = DnsSection {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        zone: "cdn.example.".into(),
        names: vec!["www".into()],
        ttl: 20,
        ns: vec!["ns1.cdn.example.".into()],
        hostmaster: "hostmaster.cdn.example.".into(),
        serial: 1,
        refresh: 3600,
        retry: 600,
        expire: 86400,
        negative_ttl: 60,
    };
    let front = DnsFront {
        zone: Zone::from_config(&dns_section).unwrap(),
        table: swap.clone(),
        answers: 1,
        metrics: metrics.clone(),
    };
    let dns = udp_server("route-dns", move |udp| {
        let mut server = Server::new(front);
        server.register_socket(udp);
        server
    });
    let dns_static = udp_server("static-dns", |udp| {
        let mut server = Server::new(static_catalog());
        server.register_socket(udp);
        server
    });
    let section = HttpSection {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        scheme: "http".into(),
        port: None,
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        content_aware_margin: None,
        proxy_protocol: false,
    };
    let front = HttpFront {
        table: swap,
        config: Arc::new(section),
        metrics,
    };
    let http = http_server("route-http", http_front::router(front));
    let http_static = http_server("static-http", fixed_302());
    let dns_queries = s.clients.iter().map(|&c| dns_query(c)).collect();
    let http_requests = (0..s.clients.len())
        .map(|i| {
            let head = format!(
                "GET /obj/{i} HTTP/1.1\r\nhost: www.cdn.example\r\nx-forwarded-for: {}\r\n\r\n",
                s.clients[i]
            );
            head.into_bytes()
        })
        .collect();
    Servers {
        dns,
        dns_static,
        http,
        http_static,
        dns_queries,
        http_requests,
        table,
        clients: s.clients.clone(),
    }
}

/// Binds UDP on 127.0.0.1:0 and serves what `server` makes of it on a
/// thread named `name`; the server lives as long as the process.
fn udp_server<H, F>(name: &str, server: F) -> SocketAddr
where
    H: hickory_server::server::RequestHandler,
    F: FnOnce(tokio::net::UdpSocket) -> Server<H> + Send + 'static,
{
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    udp.set_nonblocking(true).unwrap();
    let addr = udp.local_addr().unwrap();
    on_one_thread(name, move || async move {
        let udp = tokio::net::UdpSocket::from_std(udp).unwrap();
        let _server = server(udp);
        pending::<()>().await;
    });
    addr
}

fn http_server(name: &str, router: Router) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    on_one_thread(name, move || async move {
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        let limits = ConnectionLimits::default();
        let metrics = ConnMetrics::default();
        serve_connections(listener, None, router, limits, metrics, pending()).await;
    });
    addr
}

/// hickory's `Catalog` over an in-memory zone holding the SOA and one A
/// record for `www`.
fn static_catalog() -> Catalog {
    let origin = Name::from_ascii("cdn.example.").unwrap();
    let mut zone: InMemoryZoneHandler<TokioRuntimeProvider> =
        InMemoryZoneHandler::empty(origin.clone(), ZoneType::Primary, AxfrPolicy::Deny);
    let mname = Name::from_ascii("ns1.cdn.example.").unwrap();
    let rname = Name::from_ascii("hostmaster.cdn.example.").unwrap();
    let soa = SOA::new(mname, rname, 1, 3600, 600, 86400, 60);
    let soa = Record::from_rdata(origin.clone(), 60, RData::SOA(soa));
    assert!(zone.upsert_mut(soa, 1));
    let www = Record::from_rdata(Name::from_ascii(WWW).unwrap(), 20, RData::A(A(FIXED)));
    assert!(zone.upsert_mut(www, 1));
    let mut catalog = Catalog::new();
    catalog.upsert(origin.into(), vec![Arc::new(zone) as Arc<dyn ZoneHandler>]);
    catalog
}

/// Bare axum: a fixed `302` with the same headers as the front's.
fn fixed_302() -> Router {
    Router::new().fallback(|| async {
        (
            StatusCode::FOUND,
            [
                (header::LOCATION, HeaderValue::from_static(FIXED_LOCATION)),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
        )
    })
}

/// An A query for `www` as a resolver sends it for `client` (ECS /32).
fn dns_query(client: Ipv4Addr) -> Vec<u8> {
    let mut message = Message::query();
    message.metadata.recursion_desired = false;
    message.add_query(Query::query(Name::from_ascii(WWW).unwrap(), RecordType::A));
    let mut edns = Edns::new();
    edns.set_max_payload(1232);
    let subnet = ClientSubnet::new(IpAddr::V4(client), 32, 0);
    edns.options_mut().insert(EdnsOption::Subnet(subnet));
    message.edns = Some(edns);
    message.to_vec().unwrap()
}

fn a_records(answer: &[u8]) -> (Vec<Ipv4Addr>, Option<u8>) {
    let message = Message::from_vec(answer).unwrap();
    let addrs = message.answers.iter().filter_map(|r| match &r.data {
        RData::A(a) => Some(a.0),
        _ => None,
    });
    let scope = message
        .edns
        .as_ref()
        .and_then(|e| match e.option(EdnsCode::Subnet) {
            Some(EdnsOption::Subnet(s)) => Some(s.scope_prefix()),
            _ => None,
        });
    (addrs.collect(), scope)
}

impl Servers {
    /// Every 97th client: the front answers the best node's address with
    /// the PID's prefix length as ECS scope; the static zone its record.
    pub fn check_dns(&self, front: &mut DnsLoad, fixed: &mut DnsLoad) {
        for (i, &client) in self.clients.iter().enumerate().step_by(97) {
            let route = self.table.route(IpAddr::V4(client));
            let best = self.table.node(route.best().unwrap()).v4[0];
            let (addrs, scope) = a_records(&front.ask(&self.dns_queries[i]));
            assert_eq!((addrs, scope), (vec![best], route.prefix_len), "{client}");
            let (addrs, _) = a_records(&fixed.ask(&self.dns_queries[i]));
            assert_eq!(addrs, [FIXED]);
        }
    }

    /// Every 97th client: the front redirects to the best node, same path
    /// (`fixed`: the bare axum server, its fixed Location).
    pub fn check_http(&self, load: &mut HttpLoad, fixed: bool) {
        for (i, &client) in self.clients.iter().enumerate().step_by(97) {
            let route = self.table.route(IpAddr::V4(client));
            let best = &self.table.node(route.best().unwrap()).authority;
            let head = load.ask(&self.http_requests[i]);
            let want = match fixed {
                false => format!("\r\nlocation: http://{best}/obj/{i}\r\n"),
                true => format!("\r\nlocation: {FIXED_LOCATION}\r\n"),
            };
            assert!(head.starts_with("HTTP/1.1 302 "), "{head}");
            assert!(head.contains(&want), "{want} in {head}");
        }
    }
}
