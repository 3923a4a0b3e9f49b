//! ISP border PIDs, found the slow obvious way: a linear scan for the
//! longest prefix holding the link address, and/or the property map's
//! `border-property` naming a CDN border router or border PID.

use std::collections::BTreeMap;
use std::net::IpAddr;

use altofed_core::topology::CdnNetwork;
use ipnet::IpNet;

use super::input::{PeerConfig, PeerMaps};

/// A peering link with both ends known.
#[derive(Debug, Clone)]
pub struct Link {
    pub name: String,
    /// Index into the CDN's border routers.
    pub border: usize,
    pub isp_pid: String,
    pub cost: f64,
    pub preference: i64,
}

/// The PID holding the longest prefix that contains `addr`. Two PIDs with
/// the same longest prefix would make the map invalid: panic.
pub fn longest_match(network_map: &BTreeMap<String, Vec<IpNet>>, addr: IpAddr) -> Option<String> {
    let mut best: Option<(u8, &str)> = None;
    for (pid, prefixes) in network_map {
        for net in prefixes.iter().filter(|n| n.contains(&addr)) {
            match best {
                Some((len, other)) if len == net.prefix_len() => {
                    panic!("{addr}: {net} is in {other} and {pid}")
                }
                Some((len, _)) if len > net.prefix_len() => {}
                _ => best = Some((net.prefix_len(), pid)),
            }
        }
    }
    best.map(|(_, pid)| pid.to_owned())
}

/// CDN border index -> ISP PID whose `property` names that border.
fn by_attribute(peer: &PeerConfig, maps: &PeerMaps, cdn: &CdnNetwork) -> BTreeMap<usize, String> {
    let props = maps
        .properties
        .as_ref()
        .unwrap_or_else(|| panic!("{}: no property map", peer.name));
    let mut found = BTreeMap::new();
    for (entity, values) in props {
        // Names match with or without the leading dot (RFC 9240 §5.2.2's
        // `.priv:x` against RFC 7285's `priv:x`), the exact spelling first.
        let plain = peer.border_property.trim_start_matches('.');
        let dotted = format!(".{plain}");
        let candidates = [peer.border_property.as_str(), plain, dotted.as_str()];
        let Some(value) = candidates.iter().find_map(|n| values.get(*n)) else {
            continue;
        };
        let pid = entity
            .split_once(".pid:")
            .map_or_else(|| entity.trim_start_matches("pid:"), |(_, p)| p);
        assert!(
            maps.network_map.contains_key(pid),
            "{}: {entity} is not in the network map",
            peer.name
        );
        let names: Vec<&str> = match value {
            serde_json::Value::Array(items) => items.iter().filter_map(|v| v.as_str()).collect(),
            other => other.as_str().into_iter().collect(),
        };
        for name in names {
            let border = cdn
                .borders
                .iter()
                .position(|b| b.name == name || b.pid.as_deref() == Some(name));
            if let Some(b) = border {
                let old = found.insert(b, pid.to_owned());
                assert!(
                    old.is_none_or(|o| o == pid),
                    "{}: two PIDs claim border {name}",
                    peer.name
                );
            }
        }
    }
    found
}

/// Every configured link of `peer`, with its ISP border PID.
pub fn resolve(peer: &PeerConfig, maps: &PeerMaps, cdn: &CdnNetwork) -> Vec<Link> {
    let method = peer.border_by.as_str();
    let attribute = matches!(method, "attribute" | "both").then(|| by_attribute(peer, maps, cdn));
    peer.links
        .iter()
        .map(|link| {
            let name = link.name.clone().unwrap_or_else(|| link.router.clone());
            let border = cdn.borders.iter().position(|b| b.name == link.router);
            let border = border.unwrap_or_else(|| {
                panic!("{}/{name}: {} is no border router", peer.name, link.router)
            });
            let by_address = matches!(method, "address" | "both").then(|| {
                let addr = link
                    .address
                    .unwrap_or_else(|| panic!("{}/{name}: no address", peer.name));
                longest_match(&maps.network_map, addr)
                    .unwrap_or_else(|| panic!("{}/{name}: {addr} matches no PID", peer.name))
            });
            let by_attr = attribute.as_ref().map(|found| {
                found
                    .get(&border)
                    .cloned()
                    .unwrap_or_else(|| panic!("{}/{name}: no PID names the border", peer.name))
            });
            let isp_pid = match (by_address, by_attr) {
                (Some(a), Some(b)) => {
                    assert_eq!(a, b, "{}/{name}: address and attribute disagree", peer.name);
                    a
                }
                (Some(pid), None) | (None, Some(pid)) => pid,
                (None, None) => panic!("{}: unknown border-by `{method}`", peer.name),
            };
            Link {
                name,
                border,
                isp_pid,
                cost: link.cost,
                preference: link.preference,
            }
        })
        .collect()
}
