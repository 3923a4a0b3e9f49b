//! Liveness and readiness probes: always open, never load-shed.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::http::ApiError;
use crate::state::AppState;

/// `GET /healthz`: 200 while the process serves.
pub async fn healthz() -> Response {
    text(StatusCode::OK, "ok\n".to_owned())
}

/// `GET /readyz`: 503 until a snapshot exists and again once shutdown has
/// begun, else 200 with the snapshot generation.
pub async fn readyz(State(state): State<AppState>) -> Response {
    if state.shutdown_token().is_cancelled() {
        let mut response = text(
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting down\n".to_owned(),
        );
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    match state.snapshot() {
        Some(snapshot) => text(
            StatusCode::OK,
            format!("ready: snapshot generation {}\n", snapshot.generation),
        ),
        None => ApiError::Unavailable.into_response(),
    }
}

fn text(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}
