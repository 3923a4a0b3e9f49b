//! Reading update events as a client does and comparing documents with
//! f64 bit equality.

use serde_json::Value;

pub use altofed_tests::sse_client::{JSON_PATCH, MERGE};

/// The JSON text of an event's `data:` lines (joined with a line feed, as
/// an SSE client does).
pub fn data_text(data: &[u8]) -> String {
    let text = std::str::from_utf8(data).expect("UTF-8 data");
    let body = text.strip_suffix("\n\n").expect("the event's blank line");
    body.split('\n')
        .map(|l| l.strip_prefix("data: ").expect("a data line"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Parsed with serde_json (`float_roundtrip` on, see `float_roundtrip_is_on`).
pub fn parse(text: &[u8]) -> Value {
    serde_json::from_slice(text).expect("JSON")
}

/// Applies one update (merge patch, JSON patch or full document).
pub fn apply(doc: &mut Value, media_type: &str, data: &Value) {
    match media_type {
        MERGE => json_patch::merge(doc, data),
        JSON_PATCH => {
            let patch: json_patch::Patch =
                serde_json::from_value(data.clone()).expect("a JSON patch");
            json_patch::patch(doc, &patch).expect("the patch applies");
        }
        _ => *doc = data.clone(),
    }
}

/// `Ok` if `a` and `b` are the same value with every number the same f64
/// bits (and integers the same integers); else the path of the first
/// difference.
pub fn bit_equal(a: &Value, b: &Value, path: &str) -> Result<(), String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let same = match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
                (Some(i), Some(j), _, _) => i == j,
                (_, _, Some(i), Some(j)) => i == j,
                _ => {
                    x.is_f64() == y.is_f64()
                        && x.as_f64().map(f64::to_bits) == y.as_f64().map(f64::to_bits)
                }
            };
            same.then_some(())
                .ok_or_else(|| format!("{path}: {x} vs {y}"))
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .try_for_each(|(i, (a, b))| bit_equal(a, b, &format!("{path}/{i}"))),
        (Value::Object(x), Value::Object(y)) => {
            if let Some(k) = x.keys().find(|k| !y.contains_key(*k)) {
                return Err(format!("{path}/{k}: only in the first"));
            }
            if let Some(k) = y.keys().find(|k| !x.contains_key(*k)) {
                return Err(format!("{path}/{k}: only in the second"));
            }
            x.iter()
                .try_for_each(|(k, v)| bit_equal(v, &y[k], &format!("{path}/{k}")))
        }
        _ if a == b => Ok(()),
        _ => Err(format!("{path}: {a} vs {b}")),
    }
}
