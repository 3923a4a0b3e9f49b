//! The router as a service: the ALTO client (altofed-peers' `HttpPeer`
//! watcher: IRD, conditional GETs, RFC 8895 update streams where offered),
//! the table keeper, the DNS and HTTP fronts, and the ops listener.
//!
//! The keeper rebuilds the table on a blocking thread for every new set
//! of maps (`PeerEvent::Updated`) and swaps it in; a failed pull or a
//! table that cannot be built leaves the table in service as it is. Like
//! the aggregator's peers, maps without contact (new maps or a
//! `PeerEvent::Current`) for `alto.max-age` are withdrawn: every client
//! then gets the fallback ranking, until the server answers again.
//!
//! `/healthz`, `/readyz` (200 once a table exists) and `/metrics` are on
//! `[ops] listen`, not on the HTTP front, which redirects every path.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use altofed_peers::http::HttpPeer;
use altofed_peers::{HttpPeerError, PeerEvent};
use altofed_server::conn::{serve_connections_with, ConnMetrics, ConnectionLimits, Plain, Preface};
use arc_swap::ArcSwapOption;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use thiserror::Error;
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::config::RouteConfig;
use crate::dns_front::{self, DnsFront};
use crate::dns_zone::Zone;
use crate::http_front::{self, HttpFront};
use crate::keeper::Keeper;
use crate::metrics::Metrics;
use crate::proxy_protocol::ProxyProtocol;
use crate::table::{Node, RoutingTable};

/// Why the service could not start or stopped.
#[derive(Debug, Error)]
pub enum RunError {
    #[error("cannot listen on {addr} ({what}): {error}")]
    Bind {
        what: &'static str,
        addr: SocketAddr,
        error: std::io::Error,
    },
    #[error(transparent)]
    Peer(#[from] HttpPeerError),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("{what} server failed: {error}")]
    Serve { what: &'static str, error: String },
}

/// The listeners, bound before serving so their addresses can be told.
#[derive(Debug)]
pub struct Bound {
    pub http: Option<TcpListener>,
    pub dns: Option<(UdpSocket, TcpListener)>,
    pub ops: TcpListener,
}

fn bind_error(what: &'static str, addr: SocketAddr) -> impl FnOnce(std::io::Error) -> RunError {
    move |error| RunError::Bind { what, addr, error }
}

impl Bound {
    pub async fn bind(config: &RouteConfig) -> Result<Bound, RunError> {
        let http = match &config.http {
            Some(h) => Some(
                TcpListener::bind(h.listen)
                    .await
                    .map_err(bind_error("http", h.listen))?,
            ),
            None => None,
        };
        let dns = match &config.dns {
            Some(d) => Some(
                dns_front::bind(d.listen)
                    .await
                    .map_err(bind_error("dns", d.listen))?,
            ),
            None => None,
        };
        let ops = TcpListener::bind(config.ops.listen)
            .await
            .map_err(bind_error("ops", config.ops.listen))?;
        Ok(Bound { http, dns, ops })
    }

    pub fn http_addr(&self) -> Option<SocketAddr> {
        self.http.as_ref().and_then(|l| l.local_addr().ok())
    }

    pub fn dns_addr(&self) -> Option<SocketAddr> {
        self.dns.as_ref().and_then(|(u, _)| u.local_addr().ok())
    }

    pub fn ops_addr(&self) -> Option<SocketAddr> {
        self.ops.local_addr().ok()
    }
}

/// Runs the router on `bound` until `shutdown` is cancelled. `base` is
/// where a relative `alto.http.ca-file` is looked up.
pub async fn serve(
    config: RouteConfig,
    base: &Path,
    bound: Bound,
    shutdown: CancellationToken,
) -> Result<(), RunError> {
    let nodes: Arc<[Node]> = config.nodes.iter().map(Node::from_config).collect();
    let metrics = Arc::new(Metrics::new(&nodes));
    let table = Arc::new(ArcSwapOption::<RoutingTable>::empty());
    let url = config.alto_url()?;
    let peer =
        HttpPeer::new("alto", url, &config.alto.http, base)?.with_metrics(metrics.peer.clone());
    let (events, rx) = mpsc::channel::<PeerEvent>(16);
    peer.spawn(0, events, shutdown.clone());
    let keeper = Keeper {
        table: table.clone(),
        nodes,
        routing: config.routing.clone(),
        max_age: config.alto.max_age,
        metrics: metrics.clone(),
    };
    tokio::spawn(keeper.run(rx, shutdown.clone()));

    let ops_routes = ops_router(table.clone(), metrics.clone());
    let ops_routes = Plain {
        router: ops_routes,
        preface: None,
    };
    let ops = serve_http(bound.ops, ops_routes, ConnMetrics::default(), &shutdown);
    let http = bound
        .http
        .zip(config.http.clone())
        .map(|(listener, section)| {
            let front = HttpFront {
                table: table.clone(),
                config: Arc::new(section.clone()),
                metrics: metrics.clone(),
            };
            let conns = metrics.connections.clone();
            let preface = section.proxy_protocol.then(|| {
                let trusted = section.trusted_proxies.clone();
                Arc::new(ProxyProtocol { trusted }) as Arc<dyn Preface>
            });
            let front = Plain {
                router: http_front::router(front),
                preface,
            };
            serve_http(listener, front, conns, &shutdown)
        });
    let mut dns = match (bound.dns, &config.dns) {
        (Some((udp, tcp)), Some(section)) => {
            let front = DnsFront {
                zone: Zone::from_config(section)?,
                table: table.clone(),
                answers: config.routing.answers,
                metrics: metrics.clone(),
            };
            let mut server = hickory_server::Server::new(front);
            server.register_socket(udp);
            server.register_listener(tcp, Duration::from_secs(10), 64 * 1024);
            Some(server)
        }
        _ => None,
    };
    let http = async {
        if let Some(task) = http {
            task.await;
        }
    };
    tokio::join!(ops, http);
    if let Some(server) = dns.as_mut() {
        server
            .shutdown_gracefully()
            .await
            .map_err(|e| RunError::Serve {
                what: "DNS",
                error: e.to_string(),
            })?;
    }
    Ok(())
}

/// Serves `front` (a router, and the PROXY protocol reader if configured)
/// on `listener` through altofed-server's connection loop (the
/// aggregator's: connection limit, header-read, idle and write timeouts,
/// draining on shutdown; its defaults, docs/operations.md), with the
/// client address available as `ConnectInfo`, until `shutdown`.
fn serve_http(
    listener: TcpListener,
    front: Plain,
    metrics: ConnMetrics,
    shutdown: &CancellationToken,
) -> impl std::future::Future<Output = ()> {
    let stop = shutdown.clone().cancelled_owned();
    let limits = ConnectionLimits::default();
    serve_connections_with(listener, None, front, limits, metrics, stop)
}

fn ops_router(table: Arc<ArcSwapOption<RoutingTable>>, metrics: Arc<Metrics>) -> Router {
    let ready = table.clone();
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route(
            "/readyz",
            get(move || async move {
                if ready.load().is_some() {
                    (StatusCode::OK, "ready\n")
                } else {
                    (StatusCode::SERVICE_UNAVAILABLE, "no routing table yet\n")
                }
            }),
        )
        .route(
            "/metrics",
            get(move || async move {
                if let Some(t) = table.load().as_deref() {
                    metrics.table_age.set(t.built().elapsed().as_secs_f64());
                }
                let kind = "application/openmetrics-text; version=1.0.0; charset=utf-8";
                ([(header::CONTENT_TYPE, kind)], metrics.encode()).into_response()
            }),
        )
}
