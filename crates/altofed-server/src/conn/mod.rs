//! Client connections: accepted up to a limit, watched for the timeouts a
//! hostile or broken client would otherwise get around, and drained with a
//! deadline on shutdown.
//!
//! - At `max_connections` open, a new connection is closed at once
//!   (plain HTTP: after a best-effort `503` with `Retry-After`), so that
//!   file descriptors never run out and established clients keep being
//!   served.
//! - A connection that does not complete a request head (or its TLS
//!   handshake) within `header_read_timeout` of connecting, or of its first
//!   byte after a response, is closed; so is one idle for `idle_timeout`,
//!   and one whose client has not taken any response byte for
//!   `write_timeout` (update streams included). Requests themselves are
//!   bounded by the request timeout ([`crate::ServerConfig`]).
//! - On shutdown the listener closes, every connection is asked to finish
//!   its request in flight and close, and after `shutdown_grace` whatever
//!   is still open is dropped: the server returns whatever clients hold.
//!
//! Timeouts are checked by one watchdog tick per connection (a tenth of
//! the shortest timeout, between 50 ms and 1 s): a connection closes within
//! one tick after its deadline, and requests cost no timer work.

mod activity;
mod metrics;
mod preface;
mod service;

pub use activity::Expiry;
pub use metrics::ConnMetrics;
pub use preface::{Preface, PrefaceOutcome};
pub use service::{Lane, LaneFuture};

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use activity::{Activity, Tracked};
use service::ConnService;

/// Limits on client connections (`[server]` keys of the same names).
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Connections open at once; more are closed at once.
    pub max_connections: usize,
    /// Time to send a request head (and to finish the TLS handshake).
    pub header_read_timeout: Duration,
    /// Time a connection may stay open without a request.
    pub idle_timeout: Duration,
    /// Time a client may leave a response's bytes untaken.
    pub write_timeout: Duration,
    /// On shutdown, time for requests in flight to finish.
    pub shutdown_grace: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 10_000,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            write_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

impl ConnectionLimits {
    fn watchdog_tick(&self) -> Duration {
        let shortest = self
            .header_read_timeout
            .min(self.idle_timeout)
            .min(self.write_timeout);
        (shortest / 10).clamp(Duration::from_millis(50), Duration::from_secs(1))
    }
}

/// What every connection task shares.
#[derive(Debug, Clone)]
struct Shared {
    router: Router,
    lane: Option<Arc<dyn Lane>>,
    tls: Option<Arc<rustls::ServerConfig>>,
    limits: ConnectionLimits,
    metrics: ConnMetrics,
    /// Read before HTTP on plain (not TLS) connections.
    preface: Option<Arc<dyn Preface>>,
    /// Cancelled when shutdown begins: finish the request in flight.
    drain: CancellationToken,
    /// Cancelled when the grace period is over: close now.
    stop: CancellationToken,
}

/// Accepts connections on `listener` and serves `router` on them until
/// `shutdown` completes; then drains them (see the module doc). Public
/// for other HTTP listeners of altofed (`altofed route`'s fronts).
pub async fn serve_connections(
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    router: Router,
    limits: ConnectionLimits,
    metrics: ConnMetrics,
    shutdown: impl Future<Output = ()>,
) {
    let plain = Plain {
        router,
        preface: None,
    };
    serve_connections_with(listener, tls, plain, limits, metrics, shutdown).await;
}

/// What is served on plain connections: `router`, after `preface` (a
/// PROXY protocol header for `altofed route`) if there is one. The
/// preface must come within `header_read_timeout`; it is not read on TLS
/// connections.
#[derive(Debug)]
pub struct Plain {
    pub router: Router,
    pub preface: Option<Arc<dyn Preface>>,
}

/// [`serve_connections`] with a preface read first on plain connections.
pub async fn serve_connections_with(
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    plain: Plain,
    limits: ConnectionLimits,
    metrics: ConnMetrics,
    shutdown: impl Future<Output = ()>,
) {
    let shared = Shared::new(plain, None, tls, limits, metrics);
    accept_until(listener, shared, shutdown).await;
}

/// [`serve_connections`] with `lane` taking its requests before `router`.
pub(crate) async fn serve_connections_with_lane(
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    (router, lane): (Router, Arc<dyn Lane>),
    limits: ConnectionLimits,
    metrics: ConnMetrics,
    shutdown: impl Future<Output = ()>,
) {
    let plain = Plain {
        router,
        preface: None,
    };
    let shared = Shared::new(plain, Some(lane), tls, limits, metrics);
    accept_until(listener, shared, shutdown).await;
}

impl Shared {
    fn new(
        Plain { router, preface }: Plain,
        lane: Option<Arc<dyn Lane>>,
        tls: Option<Arc<rustls::ServerConfig>>,
        limits: ConnectionLimits,
        metrics: ConnMetrics,
    ) -> Self {
        Self {
            router,
            lane,
            tls,
            limits,
            metrics,
            preface,
            drain: CancellationToken::new(),
            stop: CancellationToken::new(),
        }
    }
}

/// Accepts and serves connections until `shutdown`, then drains them.
async fn accept_until(listener: TcpListener, shared: Shared, shutdown: impl Future<Output = ()>) {
    let slots = Arc::new(Semaphore::new(shared.limits.max_connections.max(1)));
    let tasks = TaskTracker::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(&e).await;
                    continue;
                }
            },
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            refuse(&shared, tcp);
            continue;
        };
        tasks.spawn(connection(shared.clone(), tcp, peer, slot));
    }
    drop(listener);
    shared.drain.cancel();
    tasks.close();
    let grace = shared.limits.shutdown_grace;
    if tokio::time::timeout(grace, tasks.wait()).await.is_err() {
        tracing::warn!(
            connections = tasks.len(),
            "shutdown grace of {grace:?} over: closing the connections still open"
        );
        shared.stop.cancel();
        tasks.wait().await;
    }
}

/// Closes a connection over the limit; a plain HTTP client is told why
/// if its socket takes the few bytes at once.
fn refuse(shared: &Shared, tcp: TcpStream) {
    shared.metrics.refused();
    if shared.tls.is_none() {
        const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nretry-after: 1\r\n\
            content-length: 0\r\nconnection: close\r\n\r\n";
        let _ = tcp.try_write(BUSY);
    }
    drop(tcp);
}

/// Errors of `accept` that concern one connection are skipped; others
/// (e.g. out of file descriptors) are logged and waited out briefly, so
/// that the loop does not spin.
async fn accept_failed(e: &io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!("accept failed: {e}");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// One connection, from its TLS handshake to its close.
async fn connection(shared: Shared, tcp: TcpStream, peer: SocketAddr, slot: OwnedSemaphorePermit) {
    let _slot = slot;
    shared.metrics.opened();
    // Small writes (update stream events) go out at once.
    let _ = tcp.set_nodelay(true);
    match shared.tls.clone() {
        None => match shared.preface.clone() {
            None => drive(&shared, tcp, peer).await,
            Some(preface) => {
                let read = preface.read(tcp, peer);
                let read = tokio::time::timeout(shared.limits.header_read_timeout, read);
                tokio::select! {
                    done = read => match done {
                        Ok(Some((tcp, head, client))) => {
                            drive(&shared, preface::Rewound::new(head, tcp), client).await;
                        }
                        Ok(None) => tracing::debug!(%peer, "connection preface refused"),
                        Err(_) => shared.metrics.timed_out(Expiry::Header),
                    },
                    () = shared.drain.cancelled() => {}
                }
            }
        },
        Some(config) => {
            let handshake = tokio::time::timeout(
                shared.limits.header_read_timeout,
                TlsAcceptor::from(config).accept(tcp),
            );
            tokio::select! {
                done = handshake => match done {
                    Ok(Ok(stream)) => drive(&shared, stream, peer).await,
                    Ok(Err(e)) => tracing::debug!(%peer, "TLS handshake failed: {e}"),
                    Err(_) => shared.metrics.timed_out(Expiry::Header),
                },
                () = shared.drain.cancelled() => {}
            }
        }
    }
    shared.metrics.closed();
}

/// Serves HTTP/1.1 on `io` under the watchdog.
async fn drive<I>(shared: &Shared, io: I, peer: SocketAddr)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let activity = Activity::new();
    let service = ConnService {
        router: shared.router.clone(),
        lane: shared.lane.clone(),
        peer,
        activity: activity.clone(),
    };
    let io = TokioIo::new(Tracked::new(io, activity.clone()));
    let conn = hyper::server::conn::http1::Builder::new().serve_connection(io, service);
    let mut conn = std::pin::pin!(conn);
    let mut tick = tokio::time::interval(shared.limits.watchdog_tick());
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut draining = false;
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(%peer, "connection ended: {e}");
                }
                return;
            }
            _ = tick.tick() => {
                if let Some(why) = activity.expired(&shared.limits) {
                    tracing::debug!(%peer, phase = why.as_str(), "connection timed out");
                    shared.metrics.timed_out(why);
                    return;
                }
            }
            () = shared.drain.cancelled(), if !draining => {
                conn.as_mut().graceful_shutdown();
                draining = true;
            }
            () = shared.stop.cancelled() => return,
        }
    }
}
