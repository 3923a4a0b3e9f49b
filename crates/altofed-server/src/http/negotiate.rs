//! Content negotiation for pre-encoded resources: `Accept` (RFC 7285
//! §8.3.3: clients send the resource's type, often with
//! `application/alto-error+json`), `Accept-Encoding`, and conditional GET
//! with `If-None-Match`.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::cache::CachePolicy;
use super::error::ApiError;
use crate::snapshot::{Coding, Resource};

/// Whether `Accept` admits `media_type` (absent `Accept` admits anything).
pub fn accepts(headers: &HeaderMap, media_type: &str) -> bool {
    let Some(accept) = headers.get(header::ACCEPT) else {
        return true;
    };
    // What an ALTO client usually sends: the media type first, without
    // parameters, then perhaps the error type. Admitted without parsing
    // the rest, on the endpoint cost service's every request.
    let rest = accept.as_bytes().strip_prefix(media_type.as_bytes());
    if rest.is_some_and(|rest| matches!(rest.first(), None | Some(b','))) {
        return true;
    }
    let Ok(accept) = accept.to_str() else {
        return true;
    };
    let (top, _) = media_type.split_once('/').unwrap_or((media_type, ""));
    accept.split(',').any(|range| {
        let mut parts = range.split(';');
        let essence = parts.next().unwrap_or("").trim();
        let refused = parts.any(|p| matches!(p.trim().strip_prefix("q="), Some(q) if q.trim().parse::<f32>().ok() == Some(0.0)));
        !refused
            && (essence == "*/*"
                || essence.eq_ignore_ascii_case(media_type)
                || essence.strip_suffix("/*").is_some_and(|t| t.eq_ignore_ascii_case(top)))
    })
}

/// Fails with 406 unless `Accept` admits `media_type`.
pub fn require_accept(headers: &HeaderMap, media_type: &'static str) -> Result<(), ApiError> {
    if accepts(headers, media_type) {
        Ok(())
    } else {
        Err(ApiError::NotAcceptable { media_type })
    }
}

/// The best coding the client accepts among those `available`.
pub fn choose_coding(headers: &HeaderMap, available: impl Fn(Coding) -> bool) -> Coding {
    let accept = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let weight = |name: &str| -> f32 {
        accept
            .split(',')
            .filter_map(|item| {
                let mut parts = item.split(';');
                let coding = parts.next()?.trim();
                (coding.eq_ignore_ascii_case(name) || coding == "*").then(|| {
                    parts
                        .find_map(|p| p.trim().strip_prefix("q=")?.trim().parse().ok())
                        .unwrap_or(1.0)
                })
            })
            .fold(0.0, f32::max)
    };
    [Coding::Zstd, Coding::Gzip]
        .into_iter()
        .filter(|c| available(*c))
        .map(|c| (c, weight(c.header().unwrap_or(""))))
        .filter(|(_, w)| *w > 0.0)
        // Highest weight; on a tie the earlier (preferred) coding.
        .fold(None, |best: Option<(Coding, f32)>, (c, w)| match best {
            Some((_, bw)) if bw >= w => best,
            _ => Some((c, w)),
        })
        .map_or(Coding::Identity, |(c, _)| c)
}

/// Whether `If-None-Match` matches the resource (any coding of it).
pub fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    let Some(value) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    value.split(',').any(|candidate| {
        let candidate = candidate.trim();
        if candidate == "*" {
            return true;
        }
        let opaque = candidate.trim_start_matches("W/").trim_matches('"');
        let base = ["-zst", "-gz"]
            .iter()
            .find_map(|s| opaque.strip_suffix(s))
            .unwrap_or(opaque);
        base == etag
    })
}

/// A GET response for a pre-encoded resource: 406 if not acceptable, 304
/// if the client has it, else the body in the best coding with its ETag.
/// A 304 carries the ETag, `Vary` and `Cache-Control` the 200 would
/// (RFC 9110 §15.4.5), so a cache refreshes its stored answer with them.
pub fn send_resource(
    headers: &HeaderMap,
    resource: &Resource,
    cache: &CachePolicy,
) -> Result<Response, ApiError> {
    require_accept(headers, resource.media_type)?;
    let coding = choose_coding(headers, |c| resource.body.offers(c));
    let etag = format!("\"{}{}\"", resource.etag, coding.etag_suffix());
    let etag = HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"\""));
    let mut response = if not_modified(headers, &resource.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let body = resource.body.get(coding).unwrap_or(&resource.body.identity);
        let mut response = (StatusCode::OK, Body::new(body.http_body())).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(resource.media_type),
        );
        if let Some(name) = coding.header() {
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
        }
        response
    };
    let h = response.headers_mut();
    h.insert(header::ETAG, etag);
    // The body varies by Accept-Encoding (one coding per answer, each
    // with its own ETag); so does a 304, which names the coding's ETag.
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(header::CACHE_CONTROL, cache.header(&resource.id));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_admits_the_type_first_or_anywhere_unless_refused() {
        let ecs = "application/alto-endpointcost+json";
        let admits = |accept: &[u8]| {
            let mut headers = HeaderMap::new();
            let value = HeaderValue::from_bytes(accept).expect("a header value");
            headers.insert(header::ACCEPT, value);
            accepts(&headers, ecs)
        };
        assert!(accepts(&HeaderMap::new(), ecs), "no Accept");
        let cases: [(&[u8], bool); 16] = [
            (b"application/alto-endpointcost+json", true),
            (
                b"application/alto-endpointcost+json,application/alto-error+json",
                true,
            ),
            (b"application/alto-endpointcost+json, text/html", true),
            (
                b"application/alto-error+json,application/alto-endpointcost+json",
                true,
            ),
            (b"APPLICATION/ALTO-ENDPOINTCOST+JSON", true),
            (b"application/alto-endpointcost+json;q=0.5", true),
            (b"application/*", true),
            (b"*/*", true),
            // Not visible ASCII: read as no Accept, as before.
            (b"application/alto-endpointcost+json,\xe9", true),
            (b"text/html,\xe9", true),
            (b"application/alto-endpointcost+json;q=0", false),
            (
                b"application/alto-endpointcost+json; q=0.0,text/html",
                false,
            ),
            (b"application/alto-endpointcost+jsonx", false),
            (
                b"application/alto-endpointcost+json-seq,application/alto-error+json",
                false,
            ),
            (b"application/alto-error+json", false),
            (b"text/*", false),
        ];
        for (accept, admitted) in cases {
            let text = String::from_utf8_lossy(accept);
            assert_eq!(admits(accept), admitted, "{text}");
        }
    }
}
