//! An authoritative DNS server on loopback for the RFC 8686 discovery
//! tests: hickory-server with in-memory `in-addr.arpa.` / `ip6.arpa.`
//! zones holding NAPTR records, UDP and TCP on one port, and names that
//! answer SERVFAIL on purpose.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hickory_server::net::runtime::Time;
use hickory_server::net::xfer::Protocol;
use hickory_server::proto::op::{Header, HeaderCounts, ResponseCode};
use hickory_server::proto::rr::rdata::{NAPTR, SOA};
use hickory_server::proto::rr::{LowerName, Name, RData, Record};
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{
    AxfrPolicy, Catalog, MessageResponseBuilder, ZoneHandler, ZoneType,
};
use hickory_server::Server;
use tokio::net::{TcpListener, UdpSocket};

pub use hickory_server::proto::rr::Record as DnsRecord;

pub fn name(s: &str) -> Name {
    Name::from_ascii(s).expect("valid name")
}

/// A NAPTR record in zone-file terms.
pub fn naptr(
    owner: &str,
    order: u16,
    preference: u16,
    flags: &str,
    services: &str,
    regexp: &str,
    replacement: &str,
) -> Record {
    Record::from_rdata(
        name(owner),
        300,
        RData::NAPTR(NAPTR::new(
            order,
            preference,
            flags.as_bytes().into(),
            services.as_bytes().into(),
            regexp.as_bytes().into(),
            name(replacement),
        )),
    )
}

/// A terminal `ALTO:https` record for `uri`.
pub fn alto(owner: &str, order: u16, preference: u16, uri: &str) -> Record {
    naptr(
        owner,
        order,
        preference,
        "U",
        "ALTO:https",
        &format!("!.*!{uri}!"),
        ".",
    )
}

pub fn zone(origin: &str, records: &[Record]) -> InMemoryZoneHandler {
    let mut zone = InMemoryZoneHandler::empty(name(origin), ZoneType::Primary, AxfrPolicy::Deny);
    let soa = SOA::new(
        name("ns.test."),
        name("hostmaster.test."),
        1,
        3600,
        600,
        86400,
        60,
    );
    assert!(zone.upsert_mut(Record::from_rdata(name(origin), 300, RData::SOA(soa)), 1));
    for record in records {
        assert!(zone.upsert_mut(record.clone(), 1), "{record}");
    }
    zone
}

/// The catalog, plus names to answer with SERVFAIL and a log of the queries.
#[allow(missing_debug_implementations)]
struct Handler {
    catalog: Catalog,
    servfail: HashSet<LowerName>,
    log: Arc<Mutex<Vec<(String, Protocol)>>>,
}

#[async_trait::async_trait]
impl RequestHandler for Handler {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        mut response_handle: R,
    ) -> ResponseInfo {
        let query = request.queries.queries().first().map(|q| q.name().clone());
        if let Some(q) = &query {
            let mut text = q.to_string();
            text.pop(); // the trailing dot
            self.log.lock().unwrap().push((text, request.protocol()));
        }
        if query.is_some_and(|q| self.servfail.contains(&q)) {
            let response = MessageResponseBuilder::new(&request.queries, None)
                .error_msg(&request.metadata, ResponseCode::ServFail);
            return match response_handle.send_response(response).await {
                Ok(info) => info,
                Err(_) => Header {
                    metadata: request.metadata,
                    counts: HeaderCounts::default(),
                }
                .into(),
            };
        }
        self.catalog
            .handle_request::<R, T>(request, response_handle)
            .await
    }
}

/// A DNS server on 127.0.0.1, UDP and TCP on the same port; stops on drop.
#[allow(missing_debug_implementations)]
pub struct TestDns {
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<(String, Protocol)>>>,
    _server: Server<Handler>,
}

impl TestDns {
    /// Serves `records` from the `in-addr.arpa.` and `ip6.arpa.` zones and any
    /// `extra` zones; `servfail` names get SERVFAIL.
    pub async fn start(
        records: &[Record],
        extra: Vec<InMemoryZoneHandler>,
        servfail: &[&str],
    ) -> Self {
        let mut catalog = Catalog::new();
        let (v4, v6): (Vec<Record>, Vec<Record>) = records
            .iter()
            .cloned()
            .partition(|r| r.name.to_ascii().ends_with("in-addr.arpa."));
        for zone in [zone("in-addr.arpa.", &v4), zone("ip6.arpa.", &v6)]
            .into_iter()
            .chain(extra)
        {
            let origin = zone.origin().clone();
            catalog.upsert(origin, vec![Arc::new(zone) as Arc<dyn ZoneHandler>]);
        }
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler = Handler {
            catalog,
            servfail: servfail.iter().map(|s| LowerName::new(&name(s))).collect(),
            log: log.clone(),
        };
        let (udp, tcp) = bind_pair().await;
        let addr = udp.local_addr().expect("udp address");
        let mut server = Server::new(handler);
        server.register_socket(udp);
        server.register_listener(tcp, Duration::from_secs(10), 64 * 1024);
        Self {
            addr,
            log,
            _server: server,
        }
    }

    pub fn queried(&self) -> Vec<String> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .map(|(n, _)| n.clone())
            .collect()
    }

    pub fn used_tcp(&self) -> bool {
        self.log
            .lock()
            .unwrap()
            .iter()
            .any(|(_, p)| *p == Protocol::Tcp)
    }
}

/// A UDP socket and a TCP listener on the same free loopback port.
pub async fn bind_pair() -> (UdpSocket, TcpListener) {
    for _ in 0..50 {
        let udp = UdpSocket::bind("127.0.0.1:0").await.expect("bind udp");
        let addr = udp.local_addr().expect("udp address");
        if let Ok(tcp) = TcpListener::bind(addr).await {
            return (udp, tcp);
        }
    }
    panic!("no loopback port free for both UDP and TCP");
}
