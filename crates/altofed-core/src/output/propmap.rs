//! The property map (RFC 9240): for every published PID, what it is
//! (`priv:kind`: `cdn`, `subscriber` or `catch-all`) and, for subscriber
//! PIDs, where it comes from (`priv:origin-peer`, `priv:origin-pid`).
//! Entities are `<network-map-id>.pid:<pid>` (RFC 9240 §6.2).

use std::collections::BTreeMap;

use altofed_model::{PropertyMapDoc, PropertyMapMeta, PropertyRows, VersionTag};
use serde_json::Value;

use super::{PidOrigin, PublishedPid};

pub const KIND: &str = "priv:kind";
pub const ORIGIN_PEER: &str = "priv:origin-peer";
pub const ORIGIN_PID: &str = "priv:origin-pid";

/// `peer_names[i]` names peer `i` of [`PidOrigin::Subscriber`].
pub fn build_property_map(
    pids: &[PublishedPid],
    peer_names: &[&str],
    network_map: &VersionTag,
) -> PropertyMapDoc {
    let rows: PropertyRows = pids
        .iter()
        .map(|pid| {
            let entity = format!("{}.pid:{}", network_map.resource_id, pid.name);
            (entity, properties(&pid.origin, peer_names))
        })
        .collect();
    PropertyMapDoc {
        meta: PropertyMapMeta {
            dependent_vtags: vec![network_map.clone()],
        },
        property_map: rows,
    }
}

fn properties(origin: &PidOrigin, peer_names: &[&str]) -> BTreeMap<String, Value> {
    let text = |s: &str| Value::String(s.to_owned());
    let mut props = BTreeMap::new();
    match origin {
        PidOrigin::Cdn => {
            props.insert(KIND.to_owned(), text("cdn"));
        }
        PidOrigin::CatchAll => {
            props.insert(KIND.to_owned(), text("catch-all"));
        }
        PidOrigin::Subscriber { peer, isp_pid } => {
            props.insert(KIND.to_owned(), text("subscriber"));
            props.insert(ORIGIN_PEER.to_owned(), text(peer_names[*peer]));
            props.insert(ORIGIN_PID.to_owned(), text(isp_pid));
        }
    }
    props
}
