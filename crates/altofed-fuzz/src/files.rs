//! Configuration and topology files (issue #12): an operator's files, but
//! also ones generated from outside data (GraphML from the Topology Zoo,
//! Rocketfuel weights). Text input only: the product reads them with
//! `read_to_string`, so non-UTF-8 input is skipped.

use altofed_core::cdn_cost::cdn_costs;
use altofed_core::config::Config;
use altofed_core::topology::build::build_network;
use altofed_core::topology::graphml::{graphml_labels, parse_graphml, GraphmlWeight};
use altofed_core::topology::rocketfuel::parse_rocketfuel;
use altofed_core::topology::spec::CdnSpec;

/// `altofed.toml`: parsed and checked (`config_check`).
pub fn config(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(config) = Config::from_toml(text) {
            let _ = (config.network_map_id(), config.property_map_id());
        }
    }
}

/// `cdn.toml`: parsed, built into a CDN network without an import (which
/// would read a file), and its C_cdn computed.
pub fn topology_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(spec) = CdnSpec::from_toml(text) else {
        return;
    };
    if let Some(import) = &spec.import {
        let _ = (import.format(), import.graphml_weight());
        let _ = import.path_from(std::path::Path::new("/etc/altofed"));
    }
    if let Ok((network, _)) = build_network(&spec, None) {
        let _ = cdn_costs(&network);
    }
}

/// A GraphML topology, with each way of weighting its edges.
pub fn graphml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for weight in [
        GraphmlWeight::Hops,
        GraphmlWeight::Distance,
        GraphmlWeight::InverseCapacity,
    ] {
        if parse_graphml(text, weight).is_err() {
            break;
        }
    }
    let _ = graphml_labels(text);
}

/// A Rocketfuel weights file.
pub fn rocketfuel(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_rocketfuel(text);
    }
}
