//! POST bodies of one ALTO request media type, checked and parsed, with
//! every failure mapped to the error a client should see:
//! wrong `Content-Type` -> 415, a content coding other than identity ->
//! 415 with `Accept-Encoding: identity` (RFC 7694 §3), too large -> 413,
//! bad JSON or bytes after it -> `E_SYNTAX`, missing member ->
//! `E_MISSING_FIELD` with its `/`-separated path, wrong JSON type (an
//! array where an object belongs, too) -> `E_INVALID_FIELD_TYPE`, without
//! `field` when the whole body is not an object, bad value ->
//! `E_INVALID_FIELD_VALUE` (RFC 7285 §8.5.2).

use altofed_model::error::{ErrorCode, ErrorDoc};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{header, HeaderMap};
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use super::error::ApiError;

/// Limit on request bodies; requests are small (lists of PIDs or addresses).
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// Checks the `Content-Type` and the size, then parses the body.
pub fn decode<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    media_type: &'static str,
    limit: usize,
) -> Result<T, ApiError> {
    parse_body(&checked_body(headers, body, media_type, limit)?)
}

/// The body, once its `Content-Type` and size are right (for handlers
/// that parse it elsewhere, e.g. on a blocking thread). Any failure to
/// read the body is taken for the size limit, the only one a client can
/// cause and still be answered.
pub fn checked_body<E>(
    headers: &HeaderMap,
    body: Result<Bytes, E>,
    media_type: &'static str,
    limit: usize,
) -> Result<Bytes, ApiError> {
    check_content_type(headers, media_type)?;
    check_content_encoding(headers)?;
    body.map_err(|_| ApiError::PayloadTooLarge { limit })
}

/// Request bodies are read as sent: any content coding but `identity`
/// is refused (RFC 7694 §3, RFC 9110 §8.4).
fn check_content_encoding(headers: &HeaderMap) -> Result<(), ApiError> {
    for value in headers.get_all(header::CONTENT_ENCODING) {
        let text = value.to_str().unwrap_or("?");
        let coded = text
            .split(',')
            .map(str::trim)
            .find(|c| !c.is_empty() && !c.eq_ignore_ascii_case("identity"));
        if let Some(coding) = coded {
            let coding = coding.to_owned();
            return Err(ApiError::UnsupportedContentEncoding { coding });
        }
    }
    Ok(())
}

fn check_content_type(headers: &HeaderMap, expected: &'static str) -> Result<(), ApiError> {
    let given = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // Parameters (e.g. `; charset=utf-8`) are tolerated; the type must match.
    let essence = given.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case(expected) {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType { expected })
    }
}

/// Parses a request body, mapping serde's failure to one ALTO error; bytes
/// after the JSON value (other than whitespace) are `E_SYNTAX`.
/// Only a failed parse is repeated with path tracking (to name the field):
/// tracking the path costs on every value, and most bodies are valid.
pub fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    if let Ok(value) = T::deserialize(&mut de) {
        return de.end().map(|()| value).map_err(|e| syntax(&e));
    }
    if let Some(at) = nesting_exceeded(bytes, MAX_NESTING) {
        return Err(ApiError::Alto(ErrorDoc::syntax(Some(format!(
            "JSON nested deeper than {MAX_NESTING} levels at byte {at}"
        )))));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    match result {
        Ok(value) => de.end().map(|()| value).map_err(|e| syntax(&e)),
        Err(e) => {
            let path = e.path().to_string();
            Err(ApiError::Alto(classify(&path, e.inner())))
        }
    }
}

fn syntax(e: &serde_json::Error) -> ApiError {
    ApiError::Alto(ErrorDoc::syntax(Some(e.to_string())))
}

/// Arrays and objects nested deeper than any ALTO request needs (RFC 8895
/// stream requests, the deepest, use 5 levels). Deeper bodies are
/// `E_SYNTAX` saying so, instead of whatever type error the parser met
/// first on its way down.
pub const MAX_NESTING: usize = 32;

/// The offset of the first `[` or `{` nested deeper than `max`, outside
/// strings; `None` if there is none. Only run on bodies that failed to
/// parse: a scan of the bytes, no allocation.
fn nesting_exceeded(bytes: &[u8], max: usize) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (at, &b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Some(at);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn classify(path: &str, e: &serde_json::Error) -> ErrorDoc {
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => ErrorDoc::syntax(Some(e.to_string())),
        Category::Data => {
            let message = e.to_string();
            if let Some(name) = quoted_after(&message, "missing field `") {
                ErrorDoc::missing_field(join(path, name))
            } else if message.starts_with("invalid type") && path == "." {
                // The body itself is not an object: there is no field to name.
                ErrorDoc::new(ErrorCode::InvalidFieldType)
                    .with_message("the request body must be a JSON object")
            } else if message.starts_with("invalid type") && !path.ends_with(']') {
                ErrorDoc::invalid_field_type(slashed(path))
            } else {
                // A bad value, or an array element of the wrong type, which
                // RFC 7285 §8.5.2 also counts as an invalid value.
                match offending_value(&message) {
                    Some(value) => ErrorDoc::invalid_field_value(slashed(path), value),
                    None => ErrorDoc::with_field(ErrorCode::InvalidFieldValue, slashed(path)),
                }
            }
        }
    }
}

/// serde_path_to_error writes `a.b[0]`; ALTO wants `a/b` (RFC 7285 §8.5.2).
fn slashed(path: &str) -> String {
    if path == "." {
        return String::new();
    }
    let mut out = String::new();
    for part in path.split('.') {
        let name = part.split('[').next().unwrap_or(part);
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str(name);
    }
    out
}

fn join(path: &str, name: &str) -> String {
    let parent = slashed(path);
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}/{name}")
    }
}

/// The offending value in serde's message: `invalid value: string "x"` or
/// `invalid type: integer `1``.
fn offending_value(message: &str) -> Option<&str> {
    quoted_after(message, "string \"").or_else(|| quoted_after(message, "`"))
}

/// The text between `prefix` and the next closing quote/backtick.
fn quoted_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let start = message.find(prefix)? + prefix.len();
    let rest = &message[start..];
    let end = rest.find(['`', '"'])?;
    Some(&rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_counted_outside_strings_only() {
        assert_eq!(nesting_exceeded(b"[[[]]]", 3), None);
        assert_eq!(nesting_exceeded(b"[[[[]]]]", 3), Some(3));
        assert_eq!(nesting_exceeded(br#"{"a":"[[[[\"[[[["}"#, 1), None);
        assert_eq!(nesting_exceeded(br#"{"a":[{"b":[]}]}"#, 3), Some(11));
        assert_eq!(nesting_exceeded(br#"{"a":"\\",[[]]}"#, 2), Some(11));
    }
}
