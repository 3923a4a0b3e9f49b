//! Fuzz targets for everything that hostile parties send to altofed
//! (issues #11 and #12): request bodies of the ALTO server, documents and
//! update streams from peers, configuration and topology files.
//!
//! Each target is a `fn(&[u8])` that feeds its input through the same
//! functions the product uses and must not panic for any input: a panic is
//! a bug found. `fuzz/` (cargo-fuzz, libFuzzer) runs them one by one; the
//! replay test (`tests/corpus.rs`) runs the committed corpora and
//! regressions under `cargo test`. A new target is a function in one of the
//! modules below plus a line in [`TARGETS`], a `fuzz/fuzz_targets/<name>.rs`
//! and a `fuzz/corpus/<name>/` directory.

mod files;
mod fixtures;
mod peers;
mod requests;

pub use files::{config, graphml, rocketfuel, topology_toml};
pub use peers::{cost_map, ird, network_map, property_map, update_stream_events};
pub use requests::{
    admin_node_status, endpoint_cost, endpoint_prop, filtered_cost_map, filtered_network_map,
    filtered_property_map, update_stream,
};

/// A fuzz target.
pub type Target = fn(&[u8]);

/// Every target by name; the name is also its cargo-fuzz target and its
/// corpus directory.
pub const TARGETS: &[(&str, Target)] = &[
    // Request bodies the ALTO server accepts (issue #11).
    ("filtered_network_map", filtered_network_map),
    ("filtered_cost_map", filtered_cost_map),
    ("filtered_property_map", filtered_property_map),
    ("endpoint_prop", endpoint_prop),
    ("endpoint_cost", endpoint_cost),
    ("update_stream", update_stream),
    ("admin_node_status", admin_node_status),
    // What peers send (issue #12).
    ("network_map", network_map),
    ("cost_map", cost_map),
    ("property_map", property_map),
    ("ird", ird),
    ("update_stream_events", update_stream_events),
    // Configuration and topology files (issue #12).
    ("config", config),
    ("topology_toml", topology_toml),
    ("graphml", graphml),
    ("rocketfuel", rocketfuel),
];

/// The target called `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}
