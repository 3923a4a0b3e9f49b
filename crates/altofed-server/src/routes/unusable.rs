//! The endpoint cost service leaves out CDN nodes that are down or
//! drained (issue #14: node status reaches every answer). RFC 7285
//! §11.5.1.6 lets a server omit the pairs it has no cost for; a node an
//! operator drained or that failed has no cost worth giving. Ranking it
//! last instead is not possible without lying: numerical costs are network
//! costs (a made-up large one would pass `constraints` and break sums),
//! and a client that gets one node ranked last may still pick it, where
//! one that gets none falls back (as `altofed route` does).
//!
//! Load is not used here: how much load is too much is the client's policy
//! (`altofed route`'s `routing.max-load`), and a node whose load hovers
//! around one server-wide threshold would flap in and out of every answer.
//! Clients read the load from the property map (`.priv:load`).
//!
//! The status is read from the answer's own snapshot (its property maps,
//! where the admin API publishes it), so an answer and the property map
//! of one snapshot always agree. The filtered cost map is PID-level (a
//! PID holds many nodes and subscribers) and is not changed.

use std::net::IpAddr;

use altofed_model::endpoint::TypedEndpointAddr;
use serde_json::Value;

use crate::ops::nodes::{entity_id, Health, PROP_DRAINED, PROP_HEALTH};
use crate::snapshot::Snapshot;

/// Whether the endpoint (`ipv4:...` / `ipv6:...`) is a node the snapshot
/// shows down or drained.
pub(crate) fn endpoint(snapshot: &Snapshot, endpoint: &str) -> bool {
    TypedEndpointAddr::parse(endpoint).is_ok_and(|a| address(snapshot, a.0))
}

/// Whether `address` is a node the snapshot shows down or drained.
pub(crate) fn address(snapshot: &Snapshot, address: IpAddr) -> bool {
    let entity = entity_id(address);
    let Some(props) = snapshot
        .property_maps
        .values()
        .find_map(|m| m.property_map.get(&entity))
    else {
        return false;
    };
    let down = props.get(PROP_HEALTH) == Some(&Value::from(Health::Down.as_str()));
    let drained = props.get(PROP_DRAINED) == Some(&Value::Bool(true));
    down || drained
}
