//! Writing ALTO documents compactly but readably: one PID or cost-map row
//! per line, so the committed files stay small and diff well.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::{json, Value};

/// A PID's prefixes as text (`ipv4`, `ipv6`), in publication order.
pub type Groups = BTreeMap<String, (Vec<String>, Vec<String>)>;
pub type Rows = BTreeMap<String, BTreeMap<String, f64>>;
pub type PropRows = BTreeMap<String, BTreeMap<String, Value>>;

fn vtag(resource_id: &str, tag: &str) -> Value {
    json!({ "resource-id": resource_id, "tag": tag })
}

/// `"key": value` lines joined into an object body.
fn object(lines: impl Iterator<Item = (String, Value)>) -> String {
    let body: Vec<String> = lines
        .map(|(k, v)| format!("    {}: {}", Value::String(k), compact(&v)))
        .collect();
    format!("{{\n{}\n  }}", body.join(",\n"))
}

fn compact(v: &Value) -> String {
    // `{"a": 1, "b": 2}`: serde's compact form with a space after separators.
    let mut out = String::new();
    match v {
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                let sep = if i == 0 { "" } else { ", " };
                let _ = write!(out, "{sep}{}: {}", Value::String(k.clone()), compact(v));
            }
            out.push('}');
        }
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(compact).collect();
            let _ = write!(out, "[{}]", parts.join(", "));
        }
        other => out.push_str(&other.to_string()),
    }
    out
}

pub fn network_map(resource_id: &str, tag: &str, groups: &Groups) -> String {
    let meta = json!({ "vtag": vtag(resource_id, tag) });
    let rows = groups.iter().map(|(pid, (v4, v6))| {
        let mut g = serde_json::Map::new();
        if !v4.is_empty() {
            g.insert("ipv4".into(), json!(v4));
        }
        if !v6.is_empty() {
            g.insert("ipv6".into(), json!(v6));
        }
        (pid.clone(), Value::Object(g))
    });
    format!(
        "{{\n  \"meta\": {},\n  \"network-map\": {}\n}}\n",
        compact(&meta),
        object(rows)
    )
}

pub fn cost_map(netmap: (&str, &str), own: (&str, &str), rows: &Rows) -> String {
    let meta = json!({
        "dependent-vtags": [vtag(netmap.0, netmap.1)],
        "cost-type": { "cost-mode": "numerical", "cost-metric": "routingcost" },
        "vtag": vtag(own.0, own.1),
    });
    let rows = rows.iter().map(|(src, row)| (src.clone(), json!(row)));
    format!(
        "{{\n  \"meta\": {},\n  \"cost-map\": {}\n}}\n",
        compact(&meta),
        object(rows)
    )
}

pub fn property_map(netmap: (&str, &str), rows: &PropRows) -> String {
    let meta = json!({ "dependent-vtags": [vtag(netmap.0, netmap.1)] });
    let rows = rows
        .iter()
        .map(|(entity, props)| (entity.clone(), json!(props)));
    format!(
        "{{\n  \"meta\": {},\n  \"property-map\": {}\n}}\n",
        compact(&meta),
        object(rows)
    )
}
