//! CAIDA ITDK-derived PoP graphs as topohub ships them: networkx
//! "node-link" JSON (shared/data/README.md §3). The core crate imports only
//! GraphML and Rocketfuel, and these files may not be redistributed, so
//! the loader lives here and reads them from `../shared` when present.

use std::collections::HashMap;

use altofed_core::topology::Topology;
use serde_json::Value;

/// Parses a node-link JSON graph. Each undirected edge becomes two
/// directed edges costing its haversine length in km (`dist`, the same
/// cost as GraphML's `distance`); router names are `n<ITDK id>` (the ids
/// are large and not contiguous).
pub fn parse_node_link(text: &str) -> Result<Topology, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut topo = Topology::default();
    let mut index = HashMap::new();
    for (i, node) in array(&doc, "nodes")?.iter().enumerate() {
        let id = node["id"]
            .as_u64()
            .ok_or_else(|| format!("nodes[{i}].id is not an integer"))?;
        index.insert(id, topo.ensure_node(&format!("n{id}")));
    }
    for (i, edge) in array(&doc, "edges")?.iter().enumerate() {
        let end = |key: &str| {
            edge[key]
                .as_u64()
                .and_then(|id| index.get(&id).copied())
                .ok_or_else(|| format!("edges[{i}].{key} is not a declared node"))
        };
        let (a, b) = (end("source")?, end("target")?);
        let dist = edge["dist"].as_f64().unwrap_or(f64::NAN);
        if !(dist.is_finite() && dist >= 0.0) {
            return Err(format!("edges[{i}].dist is not a cost"));
        }
        if a != b {
            topo.add_min_edge(a, b, dist);
            topo.add_min_edge(b, a, dist);
        }
    }
    Ok(topo)
}

fn array<'a>(doc: &'a Value, key: &str) -> Result<&'a Vec<Value>, String> {
    doc[key]
        .as_array()
        .ok_or_else(|| format!("no `{key}` array"))
}
