//! The property map (RFC 9240): for every published PID, what it is
//! (`.priv:kind`: `cdn`, `subscriber` or `catch-all`) and, for subscriber
//! PIDs, where it comes from (`.priv:origin-peer`, `.priv:origin-pid`) and,
//! while its peer is served from stale maps, `.priv:stale-since`. The
//! catch-all PID lists the peers that never gave usable maps
//! (`.priv:never-fetched`): their subscribers' addresses fall into it.
//! Entities are `<network-map-id>.pid:<pid>` (RFC 9240 §6.2).

use altofed_model::{Properties, PropertyMapDoc, PropertyMapMeta, PropertyRows, VersionTag};
use serde_json::Value;

use super::{PidOrigin, PublishedPid};

pub const KIND: &str = ".priv:kind";
pub const ORIGIN_PEER: &str = ".priv:origin-peer";
pub const ORIGIN_PID: &str = ".priv:origin-pid";
pub const STALE_SINCE: &str = ".priv:stale-since";
pub const NEVER_FETCHED: &str = ".priv:never-fetched";

/// `peer_names[i]` names peer `i` of [`PidOrigin::Subscriber`];
/// `stale_since[i]` is set while that peer is served from stale maps.
pub fn build_property_map(
    pids: &[PublishedPid],
    peer_names: &[&str],
    stale_since: &[Option<&str>],
    network_map: &VersionTag,
) -> PropertyMapDoc {
    let rows: PropertyRows = pids
        .iter()
        .map(|pid| {
            let entity = format!("{}.pid:{}", network_map.resource_id, pid.name);
            (entity, properties(&pid.origin, peer_names, stale_since))
        })
        .collect();
    PropertyMapDoc {
        meta: PropertyMapMeta {
            dependent_vtags: vec![network_map.clone()],
        },
        property_map: rows,
    }
}

/// Adds `.priv:never-fetched` (an array of peer names) to the entity of the
/// catch-all PID `catch_all` of `network_map`; nothing when `peers` is
/// empty or the PID is not in `doc`.
pub fn mark_never_fetched(
    doc: &mut PropertyMapDoc,
    network_map: &VersionTag,
    catch_all: &str,
    peers: &[&str],
) {
    if peers.is_empty() {
        return;
    }
    let entity = format!("{}.pid:{catch_all}", network_map.resource_id);
    if let Some(props) = doc.property_map.get_mut(&entity) {
        let names = peers.iter().map(|p| Value::String((*p).to_owned()));
        props.insert(NEVER_FETCHED.to_owned(), Value::Array(names.collect()));
    }
}

fn properties(origin: &PidOrigin, peer_names: &[&str], stale_since: &[Option<&str>]) -> Properties {
    let prop = |name: &str, value: &str| (name.to_owned(), Value::String(value.to_owned()));
    // Collected, not inserted one by one: no spare capacity, held per PID.
    match origin {
        PidOrigin::Cdn => Properties::from([prop(KIND, "cdn")]),
        PidOrigin::CatchAll => Properties::from([prop(KIND, "catch-all")]),
        PidOrigin::Subscriber { peer, isp_pid } => {
            let stale = stale_since.get(*peer).copied().flatten();
            [
                Some(prop(KIND, "subscriber")),
                Some(prop(ORIGIN_PEER, peer_names[*peer])),
                Some(prop(ORIGIN_PID, isp_pid)),
                stale.map(|since| prop(STALE_SINCE, since)),
            ]
            .into_iter()
            .flatten()
            .collect()
        }
    }
}
