//! The PROXY protocol on the HTTP front, over real sockets: the front on
//! the connection loop it is served on, the table of Figure 5
//! (198.51.100.1 is in isp-a:pid1 -> n8 at 203.0.113.1; 198.51.100.200
//! in isp-a:pid2 -> n10 at 203.0.113.129; 127.0.0.1 is in no PID -> the
//! fallback n9 at 203.0.113.65).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use altofed_server::conn::{serve_connections_with, ConnMetrics, ConnectionLimits, Plain};
use arc_swap::ArcSwapOption;
use ipnet::IpNet;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::{CancellationToken, DropGuard};

use super::ProxyProtocol;
use crate::config::HttpSection;
use crate::http_front::{router, HttpFront};
use crate::metrics::Metrics;
use crate::table::tests::{figure5, nodes, routing};
use crate::table::RoutingTable;

/// Short, so that the test of a header that never ends is quick.
const HEADER_TIMEOUT: Duration = Duration::from_millis(300);
/// Bounds every wait for the server: a hang fails the test.
const PATIENCE: Duration = Duration::from_secs(10);
const GET: &[u8] = b"GET /a?b HTTP/1.1\r\nhost: www.cdn.example\r\n\r\n";
const V1_PID1: &[u8] = b"PROXY TCP4 198.51.100.1 192.0.2.1 40000 80\r\n";

/// A v2 header (built by hand, not by the parser's crate): PROXY command,
/// TCP over IPv4, from `src` to 192.0.2.1:80.
fn v2(src: [u8; 4]) -> Vec<u8> {
    let mut h = b"\r\n\r\n\0\r\nQUIT\n".to_vec();
    h.extend([0x21, 0x11, 0, 12]);
    h.extend(src);
    h.extend([192, 0, 2, 1]);
    h.extend(40000u16.to_be_bytes());
    h.extend(80u16.to_be_bytes());
    h
}

/// The front with `http.proxy-protocol = true` and `trusted` as
/// `trusted-proxies`, on 127.0.0.1:0; it stops when the guard drops.
async fn front(trusted: &str) -> (SocketAddr, DropGuard) {
    let nodes = nodes(1);
    let table = RoutingTable::build(&figure5("multipath"), nodes.clone(), &routing()).unwrap();
    let trusted: Vec<IpNet> = vec![trusted.parse().unwrap()];
    let section = HttpSection {
        listen: "127.0.0.1:0".parse().unwrap(),
        scheme: "http".into(),
        port: None,
        trusted_proxies: trusted.clone(),
        content_aware_margin: None,
        proxy_protocol: true,
    };
    let front = HttpFront {
        table: Arc::new(ArcSwapOption::from_pointee(table)),
        config: Arc::new(section),
        metrics: Arc::new(Metrics::new(&nodes)),
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = ConnectionLimits {
        header_read_timeout: HEADER_TIMEOUT,
        ..ConnectionLimits::default()
    };
    let plain = Plain {
        router: router(front),
        preface: Some(Arc::new(ProxyProtocol { trusted })),
    };
    let stop = CancellationToken::new();
    let done = stop.clone().cancelled_owned();
    let metrics = ConnMetrics::default();
    tokio::spawn(serve_connections_with(
        listener, None, plain, limits, metrics, done,
    ));
    (addr, stop.drop_guard())
}

/// Sends `bytes` on a new connection; what comes back until a response
/// head is complete or the server closes the connection.
async fn exchange(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    tcp.write_all(bytes).await.unwrap();
    read_head(&mut tcp).await
}

/// What comes until a response head (the front's have no body) is
/// complete or the connection closes.
async fn read_head(tcp: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let read = async {
        let mut buf = [0u8; 1024];
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
            if out.windows(4).any(|w| w == b"\r\n\r\n") {
                return;
            }
        }
    };
    tokio::time::timeout(PATIENCE, read)
        .await
        .expect("the server answers or closes in time");
    String::from_utf8_lossy(&out).into_owned()
}

fn location(head: &str) -> Option<&str> {
    head.lines().find_map(|l| l.strip_prefix("location: "))
}

#[tokio::test]
async fn v1_and_v2_headers_from_a_trusted_proxy_name_the_client() {
    let (addr, _stop) = front("127.0.0.0/8").await;
    let head = exchange(addr, &[V1_PID1, GET].concat()).await;
    assert!(head.starts_with("HTTP/1.1 302 "), "{head}");
    assert_eq!(location(&head), Some("http://203.0.113.1/a?b"));
    let head = exchange(addr, &[&v2([198, 51, 100, 200])[..], GET].concat()).await;
    assert!(head.starts_with("HTTP/1.1 302 "), "{head}");
    assert_eq!(location(&head), Some("http://203.0.113.129/a?b"));
    // The header's client holds for every request of the connection.
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    tcp.write_all(&[V1_PID1, GET].concat()).await.unwrap();
    for _ in 0..2 {
        let head = read_head(&mut tcp).await;
        assert_eq!(location(&head), Some("http://203.0.113.1/a?b"), "{head}");
        tcp.write_all(GET).await.unwrap();
    }
}

#[tokio::test]
async fn a_header_from_an_untrusted_peer_is_not_honoured() {
    // 127.0.0.1 is not in the trusted prefixes.
    let (addr, _stop) = front("10.0.0.0/8").await;
    for header in [V1_PID1.to_vec(), v2([198, 51, 100, 200])] {
        let head = exchange(addr, &[&header[..], GET].concat()).await;
        assert!(head.starts_with("HTTP/1.1 400 "), "{head}");
    }
    // Without a header the peer itself is the client: the fallback node.
    let head = exchange(addr, GET).await;
    assert_eq!(location(&head), Some("http://203.0.113.65/a?b"), "{head}");
}

#[tokio::test]
async fn a_trusted_peer_without_a_valid_header_is_closed() {
    let (addr, _stop) = front("127.0.0.0/8").await;
    assert_eq!(exchange(addr, GET).await, "");
    let bad = b"PROXY TCP4 198.51.100.1 not-an-address 40000 80\r\n";
    assert_eq!(exchange(addr, &[&bad[..], GET].concat()).await, "");
}

#[tokio::test]
async fn a_header_that_never_completes_is_timed_out() {
    let (addr, _stop) = front("127.0.0.0/8").await;
    let started = Instant::now();
    // Not closed by the client: only the server's timeout ends this.
    assert_eq!(exchange(addr, b"PROXY TCP4 198.51.100.1 ").await, "");
    assert!(
        started.elapsed() >= HEADER_TIMEOUT,
        "{:?}",
        started.elapsed()
    );
}
