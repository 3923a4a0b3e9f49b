//! RFC 8895 update streams: `POST /updates` answers with a
//! `text/event-stream` that first names the stream's control URI, then
//! sends a full replacement of each requested resource (unless the client
//! already has its current tag), then, whenever a snapshot is published, a
//! JSON merge patch (RFC 7396) or JSON patch (RFC 6902) per changed
//! resource, the network map first. `POST /updates/control/{id}` adds and
//! removes substreams (RFC 8895 §7).
//!
//! - [`frame`]: SSE events and `data:` lines.
//! - [`patch`]: merge-patch diff of JSON values (for small parts such as
//!   a document's meta).
//! - `diff`: a resource's patches from the snapshots' structures.
//! - `request`: the request body and its validation.
//! - `registry`, `control`, `hub`, `transition`: open streams, stream
//!   control, following snapshots, patches computed once for all streams.
//! - `queue`, `body`: the bounded per-client queue and the response body.
//!
//! A stream's pending events are bounded ([`StreamConfig::queue_capacity`]
//! batches, one batch per snapshot or control request). A client that
//! falls that far behind is disconnected (the connection is cut, not
//! ended, so it knows); it can reconnect with its tags to resync. Nothing
//! ever waits for a client: not the publisher, not other streams.

mod body;
mod control;
mod diff;
pub mod frame;
mod handlers;
mod hub;
pub mod patch;
mod queue;
mod registry;
mod request;
mod transition;

use std::time::Duration;

use axum::routing::post;
use axum::Router;

pub use patch::{merge_diff, Updates};
pub use registry::UpdateStreams;
pub use request::{AddMap, AddUpdatesReq, UpdateStreamParams};
pub use transition::update_between;

use crate::snapshot::UPDATE_STREAM_URI;
use crate::state::AppState;

/// Settings of the update stream service.
#[derive(Debug, Clone)]
pub struct StreamConfig {
    /// A comment is sent after this long without an event (RFC 8895 §6.8
    /// suggests 15 s).
    pub keep_alive: Duration,
    /// Batches of events a stream may have pending (one batch per published
    /// snapshot or control request) before the client is disconnected.
    pub queue_capacity: usize,
    /// `data:` lines are broken near this length (RFC 8895 §9.5 recommends
    /// a bound); `None` puts each JSON body on a single line.
    pub max_data_line: Option<usize>,
    /// Open streams allowed at once; further requests get 503.
    pub max_streams: usize,
    /// Open streams allowed from one client address; further requests
    /// from it get 429.
    pub max_streams_per_client: usize,
}

impl Default for StreamConfig {
    fn default() -> Self {
        Self {
            keep_alive: Duration::from_secs(15),
            queue_capacity: 64,
            max_data_line: Some(16 * 1024),
            max_streams: 10_000,
            max_streams_per_client: 64,
        }
    }
}

/// The control URI of stream `id`, a path relative to the server, which
/// clients resolve against the update stream URI (RFC 8895 §7.1).
pub fn control_uri(id: &str) -> String {
    format!("{UPDATE_STREAM_URI}/control/{id}")
}

/// Routes of the update stream service.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(UPDATE_STREAM_URI, post(handlers::open))
        .route(&control_uri("{id}"), post(handlers::control))
}
