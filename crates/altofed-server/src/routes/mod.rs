//! The ALTO resources. GET resources answer from pre-encoded bodies; POST
//! services compute their answer from the snapshot's typed documents.

mod costfilter;
mod direction;
mod ecsparams;
mod endpoint;
mod endpointcost;
mod filtered;
mod get;
mod jsonout;
mod limits;
mod offload;
mod propmap;
mod unusable;

pub(crate) use direction::pid_is_cdn;
pub use direction::PublishedDirection;
pub(crate) use endpoint::endpoint_costs;
pub use limits::DEFAULT_MAX_PAIRS_PER_REQUEST;
pub use offload::WorkPool;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

use crate::http::ApiError;
use crate::snapshot::{Snapshot, ENDPOINT_COST_URI, ENDPOINT_PROP_URI};
use crate::state::AppState;

pub fn alto_routes() -> Router<AppState> {
    Router::new()
        .route("/directory", get(get::directory))
        .route("/maps/{id}", get(get::resource))
        .route("/maps/{id}/filtered", post(filtered::filtered))
        .route(ENDPOINT_PROP_URI, post(endpoint::endpoint_properties))
        .route(ENDPOINT_COST_URI, post(endpoint_costs))
}

/// The current snapshot, or 503 while there is none.
fn current(state: &AppState) -> Result<Arc<Snapshot>, ApiError> {
    state.snapshot().ok_or(ApiError::Unavailable)
}

/// A computed answer already in its JSON text. The media type is a
/// static header value: no copy of it per response; and it is the only
/// header set (a `Vec<u8>`'s own response would set one to replace).
fn json_bytes_response(media_type: &'static str, body: Vec<u8>) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let mut response = axum::response::Response::new(axum::body::Body::from(body));
    let media_type = HeaderValue::from_static(media_type);
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, media_type);
    response
}
