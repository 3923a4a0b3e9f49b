//! Putting it together: the router, and `run(listener, state, shutdown)`
//! that serves until `shutdown` resolves, then lets in-flight requests
//! finish.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::Router;
use tokio::net::TcpListener;
use tower_http::timeout::TimeoutLayer;

use crate::http::body::DEFAULT_BODY_LIMIT;
use crate::routes;
use crate::state::AppState;

/// Settings of the HTTP server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest request body accepted (413 above it).
    pub max_body_bytes: usize,
    /// Time limit for one request (not for update streams).
    pub request_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: DEFAULT_BODY_LIMIT,
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// All routes with their layers.
pub fn router(state: AppState) -> Router {
    let config = state.config().clone();
    routes::alto_routes()
        .merge(crate::sse::routes())
        .merge(crate::ops::routes())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            config.request_timeout,
        ))
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .with_state(state)
}

/// Serves `state` on `listener` until `shutdown` completes; requests in
/// flight then finish before this returns.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
