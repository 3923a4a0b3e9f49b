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

use std::collections::HashSet;
use std::net::IpAddr;
use std::ops::Bound;

use altofed_model::endpoint::TypedEndpointAddr;
use altofed_model::Properties;
use serde_json::Value;

use crate::ops::nodes::{Health, PROP_DRAINED, PROP_HEALTH};
use crate::snapshot::Snapshot;

/// The nodes the snapshot shows down or drained, found once per snapshot
/// (on the first endpoint cost request after a publish): each request
/// then costs a set lookup per endpoint, or nothing when no node is.
pub(crate) fn unusable_nodes(snapshot: &Snapshot) -> &HashSet<IpAddr> {
    snapshot.unusable_nodes.get_or_init(|| {
        // A node's entity in the first property map that has it counts.
        let mut seen = HashSet::new();
        let mut unusable = HashSet::new();
        for map in snapshot.property_maps.values() {
            let rows = &map.property_map;
            // Entities are sorted: address entities are two runs of keys.
            let family = |from: &'static str, to: &'static str| {
                rows.range::<str, _>((Bound::Included(from), Bound::Excluded(to)))
            };
            let nodes = family("ipv4:", "ipv4;").chain(family("ipv6:", "ipv6;"));
            for (entity, props) in nodes {
                let Ok(address) = TypedEndpointAddr::parse(entity) else {
                    continue;
                };
                if seen.insert(address.0) && is_unusable(props) {
                    unusable.insert(address.0);
                }
            }
        }
        unusable
    })
}

fn is_unusable(props: &Properties) -> bool {
    let down = props.get(PROP_HEALTH) == Some(&Value::from(Health::Down.as_str()));
    let drained = props.get(PROP_DRAINED) == Some(&Value::Bool(true));
    down || drained
}
