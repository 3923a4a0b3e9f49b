//! Errors as clients see them. ALTO-level problems are RFC 7285 §8.5 error
//! documents with status 400; HTTP-level ones (unknown URI, media types,
//! size, no data yet) are plain statuses with a short text, since no ALTO
//! error code fits them (RFC 7285 §8.5 lets the body be omitted then).

use altofed_model::error::ErrorDoc;
use altofed_model::media;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Seconds a client should wait before retrying while no snapshot exists.
const RETRY_AFTER_SECS: &str = "5";

#[derive(Debug)]
pub enum ApiError {
    /// An ALTO error document, always with 400 Bad Request.
    Alto(ErrorDoc),
    NotFound(String),
    /// The client's `Accept` excludes the resource's media type.
    NotAcceptable {
        media_type: &'static str,
    },
    /// The request `Content-Type` is not the one the resource accepts.
    UnsupportedMediaType {
        expected: &'static str,
    },
    /// The request body has a content coding other than identity (RFC
    /// 7694 §3): 415 with `Accept-Encoding: identity`.
    UnsupportedContentEncoding {
        coding: String,
    },
    /// The request body is larger than allowed.
    PayloadTooLarge {
        limit: usize,
    },
    /// No data to answer from yet (RFC 7285 §8.5.3).
    Unavailable,
    /// A limit of the server is reached (e.g. open update streams): 503
    /// for the server's own limits, 429 for a client's share; with
    /// `Retry-After`.
    TooMany {
        status: StatusCode,
        message: String,
    },
    Unauthorized {
        challenge: String,
    },
}

impl From<ErrorDoc> for ApiError {
    fn from(doc: ErrorDoc) -> Self {
        ApiError::Alto(doc)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Alto(doc) => {
                let body = serde_json::to_vec(&doc).unwrap_or_default();
                (
                    StatusCode::BAD_REQUEST,
                    [(header::CONTENT_TYPE, media::ERROR)],
                    body,
                )
                    .into_response()
            }
            ApiError::NotFound(what) => {
                text(StatusCode::NOT_FOUND, format!("no such resource: {what}"))
            }
            ApiError::NotAcceptable { media_type } => text(
                StatusCode::NOT_ACCEPTABLE,
                format!("this resource is only available as {media_type}"),
            ),
            ApiError::UnsupportedMediaType { expected } => text(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("request body must be {expected}"),
            ),
            ApiError::UnsupportedContentEncoding { coding } => {
                let mut response = text(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    format!("request bodies are read without content coding; got `{coding}`"),
                );
                response.headers_mut().insert(
                    header::ACCEPT_ENCODING,
                    HeaderValue::from_static("identity"),
                );
                response
            }
            ApiError::PayloadTooLarge { limit } => text(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("request body is over the limit of {limit} bytes"),
            ),
            ApiError::Unavailable => {
                let mut response = text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "no ALTO data has been published yet".to_owned(),
                );
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from_static(RETRY_AFTER_SECS),
                );
                response
            }
            ApiError::TooMany { status, message } => {
                let mut response = text(status, message);
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from_static(RETRY_AFTER_SECS),
                );
                response
            }
            ApiError::Unauthorized { challenge } => {
                let mut response = text(
                    StatusCode::UNAUTHORIZED,
                    "authentication required".to_owned(),
                );
                if let Ok(value) = HeaderValue::from_str(&challenge) {
                    response
                        .headers_mut()
                        .insert(header::WWW_AUTHENTICATE, value);
                }
                response
            }
        }
    }
}

fn text(status: StatusCode, message: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message + "\n",
    )
        .into_response()
}
