//! Cross-cutting layers: request ids with a tracing span per request,
//! metrics, body limit and timeout on every route (overload protection:
//! `super::overload`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Request, StatusCode};
use axum::Router;
use tower::ServiceBuilder;
use tower_http::classify::ServerErrorsFailureClass;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

use super::track::TrackLayer;
use crate::state::AppState;

/// The request id header.
pub const REQUEST_ID: &str = "x-request-id";

/// The layers every route gets, outermost first: request id (the
/// client's, or a new [`SequentialIds`] one), trace span, request id echo
/// on the response, metrics, body limit, timeout. All in one
/// `Router::layer` call: axum boxes each route's service once per call and
/// clones that box per request, so separate calls cost per layer.
pub(crate) fn common(router: Router, state: AppState) -> Router {
    let (max_body_bytes, timeout) = {
        let config = state.config();
        (config.max_body_bytes, config.request_timeout)
    };
    router.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::x_request_id(SequentialIds))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(request_span)
                    .on_failure(log_failure),
            )
            .layer(PropagateRequestIdLayer::x_request_id())
            .layer(TrackLayer::new(state))
            .layer(DefaultBodyLimit::max(max_body_bytes))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::SERVICE_UNAVAILABLE,
                timeout,
            )),
    )
}

/// A 5xx answer, logged in the request's span. A 503 is what altofed
/// answers on purpose (not ready before the first snapshot, a request
/// past its timeout, load shed): the client is told, metrics count it,
/// and it is no fault of the service, so it is not an ERROR. Every other
/// 5xx is one.
pub(crate) fn log_failure(failure: ServerErrorsFailureClass, latency: Duration, _span: &Span) {
    let ms = latency.as_millis();
    match failure {
        ServerErrorsFailureClass::StatusCode(StatusCode::SERVICE_UNAVAILABLE) => {
            tracing::info!(latency_ms = ms, "answered 503 Service Unavailable");
        }
        ServerErrorsFailureClass::StatusCode(code) => {
            tracing::error!(latency_ms = ms, status = %code, "response failed");
        }
        ServerErrorsFailureClass::Error(error) => {
            tracing::error!(latency_ms = ms, %error, "response failed");
        }
    }
}

/// The span of one request: method, URI and request id.
pub fn request_span<B>(request: &Request<B>) -> Span {
    // Spans are off in most benchmarks and often in production: skip even
    // the header lookup then (the macro alone would not format the fields).
    if !tracing::level_enabled!(tracing::Level::INFO) {
        return Span::none();
    }
    request_span_with_id(request, request.headers().get(REQUEST_ID))
}

/// [`request_span`] with the request id given (the endpoint cost lane
/// does not set it on the request).
pub(crate) fn request_span_with_id<B>(request: &Request<B>, id: Option<&HeaderValue>) -> Span {
    if !tracing::level_enabled!(tracing::Level::INFO) {
        return Span::none();
    }
    let id = id.and_then(|v| v.to_str().ok()).unwrap_or("");
    tracing::info_span!("request", method = %request.method(), uri = %request.uri(), request_id = %id)
}

/// Request ids unique in this process and, with 60 random bits per
/// process, across processes: a random prefix drawn once and a counter.
/// A v4 UUID per request cost a `getrandom` system call and two
/// allocations each time. The text keeps the UUID shape (8-4-4-4-12
/// lowercase hex digits; version 8, "custom", RFC 9562 §5.8), so log
/// tooling that expects UUIDs still takes it.
#[derive(Debug, Clone, Copy, Default)]
pub struct SequentialIds;

impl SequentialIds {
    /// The next id's 36 characters.
    pub fn next_id() -> [u8; 36] {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        uuid_text(process_prefix(), count)
    }
}

impl MakeRequestId for SequentialIds {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_bytes(&Self::next_id())
            .ok()
            .map(RequestId::new)
    }
}

/// 64 bits drawn once per process (the clock if the OS has no randomness).
fn process_prefix() -> u64 {
    static PREFIX: OnceLock<u64> = OnceLock::new();
    *PREFIX.get_or_init(|| {
        getrandom::u64().unwrap_or_else(|_| {
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            // Truncation is fine: only the low, fast-changing bits matter.
            (nanos as u64) ^ u64::from(std::process::id()).rotate_left(32)
        })
    })
}

/// A version 8 UUID: 60 bits of `prefix` (48 + 12 around the version
/// nibble), the variant bits `10`, then the low 62 bits of `count`.
fn uuid_text(prefix: u64, count: u64) -> [u8; 36] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let high = (prefix & !0xf000) | 0x8000;
    let low = (count & (u64::MAX >> 2)) | (0b10 << 62);
    let value = (u128::from(high) << 64) | u128::from(low);
    let mut out = [b'-'; 36];
    let digits = out
        .iter_mut()
        .enumerate()
        .filter(|(i, _)| !matches!(i, 8 | 13 | 18 | 23));
    for (n, (_, slot)) in digits.enumerate() {
        *slot = HEX[(value >> (124 - 4 * n)) as usize & 0xf];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_version_8_uuids_that_differ_by_the_counter() {
        let text = uuid_text(0x0123_4567_89ab_cdef, 5);
        assert_eq!(&text, b"01234567-89ab-8def-8000-000000000005");
        let big = uuid_text(u64::MAX, u64::MAX);
        assert_eq!(&big, b"ffffffff-ffff-8fff-bfff-ffffffffffff");
        assert_ne!(SequentialIds::next_id(), SequentialIds::next_id());
    }
}
