//! The PROXY protocol (HAProxy's spec, versions 1 and 2) on the HTTP
//! front, with `http.proxy-protocol = true`: a connection from a peer in
//! `http.trusted-proxies` must start with a PROXY header, and its source
//! address is the client (then `X-Forwarded-For` is read only if that
//! address is itself a trusted proxy). A trusted peer whose connection
//! does not start with a valid header is closed (the spec: a receiver
//! must not guess). From any other peer nothing is interpreted: the bytes
//! go to HTTP as they are, so a PROXY header there is an HTTP parse
//! error (`400 Bad Request`, connection closed) and can never name a
//! client. The header counts towards the connection's time to send a
//! request head (`header_read_timeout`, 10 s).
//!
//! Parsed with the `ppp` crate (pure parser, both versions, says when the
//! input is still incomplete); reading, the size bound and what is kept
//! past the header are ours.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;

use altofed_server::conn::{Preface, PrefaceOutcome};
use axum::body::Bytes;
use ipnet::IpNet;
use ppp::{HeaderResult, PartialResult};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// The largest header read: a v1 header is at most 107 bytes; a v2 one
/// 16 bytes plus addresses and TLVs, which proxies keep small. More from
/// a peer is not a header this front will wait for.
const MAX_HEADER: usize = 4096;

/// The preface of the HTTP front's connections.
#[derive(Debug, Clone)]
pub struct ProxyProtocol {
    pub trusted: Vec<IpNet>,
}

impl Preface for ProxyProtocol {
    fn read(
        &self,
        tcp: TcpStream,
        peer: SocketAddr,
    ) -> Pin<Box<dyn Future<Output = PrefaceOutcome> + Send>> {
        if !self.trusted.iter().any(|net| net.contains(&peer.ip())) {
            return Box::pin(std::future::ready(Some((tcp, Bytes::new(), peer))));
        }
        Box::pin(read_header(tcp, peer))
    }
}

/// Reads a PROXY header from a trusted `peer`: the client's address and
/// what was read past the header; `None` if it is not a valid header.
async fn read_header(mut tcp: TcpStream, peer: SocketAddr) -> PrefaceOutcome {
    let mut buf = Vec::with_capacity(256);
    loop {
        match tcp.read_buf(&mut buf).await {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
        let parsed = HeaderResult::parse(&buf);
        if parsed.is_incomplete() {
            if buf.len() >= MAX_HEADER {
                tracing::debug!(%peer, "PROXY header longer than {MAX_HEADER} bytes");
                return None;
            }
            continue;
        }
        let Some((len, client)) = client_of(&parsed, peer) else {
            tracing::debug!(%peer, "no valid PROXY header from a trusted proxy");
            return None;
        };
        let rest = Bytes::copy_from_slice(&buf[len..]);
        return Some((tcp, rest, client));
    }
}

/// The header's length and the client it names (`peer` for a v1
/// `UNKNOWN` or a v2 `LOCAL` header or a non-IP one: the spec says to use
/// the connection's own addresses then).
fn client_of(parsed: &HeaderResult<'_>, peer: SocketAddr) -> Option<(usize, SocketAddr)> {
    match parsed {
        HeaderResult::V1(Ok(header)) => {
            use ppp::v1::Addresses;
            let client = match &header.addresses {
                Addresses::Tcp4(a) => SocketAddr::from((a.source_address, a.source_port)),
                Addresses::Tcp6(a) => SocketAddr::from((a.source_address, a.source_port)),
                Addresses::Unknown => peer,
            };
            Some((header.header.len(), client))
        }
        HeaderResult::V2(Ok(header)) => {
            use ppp::v2::{Addresses, Command};
            let client = match (&header.command, &header.addresses) {
                (Command::Local, _) => peer,
                (_, Addresses::IPv4(a)) => SocketAddr::from((a.source_address, a.source_port)),
                (_, Addresses::IPv6(a)) => SocketAddr::from((a.source_address, a.source_port)),
                _ => peer,
            };
            Some((header.len(), client))
        }
        HeaderResult::V1(Err(_)) | HeaderResult::V2(Err(_)) => None,
    }
}

#[cfg(test)]
#[path = "proxy_protocol_tests.rs"]
mod tests;
