//! The HTTP front (draft-penno-alto-cdn §4.1): every `GET` / `HEAD` is
//! answered `302 Found` to the best node for the client, same path and
//! query, `Cache-Control: no-store` (the answer depends on the client and
//! on the maps of the moment, so no cache may keep it); other methods get
//! 405. No table yet, or no usable node: 503.
//!
//! The client is the socket's peer, or, only when that peer is one of
//! `trusted-proxies`, the right-most `X-Forwarded-For` entry that is not a
//! trusted proxy itself (entries left of it could be forged by anyone).
//!
//! Content-aware mode (draft §4.1.1, "send requests for the same content
//! (URL) to the same CDN node"): among the ranked nodes whose cost is
//! within `content-aware-margin` of the best, the node with the highest
//! [`rendezvous`] score of (node name, path) wins. Adding or draining a
//! node moves only the paths that node wins or held.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use arc_swap::ArcSwapOption;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::config::HttpSection;
use crate::metrics::{Front, Metrics};
use crate::table::{Ranked, RoutingTable};

/// What the handler needs.
#[derive(Debug, Clone)]
pub struct HttpFront {
    pub table: Arc<ArcSwapOption<RoutingTable>>,
    pub config: Arc<HttpSection>,
    pub metrics: Arc<Metrics>,
}

/// The router: one fallback handler for every path.
pub fn router(front: HttpFront) -> Router {
    Router::new().fallback(redirect).with_state(front)
}

/// The redirect. Takes the whole request rather than axum's `HeaderMap`
/// extractor, which clones the headers (allocations per request); builds
/// the Location in one buffer that becomes the header value without a copy.
async fn redirect(State(front): State<HttpFront>, request: Request) -> Response {
    let method = request.method();
    if method != Method::GET && method != Method::HEAD {
        let allow = [(header::ALLOW, HeaderValue::from_static("GET, HEAD"))];
        return (StatusCode::METHOD_NOT_ALLOWED, allow).into_response();
    }
    let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() else {
        return unavailable("no client address");
    };
    let client = client_address(peer.ip(), request.headers(), &front.config.trusted_proxies);
    let guard = front.table.load();
    let Some(table) = guard.as_deref() else {
        front.metrics.unanswered(Front::Http);
        return unavailable("no routing table yet");
    };
    let route = table.route(client);
    let uri = request.uri();
    let path = uri.path();
    let chosen = match front.config.content_aware_margin {
        Some(margin) if !route.fallback => content_aware(table, route.nodes(), margin, path),
        _ => route.best(),
    };
    let Some(chosen) = chosen else {
        front.metrics.unanswered(Front::Http);
        return unavailable("no usable node");
    };
    if route.fallback {
        front.metrics.fallback(Front::Http);
    }
    front.metrics.answered(Front::Http, chosen.node);
    let node = table.node(chosen);
    let rest = uri.path_and_query().map_or("/", |p| p.as_str());
    let scheme = front.config.scheme.as_bytes();
    let mut location = Vec::with_capacity(scheme.len() + node.authority.len() + rest.len() + 9);
    location.extend_from_slice(scheme);
    location.extend_from_slice(b"://");
    location.extend_from_slice(node.authority.as_bytes());
    if let Some(port) = front.config.port {
        // Writing to a Vec cannot fail.
        let _ = write!(location, ":{port}");
    }
    location.extend_from_slice(rest.as_bytes());
    let Ok(location) = HeaderValue::from_maybe_shared(Bytes::from(location)) else {
        return unavailable("the node's location is not a valid header value");
    };
    let no_store = HeaderValue::from_static("no-store");
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, location),
            (header::CACHE_CONTROL, no_store),
        ],
    )
        .into_response()
}

fn unavailable(why: &'static str) -> Response {
    let headers = [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))];
    (StatusCode::SERVICE_UNAVAILABLE, headers, why).into_response()
}

/// The client's address: `peer`, or from `X-Forwarded-For` when `peer` is
/// a trusted proxy (right-most untrusted entry; all trusted: the
/// left-most; an entry that is no address: `peer`).
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[ipnet::IpNet]) -> IpAddr {
    let is_trusted = |a: &IpAddr| trusted.iter().any(|net| net.contains(a));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut leftmost = None;
    // Right to left without collecting the entries: no allocation.
    let entries = headers
        .get_all("x-forwarded-for")
        .iter()
        .rev()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.rsplit(','));
    for entry in entries {
        let Ok(addr) = entry.trim().parse::<IpAddr>() else {
            return peer;
        };
        if !is_trusted(&addr) {
            return addr;
        }
        leftmost = Some(addr);
    }
    leftmost.unwrap_or(peer)
}

/// Among `ranked` within `margin` of the best cost, the highest rendezvous
/// score of (node name, `path`).
fn content_aware<'a>(
    table: &RoutingTable,
    mut ranked: impl Iterator<Item = &'a Ranked>,
    margin: f64,
    path: &str,
) -> Option<&'a Ranked> {
    let first = ranked.next()?;
    let best = first.cost?;
    std::iter::once(first)
        .chain(ranked)
        .take_while(|r| r.cost.is_some_and(|c| c <= best + margin))
        .max_by_key(|r| rendezvous(&table.node(r).name, path))
}

/// The rendezvous (highest random weight) score of a node for a path:
/// 64-bit FNV-1a over the node name, a 0xff separator byte (which no UTF-8
/// text holds) and the path, then the SplitMix64 finalizer to spread FNV's
/// weak low bits. Stable across processes, versions and platforms, so
/// every router sends a path to the same node.
pub fn rendezvous(node: &str, path: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    let bytes = node.bytes().chain([0xff]).chain(path.bytes());
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(PRIME);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let h = headers(&["192.0.2.9, 198.51.100.7", "10.1.1.1"]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &h, &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_address(ip("203.0.113.5"), &h, &trusted),
            ip("203.0.113.5")
        );
        let all_trusted = headers(&["10.9.9.9, 10.1.1.1"]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &all_trusted, &trusted),
            ip("10.9.9.9")
        );
        let junk = headers(&["198.51.100.7, junk"]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &junk, &trusted),
            ip("10.0.0.1")
        );
        assert_eq!(
            client_address(ip("10.0.0.1"), &HeaderMap::new(), &trusted),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn rendezvous_scores_are_stable_and_spread() {
        // Fixed values (checked against an independent implementation):
        // a change of the hash would move every path between routers.
        assert_eq!(rendezvous("n8", "/a"), 0x9201_cbc8_8d0c_d998);
        assert_eq!(rendezvous("", ""), 0x4f2d_b50f_1240_40cd);
        assert_ne!(rendezvous("n8", "/a"), rendezvous("n10", "/a"));
        assert_ne!(rendezvous("n8", "/a"), rendezvous("n8a", "/"));
        let wins = (0..1000)
            .filter(|i| {
                let p = format!("/obj/{i}");
                rendezvous("n8", &p) > rendezvous("n10", &p)
            })
            .count();
        assert!((400..600).contains(&wins), "{wins}");
    }
}
