//! A DNS client for the tests of `altofed route`'s DNS front (hickory's,
//! over UDP or TCP): one query with an optional EDNS Client Subnet option
//! (RFC 7871), and what its answer says.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_server::net::client::Client;
use hickory_server::net::runtime::TokioRuntimeProvider;
use hickory_server::net::tcp::TcpClientStream;
use hickory_server::net::udp::UdpClientStream;
use hickory_server::net::xfer::{DnsHandle, FirstAnswer};
use hickory_server::net::NetError;
use hickory_server::proto::op::{DnsRequest, DnsRequestOptions, Edns, Query, ResponseCode};
use hickory_server::proto::rr::rdata::opt::{ClientSubnet, EdnsCode, EdnsOption};
use hickory_server::proto::rr::{Name, RData, RecordType};

pub type Dns = Client<TokioRuntimeProvider>;

/// Every query waits at most this long.
const TIMEOUT: Duration = Duration::from_secs(2);

/// A client of `addr` over UDP.
pub fn udp_client(addr: SocketAddr) -> Dns {
    let stream = UdpClientStream::builder(addr, TokioRuntimeProvider::default())
        .with_timeout(Some(TIMEOUT))
        .build();
    let (client, background) = Dns::from_sender(stream);
    tokio::spawn(background);
    client
}

/// A client of `addr` over TCP.
pub async fn tcp_client(addr: SocketAddr) -> Dns {
    let (stream, sender) =
        TcpClientStream::new(addr, None, Some(TIMEOUT), TokioRuntimeProvider::new());
    let (client, background) = Dns::new(stream.await.unwrap(), sender);
    tokio::spawn(background);
    client
}

/// What an answer says.
#[derive(Debug, PartialEq)]
pub struct Answer {
    pub code: ResponseCode,
    pub authoritative: bool,
    /// The A and AAAA records' addresses.
    pub addresses: Vec<IpAddr>,
    /// The echoed ECS option's scope prefix length.
    pub scope: Option<u8>,
    /// Types of the answer records, and of the authority records.
    pub answer_types: Vec<RecordType>,
    pub authority_types: Vec<RecordType>,
}

/// One query of `name` / `rtype` as a resolver asks an authority (no
/// recursion), with ECS `subnet` (e.g. `198.51.100.1/32`).
pub async fn ask(
    client: &Dns,
    name: &str,
    rtype: RecordType,
    subnet: Option<&str>,
) -> Result<Answer, NetError> {
    let query = Query::query(Name::from_ascii(name).unwrap(), rtype);
    let mut options = DnsRequestOptions::default();
    options.recursion_desired = false;
    let (mut message, options) = DnsRequest::from_query(query, options).into_parts();
    if let Some(subnet) = subnet {
        let option = EdnsOption::Subnet(subnet.parse::<ClientSubnet>().unwrap());
        message
            .edns
            .get_or_insert_with(Edns::new)
            .options_mut()
            .insert(option);
    }
    let response = client
        .send(DnsRequest::new(message, options))
        .first_answer()
        .await?;
    let scope = response
        .edns
        .as_ref()
        .and_then(|e| match e.option(EdnsCode::Subnet) {
            Some(EdnsOption::Subnet(s)) => Some(s.scope_prefix()),
            _ => None,
        });
    let addresses = response
        .answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::A(a) => Some(IpAddr::V4(a.0)),
            RData::AAAA(a) => Some(IpAddr::V6(a.0)),
            _ => None,
        })
        .collect();
    Ok(Answer {
        code: response.metadata.response_code,
        authoritative: response.metadata.authoritative,
        addresses,
        scope,
        answer_types: response.answers.iter().map(|r| r.record_type()).collect(),
        authority_types: response
            .authorities
            .iter()
            .map(|r| r.record_type())
            .collect(),
    })
}
