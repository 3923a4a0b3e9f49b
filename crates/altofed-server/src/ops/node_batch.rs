//! The body of `PUT /admin/nodes`: many node statuses set or cleared at
//! once. Every entry is checked before anything is applied, so a batch is
//! applied whole or not at all; the first bad entry (in address text
//! order) is reported with its `/`-separated path, e.g.
//! `nodes/192.0.2.10/load`.

use std::collections::BTreeSet;
use std::net::IpAddr;

use altofed_model::error::ErrorDoc;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::node_book::NodeChanges;
use super::nodes::NodeStatus;
use crate::http::body::parse_body;
use crate::http::ApiError;

/// Most entries in one batch: bounds the work of one request (a batch is
/// one publish however long it is, but parsing and merging are not free).
pub const MAX_BATCH: usize = 10_000;

/// `{"nodes": {"<address>": <status> | null, ...}}`.
#[derive(Debug, Deserialize)]
#[serde(remote = "Self")]
pub struct BatchBody {
    pub nodes: Map<String, Value>,
}

altofed_model::object_only!(BatchBody);

/// The changes a batch asks for, or the error of its first bad entry.
pub fn batch_changes(nodes: Map<String, Value>) -> Result<NodeChanges, ErrorDoc> {
    if nodes.len() > MAX_BATCH {
        let value = format!("{} entries, at most {MAX_BATCH}", nodes.len());
        return Err(ErrorDoc::invalid_field_value("nodes", value));
    }
    let mut seen = BTreeSet::new();
    let mut changes = Vec::with_capacity(nodes.len());
    for (key, value) in nodes {
        let address: IpAddr = key
            .parse()
            .map_err(|_| ErrorDoc::invalid_field_value("nodes", key.as_str()))?;
        // `2001:db8::1` and `2001:db8:0::1` are one node: which should win?
        if !seen.insert(address) {
            return Err(ErrorDoc::invalid_field_value("nodes", key));
        }
        let status = match value {
            Value::Null => None,
            value => Some(entry_status(&value).map_err(|e| within(&format!("nodes/{key}"), &e))?),
        };
        changes.push((address, status));
    }
    Ok(changes)
}

/// One entry's status, with the errors of the single form
/// (`PUT /admin/nodes/{address}`), fields relative to the entry.
fn entry_status(value: &Value) -> Result<NodeStatus, ErrorDoc> {
    // Parsed again from text so that the errors are classified exactly as
    // for a request body; entries are small.
    let text = serde_json::to_vec(value).unwrap_or_default();
    let status: NodeStatus = parse_body(&text).map_err(|e| match e {
        ApiError::Alto(doc) => doc,
        other => ErrorDoc::syntax(Some(format!("{other:?}"))),
    })?;
    status.validate()?;
    Ok(status)
}

/// `doc` with its field moved under `path`.
fn within(path: &str, doc: &ErrorDoc) -> ErrorDoc {
    let meta = &doc.meta;
    let field = match meta.field() {
        Some(f) if !f.is_empty() => format!("{path}/{f}"),
        _ => path.to_owned(),
    };
    match meta.value() {
        Some(value) => ErrorDoc::with_field_value(meta.code().clone(), field, value),
        None => ErrorDoc::with_field(meta.code().clone(), field),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn changes(body: Value) -> Result<NodeChanges, ErrorDoc> {
        let Value::Object(nodes) = body else {
            return Err(ErrorDoc::invalid_field_type("nodes"));
        };
        batch_changes(nodes)
    }

    #[test]
    fn entries_are_set_or_cleared() {
        let parsed = changes(json!({
            "192.0.2.10": {"health": "up", "load": 0.2, "drained": false},
            "2001:db8::1": null,
        }));
        let parsed = parsed.unwrap_or_default();
        assert_eq!(parsed.len(), 2);
        assert!(parsed[0].1.is_some() && parsed[1].1.is_none());
    }

    #[test]
    fn errors_name_the_entry() {
        let cases = [
            (
                json!({"192.0.2.10": {"health": "up", "load": 2, "drained": false}}),
                ErrorDoc::invalid_field_value("nodes/192.0.2.10/load", "2"),
            ),
            (
                json!({"192.0.2.10": {"health": "up", "load": 0.5}}),
                ErrorDoc::missing_field("nodes/192.0.2.10/drained"),
            ),
            (
                json!({"192.0.2.10": 5}),
                ErrorDoc::invalid_field_type("nodes/192.0.2.10"),
            ),
            (
                json!({"node-7": null}),
                ErrorDoc::invalid_field_value("nodes", "node-7"),
            ),
            (
                json!({"2001:db8::1": null, "2001:db8:0::1": null}),
                ErrorDoc::invalid_field_value("nodes", "2001:db8::1"),
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(changes(body.clone()).err(), Some(expected), "{body}");
        }
    }
}
