//! One GET of an ALTO resource: `Accept` with the expected media type and
//! the ALTO error type, `If-None-Match` when an ETag is held, the whole
//! exchange bounded by the timeout, the `Content-Type` checked (RFC 7285
//! §8.3.4.2) and the body read chunk by chunk up to `max-bytes`.

use std::time::Duration;

use altofed_model::{media, ErrorDoc};
use reqwest::header::{HeaderMap, ACCEPT, CONTENT_TYPE, ETAG, IF_NONE_MATCH, WWW_AUTHENTICATE};
use reqwest::{Client, Response, StatusCode, Url};

use super::error::{FetchError, Target};

/// Limits of one exchange.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub timeout: Duration,
    pub max_bytes: u64,
    /// Whether credentials are configured (for the 401 message).
    pub credentials: bool,
}

/// The answer to a GET.
#[derive(Debug)]
pub(crate) enum Got {
    /// 304: what the held ETag names is current.
    NotModified,
    Body {
        bytes: Vec<u8>,
        etag: Option<String>,
        /// Where the body came from after redirects (relative URIs in an
        /// IRD resolve against it).
        url: Url,
    },
}

/// GETs `url`, expecting `media_type`.
pub(crate) async fn get(
    client: &Client,
    target: Target<'_>,
    media_type: &'static str,
    etag: Option<&str>,
    limits: Limits,
) -> Result<Got, FetchError> {
    let exchange = async {
        let mut request = client
            .get(target.url.clone())
            .header(ACCEPT, format!("{media_type},{}", media::ERROR));
        if let Some(etag) = etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        let response = request
            .send()
            .await
            .map_err(|e| target.classify(&e, limits.timeout))?;
        if response.status() == StatusCode::NOT_MODIFIED && etag.is_some() {
            return Ok(Got::NotModified);
        }
        let response = expect_ok(response, target, media_type, limits).await?;
        let etag = response
            .headers()
            .get(ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let url = response.url().clone();
        let bytes = read_body(response, target, limits).await?;
        Ok(Got::Body { bytes, etag, url })
    };
    tokio::time::timeout(limits.timeout, exchange)
        .await
        .map_err(|_| target.timeout(limits.timeout))?
}

/// Passes a 200 response with the right media type; anything else is an
/// error naming the status (and the ALTO error code, if one came).
pub(crate) async fn expect_ok(
    response: Response,
    target: Target<'_>,
    media_type: &'static str,
    limits: Limits,
) -> Result<Response, FetchError> {
    let status = response.status();
    if status != StatusCode::OK {
        let detail = status_detail(response, limits).await;
        return Err(FetchError::Status {
            peer: target.peer.to_owned(),
            method: target.method,
            url: Box::new(target.url.clone()),
            status,
            detail,
        });
    }
    let got = content_type(response.headers());
    if !got
        .as_deref()
        .is_some_and(|t| essence(t).eq_ignore_ascii_case(media_type))
    {
        return Err(target.media_type(got.as_deref(), media_type));
    }
    Ok(response)
}

/// The body, at most `max-bytes` of it (decompressed): a larger declared
/// length is refused unread, and reading stops as soon as the limit is
/// passed, whatever the headers said.
pub(crate) async fn read_body(
    mut response: Response,
    target: Target<'_>,
    limits: Limits,
) -> Result<Vec<u8>, FetchError> {
    if response
        .content_length()
        .is_some_and(|n| n > limits.max_bytes)
    {
        return Err(target.too_large(limits.max_bytes));
    }
    let capacity = response.content_length().unwrap_or(0).min(limits.max_bytes);
    let mut body = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| target.classify(&e, limits.timeout))?
    {
        if (body.len() + chunk.len()) as u64 > limits.max_bytes {
            return Err(target.too_large(limits.max_bytes));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn content_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// `type/subtype` without parameters.
pub(crate) fn essence(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or("").trim()
}

/// Largest error body read for its ALTO error code.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

/// What to add after `HTTP <status>`: a hint for 401, the ALTO error code
/// (and field) where the body is an ALTO error.
async fn status_detail(response: Response, limits: Limits) -> String {
    if response.status() == StatusCode::UNAUTHORIZED {
        let scheme = response
            .headers()
            .get(WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_whitespace().next())
            .map(str::to_owned);
        let asks = scheme.map_or(String::new(), |s| format!(" (it asks for {s})"));
        return if limits.credentials {
            format!(": the peer refused our credentials{asks}")
        } else {
            format!(": the peer requires credentials{asks}; set basic-user/basic-password or bearer-token")
        };
    }
    let is_alto_error = content_type(response.headers())
        .is_some_and(|t| essence(&t).eq_ignore_ascii_case(media::ERROR));
    if !is_alto_error || response.content_length().unwrap_or(0) > ERROR_BODY_LIMIT {
        return String::new();
    }
    let Ok(bytes) = response.bytes().await else {
        return String::new();
    };
    match serde_json::from_slice::<ErrorDoc>(&bytes) {
        Ok(doc) => match doc.meta.field() {
            Some(field) => format!(" (ALTO error {} at `{field}`)", doc.meta.code()),
            None => format!(" (ALTO error {})", doc.meta.code()),
        },
        Err(_) => String::new(),
    }
}
