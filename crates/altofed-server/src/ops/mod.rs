//! Operations: probes, metrics, request ids and tracing, authentication,
//! TLS, overload protection and the admin API.
//!
//! - `GET /healthz`, `GET /readyz`, `GET /metrics`: always open.
//! - [`admin`]: node status and recompute requests, behind the admin auth.
//! - [`nodes`]: CDN node status in the property map; [`node_book`]: the
//!   statuses and the single flight that publishes their changes in
//!   batches.
//! - [`auth`]: Basic / Bearer for the ALTO resources and the admin API.
//! - [`tls`]: PEM files -> rustls, and a TLS [`axum::serve::Listener`].
//! - [`events`]: hooks that receive admin events (the engine's entry).
//! - [`layers`]: request ids, tracing, timeout; `overload`: 503 +
//!   `Retry-After` above the concurrent request limit.
//! - [`track`]: counting and timing requests for [`metrics`].
//! - `lane`: the endpoint cost service answered before the router, with
//!   the steps of the layers above done inline.

pub mod admin;
pub mod auth;
pub mod events;
mod health;
mod lane;
pub mod layers;
pub mod metrics;
pub mod node_batch;
pub mod node_book;
mod node_scope;
pub mod nodes;
mod overload;
pub mod tls;
pub mod track;

use axum::routing::get;
use axum::Router;

pub(crate) use lane::EcsLane;
pub(crate) use overload::{overload_limit, Shedder};

use crate::state::AppState;

pub use auth::Auth;
pub use events::{AdminEvent, EventHook};
pub use metrics::{Metrics, PublishCause};
pub use node_book::{NodeChangeError, NodeChanges};
pub use nodes::{Health, NodeStatus};
pub use tls::{TlsConfig, TlsError};

/// Routes of the operations endpoints (no authentication, no load shedding).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::metrics))
}
