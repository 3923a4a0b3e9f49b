//! Border identification: which PID of the ISP's network map stands for the
//! ISP end of each peering link (design §1, draft GAP-7).
//!
//! - by address: longest-prefix match of the configured address of the ISP
//!   router in the ISP network map (RFC 7285 §11.2.2);
//! - by attribute: the ISP property map (RFC 9240) gives PID entities an
//!   agreed property whose value names a CDN border router or border PID.

use std::collections::BTreeMap;
use std::net::IpAddr;

use altofed_model::lookup::PidLookup;
use altofed_model::{NetworkMapDoc, Properties, PropertyMapDoc};
use serde_json::Value;
use thiserror::Error;

use crate::config::{BorderMethod, LinkConfig, PeerConfig};
use crate::peer::PeerMaps;
use crate::topology::CdnNetwork;

/// A peering link with both ends known.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedLink {
    pub name: String,
    /// Index into [`CdnNetwork::borders`].
    pub border: usize,
    /// The ISP border PID (the ISP's own name for it).
    pub isp_pid: String,
    pub cost: f64,
    pub preference: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BorderError {
    #[error("peer `{peer}` link `{link}`: router `{router}` is not a border router of the CDN topology (declare it with [[border]])")]
    UnknownRouter {
        peer: String,
        link: String,
        router: String,
    },
    #[error(
        "peer `{peer}` link `{link}`: address {address} matches no PID of the ISP network map"
    )]
    AddressNoPid {
        peer: String,
        link: String,
        address: IpAddr,
    },
    #[error("peer `{peer}` link `{link}`: address {address} matches only the catch-all prefix of PID `{pid}`; the ISP border router must be in a PID of its own (is the address right?)")]
    AddressOnlyCatchAll {
        peer: String,
        link: String,
        address: IpAddr,
        pid: String,
    },
    #[error("peer `{peer}`: border-by = \"attribute\" needs a property map (propmap.json), and the peer has none")]
    NoPropertyMap { peer: String },
    #[error("peer `{peer}` link `{link}`: no PID of the ISP property map has `{property}` naming router `{router}`")]
    AttributeNoPid {
        peer: String,
        link: String,
        router: String,
        property: String,
    },
    #[error("peer `{peer}`: PIDs `{first}` and `{second}` both have `{property}` naming router `{router}`")]
    AttributeAmbiguous {
        peer: String,
        router: String,
        first: String,
        second: String,
        property: String,
    },
    #[error("peer `{peer}`: property map entity `{entity}` names PID `{pid}`, which is not in the ISP network map")]
    UnknownIspPid {
        peer: String,
        entity: String,
        pid: String,
    },
    #[error("peer `{peer}` link `{link}`: by address the ISP border is PID `{by_address}`, by attribute `{by_attribute}`")]
    Disagree {
        peer: String,
        link: String,
        by_address: String,
        by_attribute: String,
    },
}

/// Resolves every configured link of `peer`. Returns the links and warnings
/// (property values that name no CDN border router).
pub fn resolve_links(
    peer: &PeerConfig,
    maps: &PeerMaps,
    lookup: &PidLookup,
    cdn: &CdnNetwork,
) -> Result<(Vec<ResolvedLink>, Vec<String>), BorderError> {
    let mut warnings = Vec::new();
    let by_attribute = match peer.border_by {
        BorderMethod::Address => None,
        BorderMethod::Attribute | BorderMethod::Both => {
            let map = maps
                .property_map
                .as_ref()
                .ok_or_else(|| BorderError::NoPropertyMap {
                    peer: peer.name.clone(),
                })?;
            Some(borders_by_attribute(
                peer,
                map,
                &maps.network_map,
                cdn,
                &mut warnings,
            )?)
        }
    };
    let links = peer
        .links
        .iter()
        .map(|link| resolve_link(peer, link, maps, lookup, by_attribute.as_ref(), cdn))
        .collect::<Result<_, _>>()?;
    Ok((links, warnings))
}

fn resolve_link(
    peer: &PeerConfig,
    link: &LinkConfig,
    maps: &PeerMaps,
    lookup: &PidLookup,
    by_attribute: Option<&BTreeMap<usize, String>>,
    cdn: &CdnNetwork,
) -> Result<ResolvedLink, BorderError> {
    let name = link.name().to_owned();
    let border = cdn
        .borders
        .iter()
        .position(|b| b.name == link.router)
        .ok_or_else(|| BorderError::UnknownRouter {
            peer: peer.name.clone(),
            link: name.clone(),
            router: link.router.clone(),
        })?;
    let address_pid = match (peer.border_by, link.address) {
        (BorderMethod::Attribute, _) | (_, None) => None,
        (_, Some(address)) => Some(pid_by_address(peer, &name, address, maps, lookup)?),
    };
    let attribute_pid = match by_attribute {
        None => None,
        Some(found) => {
            Some(
                found
                    .get(&border)
                    .cloned()
                    .ok_or_else(|| BorderError::AttributeNoPid {
                        peer: peer.name.clone(),
                        link: name.clone(),
                        router: link.router.clone(),
                        property: peer.border_property.clone(),
                    })?,
            )
        }
    };
    let isp_pid = match (address_pid, attribute_pid) {
        (Some(a), Some(b)) if a != b => {
            return Err(BorderError::Disagree {
                peer: peer.name.clone(),
                link: name,
                by_address: a,
                by_attribute: b,
            })
        }
        (Some(pid), _) | (None, Some(pid)) => pid,
        (None, None) => unreachable!("config check guarantees an address or an attribute lookup"),
    };
    Ok(ResolvedLink {
        name,
        border,
        isp_pid,
        cost: link.cost,
        preference: link.preference,
    })
}

/// The ISP PID holding `address`. A match through a catch-all prefix only
/// (`0.0.0.0/0`, `::/0`) is refused: a border router sits in a PID of its
/// own, so such a match means the configured address is wrong.
fn pid_by_address(
    peer: &PeerConfig,
    link: &str,
    address: IpAddr,
    maps: &PeerMaps,
    lookup: &PidLookup,
) -> Result<String, BorderError> {
    let error = |catch_all: Option<&str>| match catch_all {
        None => BorderError::AddressNoPid {
            peer: peer.name.clone(),
            link: link.to_owned(),
            address,
        },
        Some(pid) => BorderError::AddressOnlyCatchAll {
            peer: peer.name.clone(),
            link: link.to_owned(),
            address,
            pid: pid.to_owned(),
        },
    };
    let pid = lookup.lookup(address).ok_or_else(|| error(None))?;
    let specific = maps.network_map.network_map[pid]
        .prefixes()
        .any(|net| net.prefix_len() > 0 && net.contains(&address));
    if specific {
        Ok(pid.to_owned())
    } else {
        Err(error(Some(pid)))
    }
}

/// CDN border index -> ISP PID, from the agreed property.
fn borders_by_attribute(
    peer: &PeerConfig,
    map: &PropertyMapDoc,
    network_map: &NetworkMapDoc,
    cdn: &CdnNetwork,
    warnings: &mut Vec<String>,
) -> Result<BTreeMap<usize, String>, BorderError> {
    let mut found: BTreeMap<usize, String> = BTreeMap::new();
    for (entity, props) in &map.property_map {
        let Some(value) = property_value(props, &peer.border_property) else {
            continue;
        };
        let Some(pid) = pid_of_entity(entity) else {
            continue;
        };
        if !network_map.network_map.contains_key(pid) {
            return Err(BorderError::UnknownIspPid {
                peer: peer.name.clone(),
                entity: entity.clone(),
                pid: pid.to_owned(),
            });
        }
        for target in property_strings(value) {
            let Some(border) = cdn.border_index(target) else {
                warnings.push(format!(
                    "peer `{}`: `{entity}` has `{}` = `{target}`, which names no CDN border router or border PID",
                    peer.name, peer.border_property
                ));
                continue;
            };
            if let Some(first) = found.insert(border, pid.to_owned()) {
                if first != pid {
                    return Err(BorderError::AttributeAmbiguous {
                        peer: peer.name.clone(),
                        router: cdn.borders[border].name.clone(),
                        first,
                        second: pid.to_owned(),
                        property: peer.border_property.clone(),
                    });
                }
            }
        }
    }
    Ok(found)
}

/// The value of property `name` in `props`, matching names with or without
/// a leading dot: a self-defined property is `.priv:x` (RFC 9240 §5.2.2),
/// while peers following RFC 7285 §10.8 or an old draft write `priv:x`.
/// The exact spelling wins when an entity has both.
pub fn property_value<'a>(props: &'a Properties, name: &str) -> Option<&'a Value> {
    props.get(name).or_else(|| {
        let wanted = undotted(name);
        let mut other = props.iter().filter(|(k, _)| undotted(k) == wanted);
        other.next().map(|(_, v)| v)
    })
}

fn undotted(name: &str) -> &str {
    name.strip_prefix('.').unwrap_or(name)
}

/// The PID of an entity ID `<resource-id>.pid:<pid>` (RFC 9240 §6.2); a
/// bare `pid:<pid>` is accepted too (liberal in what we accept).
fn pid_of_entity(entity: &str) -> Option<&str> {
    let domain_and_id = entity.rsplit_once('.').map_or(entity, |(_, rest)| rest);
    domain_and_id.strip_prefix("pid:")
}

/// A property value naming one target (a string) or several (an array).
fn property_strings(value: &Value) -> Vec<&str> {
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}
