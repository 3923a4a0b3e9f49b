//! The HTTP side: `POST /updates` opens a stream (RFC 8895 §6), `POST
//! /updates/control/{id}` controls one (RFC 8895 §7).

use std::net::SocketAddr;

use altofed_model::media;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::body::response;
use super::request::UpdateStreamParams;
use crate::http::body::decode;
use crate::http::negotiate::require_accept;
use crate::http::ApiError;
use crate::state::AppState;

/// Opens an update stream. Any error is answered before the stream starts,
/// with no event sent (RFC 8895 §6.6).
pub(super) async fn open(
    State(app): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    require_accept(&headers, media::EVENT_STREAM)?;
    let params: UpdateStreamParams = decode(
        &headers,
        body,
        media::UPDATE_STREAM_PARAMS,
        app.config().max_body_bytes,
    )?;
    let id = new_control_id()?;
    let streams = app.update_streams().clone();
    if let Some(add) = &params.add {
        streams.build_bodies(&app, add).await;
    }
    let opened = streams.open(&app, &params, id, client.ip())?;
    Ok(response(streams, opened))
}

/// Adds or removes substreams: 204 once done, 400 for an invalid request,
/// 404 for an unknown (or closed) stream (RFC 8895 §7.6).
pub(super) async fn control(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, ApiError> {
    let params: UpdateStreamParams = decode(
        &headers,
        body,
        media::UPDATE_STREAM_PARAMS,
        app.config().max_body_bytes,
    )?;
    if let Some(add) = &params.add {
        app.update_streams().build_bodies(&app, add).await;
    }
    app.update_streams().control(&id, &params)?;
    Ok(StatusCode::NO_CONTENT)
}

/// 128 random bits from the OS, in hex: the control URI alone identifies
/// the stream and is hard to guess (RFC 8895 §7.1).
fn new_control_id() -> Result<String, ApiError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| {
        tracing::error!(error = %e, "no randomness for an update stream control URI");
        ApiError::Unavailable
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
