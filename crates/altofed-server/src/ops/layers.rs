//! Cross-cutting layers: request ids with a tracing span per request, and
//! overload protection.

use std::time::Duration;

use axum::error_handling::HandleErrorLayer;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{BoxError, Router};
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::load_shed::LoadShedLayer;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::state::AppState;

/// The request id header.
pub const REQUEST_ID: &str = "x-request-id";

/// Every request gets an `x-request-id` (the client's, or a new UUID),
/// echoed on the response and recorded on the request's span.
pub(crate) fn request_ids(router: Router) -> Router {
    router
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// The span of one request: method, URI and request id.
pub fn request_span<B>(request: &Request<B>) -> Span {
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!("request", method = %request.method(), uri = %request.uri(), request_id = %id)
}

/// At most `max` requests of `router` at once; the next ones are answered
/// at once with 503 and `Retry-After` (RFC 7285 §8.5.3). One limit is
/// shared by all routes of `router`.
pub(crate) fn overload_limit(
    router: Router<AppState>,
    max: usize,
    retry_after: Duration,
) -> Router<AppState> {
    let secs = retry_after.as_secs().max(1);
    router.layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(move |_: BoxError| async move {
                overloaded(secs)
            }))
            .layer(LoadShedLayer::new())
            .layer(GlobalConcurrencyLimitLayer::new(max)),
    )
}

fn overloaded(retry_after_secs: u64) -> Response {
    tracing::warn!("overloaded: request shed");
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "server overloaded, retry later\n",
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}
