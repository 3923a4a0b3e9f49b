//! Conformance checks for the documents altofed writes: they must parse as
//! their ALTO types and pass the model's validators (RFC 7285 §10-§11,
//! RFC 9240 §5-§7), and the dependent vtags must tie them together.

use std::path::Path;

use altofed_model::validate::{validate_cost_map, validate_network_map, validate_property_map};
use altofed_model::{CostMapDoc, CostMode, NetworkMapDoc, PropertyMapDoc};

/// Parses and validates the four documents of `altofed compute` in `dir`.
pub fn assert_output_conforms(dir: &Path) {
    let netmap: NetworkMapDoc = parse(&dir.join("networkmap.json"));
    validate_network_map(&netmap).unwrap_or_else(|e| panic!("networkmap.json: {e}"));
    for (file, mode) in [
        ("costmap.json", CostMode::Numerical),
        ("costmap-ordinal.json", CostMode::Ordinal),
    ] {
        let costmap: CostMapDoc = parse(&dir.join(file));
        validate_cost_map(&costmap, Some(&netmap)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(costmap.meta.cost_type.cost_metric, "routingcost", "{file}");
        assert_eq!(costmap.meta.cost_type.cost_mode, mode, "{file}");
        assert_eq!(
            costmap.meta.dependent_vtags,
            vec![netmap.meta.vtag.clone()],
            "{file}: dependent-vtags"
        );
    }
    let propmap: PropertyMapDoc = parse(&dir.join("propmap.json"));
    validate_property_map(&propmap).unwrap_or_else(|e| panic!("propmap.json: {e}"));
    assert_eq!(
        propmap.meta.dependent_vtags,
        vec![netmap.meta.vtag.clone()],
        "propmap.json: dependent-vtags"
    );
    for entity in propmap.property_map.keys() {
        let pid = entity
            .strip_prefix(&format!("{}.pid:", netmap.meta.vtag.resource_id))
            .unwrap_or_else(|| {
                panic!("propmap.json: entity {entity} is not a PID of the network map")
            });
        assert!(
            netmap.network_map.contains_key(pid),
            "propmap.json: {entity} names an unknown PID"
        );
    }
}

fn parse<T: serde::de::DeserializeOwned>(path: &Path) -> T {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
