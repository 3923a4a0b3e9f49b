//! GET-mode resources: the IRD and every map, straight from the snapshot's
//! pre-encoded bodies.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::current;
use crate::http::negotiate::{not_modified, require_accept, send_resource};
use crate::http::ApiError;
use crate::state::AppState;

pub async fn directory(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let snapshot = current(&state)?;
    send_resource(&headers, &snapshot.directory, &state.config().cache)
}

pub async fn resource(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let snapshot = current(&state)?;
    let resource = snapshot.resources.get(&id).ok_or(ApiError::NotFound(id))?;
    // A 304 (or a 406) needs no body: one built on first use waits for a
    // client that reads it.
    require_accept(&headers, resource.media_type)?;
    if !not_modified(&headers, &resource.etag) {
        snapshot.build_bodies([resource.id.as_str()]).await;
    }
    send_resource(&headers, resource, &state.config().cache)
}
