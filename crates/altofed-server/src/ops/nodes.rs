//! CDN node status pushed through the admin API (design GAP-1/GAP-2) and
//! published in the property map: each node is an `ipv4:<addr>` or
//! `ipv6:<addr>` entity (RFC 9240 §6.1) with the private properties
//! `.priv:health`, `.priv:load` and `.priv:drained`.
//!
//! The status is merged into every snapshot: into the documents an engine
//! publishes, and, when the status changes, into the property maps of the
//! last published documents again, the rest of the snapshot being shared
//! (see [`crate::state::AppState::change_nodes`] and
//! [`crate::ops::node_book`]).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;

use altofed_model::error::ErrorDoc;
use altofed_model::{PropertyMapDoc, PropertyMapMeta, VersionTag};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::snapshot::SharedPropertyMaps;

pub const PROP_HEALTH: &str = ".priv:health";
pub const PROP_LOAD: &str = ".priv:load";
pub const PROP_DRAINED: &str = ".priv:drained";

/// Whether a node can serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Up,
    Down,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Up => "up",
            Health::Down => "down",
        }
    }
}

/// The body of `PUT /admin/nodes/{address}`; all members are required
/// (unknown ones are ignored, RFC 7285 §8.3.7 style).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
pub struct NodeStatus {
    pub health: Health,
    /// Fraction of capacity in use, `0.0..=1.0`.
    pub load: f64,
    /// A drained node takes no new clients.
    pub drained: bool,
}

altofed_model::object_only!(NodeStatus, Serialize);

impl NodeStatus {
    /// `load` must be a number in `0.0..=1.0`.
    pub fn validate(&self) -> Result<(), ErrorDoc> {
        if self.load.is_finite() && (0.0..=1.0).contains(&self.load) {
            Ok(())
        } else {
            Err(ErrorDoc::invalid_field_value("load", self.load.to_string()))
        }
    }

    /// The node's properties as published.
    pub fn properties(&self) -> BTreeMap<String, Value> {
        BTreeMap::from([
            (
                PROP_HEALTH.to_owned(),
                Value::String(self.health.as_str().to_owned()),
            ),
            (PROP_LOAD.to_owned(), Value::from(self.load)),
            (PROP_DRAINED.to_owned(), Value::Bool(self.drained)),
        ])
    }
}

/// `ipv4:192.0.2.10` or `ipv6:2001:db8::10` (RFC 9240 §6.1.1).
pub fn entity_id(address: IpAddr) -> String {
    match address {
        IpAddr::V4(a) => format!("ipv4:{a}"),
        IpAddr::V6(a) => format!("ipv6:{a}"),
    }
}

/// Merges `nodes` into the first of `property_maps`, creating
/// `<prefix>-propmap` (named after the network map `network_map`) when
/// there is none and some status exists. Existing properties of the same
/// entity are kept; the three status properties are overwritten.
pub(crate) fn merge_nodes(
    nodes: &BTreeMap<IpAddr, NodeStatus>,
    network_map: &VersionTag,
    property_maps: &mut SharedPropertyMaps,
) {
    if nodes.is_empty() {
        return;
    }
    if property_maps.is_empty() {
        let net_id = &network_map.resource_id;
        let prefix = net_id.rsplit_once('-').map_or(net_id.as_str(), |(p, _)| p);
        let meta = PropertyMapMeta {
            dependent_vtags: vec![network_map.clone()],
        };
        property_maps.push((
            format!("{prefix}-propmap"),
            Arc::new(PropertyMapDoc {
                meta,
                property_map: BTreeMap::new(),
            }),
        ));
    }
    if let Some((_, map)) = property_maps.first_mut() {
        // Copies the map if the base shares it.
        let map = Arc::make_mut(map);
        for (address, status) in nodes {
            map.property_map
                .entry(entity_id(*address))
                .or_default()
                .extend(status.properties());
        }
    }
}

#[cfg(test)]
mod tests {
    use altofed_model::validate::{validate_entity_id, validate_property_name};

    use super::*;

    #[test]
    fn entities_and_properties_are_valid_rfc9240_names() {
        for address in ["192.0.2.10", "2001:db8::10", "::ffff:192.0.2.1"] {
            let address: IpAddr = address.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
            assert!(
                validate_entity_id(&entity_id(address)).is_ok(),
                "{}",
                entity_id(address)
            );
        }
        for name in [PROP_HEALTH, PROP_LOAD, PROP_DRAINED] {
            assert!(validate_property_name(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn load_must_be_a_fraction() {
        let status = |load| NodeStatus {
            health: Health::Up,
            load,
            drained: false,
        };
        assert!(status(0.0).validate().is_ok());
        assert!(status(1.0).validate().is_ok());
        let err = status(1.5).validate().err();
        assert_eq!(err, Some(ErrorDoc::invalid_field_value("load", "1.5")));
        assert!(status(-0.1).validate().is_err());
        assert!(status(f64::NAN).validate().is_err());
    }
}
