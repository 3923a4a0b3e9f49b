//! Putting it together: the router, and `run(listener, state, shutdown)`
//! that serves (HTTP, or HTTPS when configured) until `shutdown` resolves,
//! then lets in-flight requests finish within a grace period.
//!
//! Layers, outermost first: request id, trace span, request id echo,
//! metrics, body limit, timeout (`ops::layers::common`); then per route
//! group: overload limit (ALTO resources, update streams, admin API),
//! authentication (ALTO or admin). `/healthz`, `/readyz` and `/metrics` have
//! neither. On `run`'s connections `POST /endpointcost` is served before
//! the router by `ops::EcsLane`, which takes the same steps inline.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::middleware::from_fn_with_state;
use axum::Router;
use tokio::net::TcpListener;

use crate::conn::{self, ConnectionLimits};
use crate::http::body::DEFAULT_BODY_LIMIT;
use crate::ops::auth::{self, Auth, Guard, ADMIN_REALM, ALTO_REALM};
use crate::ops::tls::TlsConfig;
use crate::ops::{admin, layers, EcsLane, Shedder};
use crate::routes;
use crate::state::AppState;

/// Settings of the HTTP server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest request body accepted (413 above it).
    pub max_body_bytes: usize,
    /// Distinct source-destination pairs one filtered cost map or endpoint
    /// cost request may ask for (an ALTO error above it).
    pub max_pairs_per_request: u64,
    /// Time limit for one request (not for update streams).
    pub request_timeout: Duration,
    /// Credentials for the ALTO resources and update streams (`None`: open).
    pub alto_auth: Option<Auth>,
    /// Whether the admin API (`/admin/...`) is served.
    pub admin_api: bool,
    /// Credentials for the admin API (`None`: open, which is logged as a
    /// warning; only sensible on a loopback or otherwise private listener).
    pub admin_auth: Option<Auth>,
    /// Serve HTTPS with this certificate and key (`None`: plain HTTP).
    pub tls: Option<TlsConfig>,
    /// Requests handled at once (ALTO, update stream and admin routes
    /// together; probes and metrics are not counted). Above it: 503 with
    /// `Retry-After`. `None`: no limit.
    pub max_concurrent_requests: Option<usize>,
    /// The `Retry-After` sent with overload 503s (whole seconds, at least 1).
    pub overload_retry_after: Duration,
    /// RFC 8895 update streams: keep-alive, per-client queue, line length.
    pub update_streams: crate::sse::StreamConfig,
    /// Client connections: how many, and their timeouts.
    pub connections: ConnectionLimits,
    /// Large POST answers computed at once, on the blocking pool (`None`:
    /// one per core); more wait their turn within the request timeout.
    pub request_jobs: Option<usize>,
    /// The direction the cost maps publish (`output.direction`): a cost
    /// request entirely in the other one is an error saying so. `None`:
    /// not known (static files, demo), no such check.
    pub published_direction: Option<routes::PublishedDirection>,
    /// A node status may be set only for an address in a CDN PID of the
    /// network map (`ops::node_scope`); `altofed serve` turns it on. Off:
    /// any address (static files have no CDN topology to check against).
    pub nodes_in_cdn_pids: bool,
    /// `Cache-Control` of GET answers (default: `no-cache` for all).
    pub cache: crate::http::CachePolicy,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: DEFAULT_BODY_LIMIT,
            max_pairs_per_request: routes::DEFAULT_MAX_PAIRS_PER_REQUEST,
            request_timeout: Duration::from_secs(30),
            alto_auth: None,
            admin_api: true,
            admin_auth: None,
            tls: None,
            max_concurrent_requests: Some(1024),
            overload_retry_after: Duration::from_secs(1),
            update_streams: crate::sse::StreamConfig::default(),
            connections: ConnectionLimits::default(),
            request_jobs: None,
            published_direction: None,
            nodes_in_cdn_pids: false,
            cache: crate::http::CachePolicy::default(),
        }
    }
}

/// All routes with their layers.
pub fn router(state: AppState) -> Router {
    app(state).0
}

/// The router, and the lane that serves the endpoint cost service before
/// it on `run`'s connections (`ops::EcsLane`), sharing its overload limit
/// and credentials.
fn app(state: AppState) -> (Router, EcsLane) {
    let config = state.config().clone();
    let alto_guard = config.alto_auth.as_ref().map(|a| Guard::new(a, ALTO_REALM));
    let mut alto = routes::alto_routes().merge(crate::sse::routes());
    if let Some(guard) = &alto_guard {
        alto = alto.route_layer(from_fn_with_state(guard.clone(), auth::require));
    }
    let mut limited = alto;
    if config.admin_api {
        let mut admin = admin::routes();
        match &config.admin_auth {
            Some(auth) => {
                admin = admin.route_layer(from_fn_with_state(
                    Guard::new(auth, ADMIN_REALM),
                    auth::require,
                ))
            }
            None => tracing::warn!("the admin API is served without authentication"),
        }
        limited = limited.merge(admin);
    }
    let shedder =
        (config.max_concurrent_requests).map(|max| Shedder::new(max, config.overload_retry_after));
    if let Some(shedder) = &shedder {
        limited = crate::ops::overload_limit(limited, shedder.clone());
    }
    let app = limited.merge(crate::ops::routes());
    let lane = EcsLane::new(state.clone(), shedder, alto_guard);
    (layers::common(app.with_state(state.clone()), state), lane)
}

/// Serves `state` on `listener` until `shutdown` completes (or
/// [`AppState::shutdown`] is called); requests in flight then have
/// `connections.shutdown_grace` to finish before this returns (see
/// [`crate::conn`]). HTTPS when `state.config().tls` is set: the
/// certificate files are read here, and an error in them is
/// `InvalidInput`.
///
/// When shutdown begins, [`AppState::shutdown_token`] is cancelled so that
/// update streams end.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let tls = match state.config().tls.clone() {
        Some(tls) => {
            let config = tls
                .load()
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
            Some(config)
        }
        None => None,
    };
    let token = state.shutdown_token();
    let _timer = AbortOnDrop(tokio::spawn(keep_a_timer_pending()));
    let signal = {
        let token = token.clone();
        async move {
            tokio::select! {
                () = shutdown => {}
                () = token.cancelled() => {}
            }
            tracing::info!("shutting down: finishing requests in flight");
            token.cancel();
        }
    };
    let limits = state.config().connections.clone();
    let metrics = state.connection_metrics().clone();
    let (router, lane) = app(state);
    let routes = (router, Arc::new(lane) as Arc<dyn conn::Lane>);
    conn::serve_connections_with_lane(listener, tls, routes, limits, metrics, signal).await;
    token.cancel();
    Ok(())
}

/// Keeps a timer due within a second pending, for as long as the server
/// runs. tokio's timer driver makes a system call (an eventfd write, to wake
/// itself) whenever a timer is registered while it knows of none due
/// sooner; with the request timeout armed for every request, and no timer
/// left between requests, that was one `write` per request. With this one
/// pending, request deadlines (`request_timeout` ahead, 30 s by default)
/// are never the soonest. It costs a wake-up per second.
async fn keep_a_timer_pending() {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Aborts the task when dropped (the server's future may be dropped
/// rather than run to its end).
#[derive(Debug)]
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
