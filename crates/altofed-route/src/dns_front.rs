//! The DNS front (draft-penno-alto-cdn §4.2): authoritative for one zone
//! over UDP and TCP (hickory-server). A and AAAA queries for the
//! configured names get the addresses of that family of the best
//! `routing.answers` nodes that have one, for the client: the EDNS Client
//! Subnet option (RFC 7871) when the query holds one, else the query's
//! source address. With ECS, the answer echoes the option with SCOPE
//! PREFIX-LENGTH set to the length of the network map prefix that matched
//! (the answer holds for that whole prefix); for a client in no PID or in
//! the catch-all it is the SOURCE PREFIX-LENGTH (it holds for what was
//! asked, no more is known).
//!
//! Names outside the zone: REFUSED. Unknown names inside it: NXDOMAIN;
//! a known name without records of the type (no usable node of that
//! family, or another type): NODATA, i.e. NOERROR with no answer and the
//! SOA in the authority section (RFC 2308). No table yet, or no usable
//! node at all: SERVFAIL (a resolver tries again, it does not cache it).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use arc_swap::ArcSwapOption;
use hickory_server::net::runtime::Time;
use hickory_server::proto::op::{
    Edns, Header, HeaderCounts, MessageType, Metadata, OpCode, ResponseCode,
};
use hickory_server::proto::rr::rdata::opt::{ClientSubnet, EdnsCode, EdnsOption};
use hickory_server::proto::rr::{DNSClass, LowerName, Record, RecordType};
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::MessageResponseBuilder;

use crate::dns_zone::{Owner, Zone};
use crate::metrics::{Front, Metrics};
use crate::table::RoutingTable;

/// Largest UDP payload announced in answers (the DNS flag day 2020 value).
const MAX_PAYLOAD: u16 = 1232;

/// The request handler.
#[derive(Debug)]
pub struct DnsFront {
    pub zone: Zone,
    pub table: Arc<ArcSwapOption<RoutingTable>>,
    pub answers: usize,
    pub metrics: Arc<Metrics>,
}

/// What a query gets, before it is written.
struct Reply {
    code: ResponseCode,
    authoritative: bool,
    answers: Vec<Record>,
    soa: bool,
    /// The ECS option to echo, with its scope set.
    subnet: Option<ClientSubnet>,
}

impl Reply {
    fn code(code: ResponseCode, authoritative: bool) -> Reply {
        Reply {
            code,
            authoritative,
            answers: Vec::new(),
            soa: false,
            subnet: None,
        }
    }

    fn nodata() -> Reply {
        Reply {
            soa: true,
            ..Reply::code(ResponseCode::NoError, true)
        }
    }
}

/// The ECS option of `request`, if any.
fn client_subnet(request: &Request) -> Option<ClientSubnet> {
    match request.edns.as_ref()?.option(EdnsCode::Subnet)? {
        EdnsOption::Subnet(subnet) => Some(*subnet),
        _ => None,
    }
}

impl DnsFront {
    fn reply(&self, request: &Request) -> Reply {
        if request.metadata.message_type != MessageType::Query {
            return Reply::code(ResponseCode::FormErr, false);
        }
        if request.metadata.op_code != OpCode::Query {
            return Reply::code(ResponseCode::NotImp, false);
        }
        let [query] = request.queries.queries() else {
            return Reply::code(ResponseCode::FormErr, false);
        };
        if query.query_class() != DNSClass::IN {
            return Reply::code(ResponseCode::Refused, false);
        }
        let qname = query.name();
        let qtype = query.query_type();
        let routed = match self.zone.owner(qname) {
            Owner::Outside => return Reply::code(ResponseCode::Refused, false),
            Owner::Unknown => {
                return Reply {
                    soa: true,
                    ..Reply::code(ResponseCode::NXDomain, true)
                }
            }
            Owner::Apex { routed } => {
                let records = match qtype {
                    RecordType::SOA => vec![self.zone.soa.clone()],
                    RecordType::NS => self.zone.ns.clone(),
                    _ => Vec::new(),
                };
                if !records.is_empty() {
                    return Reply {
                        answers: records,
                        ..Reply::code(ResponseCode::NoError, true)
                    };
                }
                routed
            }
            Owner::Routed => true,
        };
        let family_v4 = match qtype {
            RecordType::A => true,
            RecordType::AAAA => false,
            _ => return Reply::nodata(),
        };
        if !routed {
            return Reply::nodata();
        }
        self.route(request, qname, family_v4)
    }

    fn route(&self, request: &Request, qname: &LowerName, v4: bool) -> Reply {
        let subnet = client_subnet(request);
        let client = match subnet {
            Some(s) if s.source_prefix() > 0 => s.addr(),
            _ => request.src().ip(),
        };
        let guard = self.table.load();
        let Some(table) = guard.as_deref() else {
            self.metrics.unanswered(Front::Dns);
            return Reply::code(ResponseCode::ServFail, false);
        };
        let route = table.route(client);
        let subnet = subnet.map(|s| {
            let scope = match (s.source_prefix(), route.prefix_len) {
                (0, _) => 0,
                (source, None) => source,
                (_, Some(len)) => len,
            };
            ClientSubnet::new(s.addr(), s.source_prefix(), scope)
        });
        if route.best().is_none() {
            self.metrics.unanswered(Front::Dns);
            return Reply::code(ResponseCode::ServFail, false);
        }
        let mut answers = Vec::new();
        let mut chosen = 0;
        for ranked in route.nodes() {
            let node = table.node(ranked);
            let addrs: Vec<IpAddr> = if v4 {
                node.v4.iter().copied().map(IpAddr::V4).collect()
            } else {
                node.v6.iter().copied().map(IpAddr::V6).collect()
            };
            if addrs.is_empty() {
                continue;
            }
            self.metrics.answered(Front::Dns, ranked.node);
            answers.extend(
                addrs
                    .into_iter()
                    .map(|a| self.zone.address_record(qname, a)),
            );
            chosen += 1;
            if chosen == self.answers {
                break;
            }
        }
        if route.fallback && chosen > 0 {
            self.metrics.fallback(Front::Dns);
        }
        let reply = if answers.is_empty() {
            Reply::nodata()
        } else {
            Reply {
                answers,
                ..Reply::code(ResponseCode::NoError, true)
            }
        };
        Reply { subnet, ..reply }
    }
}

#[async_trait::async_trait]
impl RequestHandler for DnsFront {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        mut response_handle: R,
    ) -> ResponseInfo {
        let reply = self.reply(request);
        let edns = request.edns.as_ref().map(|asked| {
            let mut edns = Edns::new();
            edns.set_max_payload(MAX_PAYLOAD.min(asked.max_payload().max(512)));
            if let Some(subnet) = reply.subnet {
                edns.options_mut().insert(EdnsOption::Subnet(subnet));
            }
            edns
        });
        let mut metadata = Metadata::response_from_request(&request.metadata);
        metadata.response_code = reply.code;
        metadata.authoritative = reply.authoritative;
        metadata.recursion_available = false;
        let soa: &[Record] = if reply.soa {
            std::slice::from_ref(&self.zone.soa)
        } else {
            &[]
        };
        let response = MessageResponseBuilder::new(&request.queries, edns.as_ref()).build(
            metadata,
            reply.answers.iter(),
            std::iter::empty(),
            soa.iter(),
            std::iter::empty(),
        );
        match response_handle.send_response(response).await {
            Ok(info) => info,
            Err(e) => {
                tracing::debug!("cannot send a DNS response: {e}");
                Header {
                    metadata,
                    counts: HeaderCounts::default(),
                }
                .into()
            }
        }
    }
}

/// The sockets of the DNS front: UDP and TCP on one address (port 0: the
/// same free port for both, tried up to 50 times).
pub async fn bind(
    listen: SocketAddr,
) -> std::io::Result<(tokio::net::UdpSocket, tokio::net::TcpListener)> {
    let tries = if listen.port() == 0 { 50 } else { 1 };
    let mut last = None;
    for _ in 0..tries {
        let udp = tokio::net::UdpSocket::bind(listen).await?;
        match tokio::net::TcpListener::bind(udp.local_addr()?).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no port free for both UDP and TCP")))
}
