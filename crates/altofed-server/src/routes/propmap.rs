//! Filtered property maps (RFC 9240 §8): the requested entities with the
//! requested properties, including values inherited from covering prefixes
//! for `ipv4:`/`ipv6:` entities (RFC 9240 §6.1), where `null` blocks
//! inheritance.
//!
//! Entities asked for twice are answered once. An address entity's covering
//! prefixes are found by probing each shorter prefix length in an index of
//! the map's address entities built once per request: at most 33 (IPv4) or
//! 129 (IPv6) look-ups per entity, whatever the size of the map.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use altofed_model::error::{ErrorCode, ErrorDoc};
use altofed_model::propmap::PropertyMapFilter;
use altofed_model::validate::validate_entity_id;
use altofed_model::{Properties, PropertyMapDoc, PropertyMapMeta};
use ipnet::IpNet;

use super::offload::{Cancel, Planned};
use crate::http::ApiError;
use crate::snapshot::{entity_domain, Mappings, Snapshot};

/// A checked filtered property map request.
#[derive(Debug)]
pub(crate) struct PropertySelection {
    snapshot: Arc<Snapshot>,
    /// The property map's resource id.
    id: String,
    /// Sorted, without repeats.
    entities: Vec<String>,
    properties: Vec<String>,
}

impl PropertySelection {
    /// Checks `filter` against the `mappings` of property map `id`
    /// (RFC 9240 §8.3, §8.5): at least one entity and one property; each
    /// entity well-formed and in a domain of the map; each property one the
    /// map has. Every failure is `E_INVALID_FIELD_VALUE` naming the member
    /// and, for a bad entry, the entry.
    pub(crate) fn new(
        snapshot: Arc<Snapshot>,
        id: String,
        filter: PropertyMapFilter,
    ) -> Result<Self, ApiError> {
        let empty = Mappings::new();
        let mappings = snapshot.property_mappings.get(&id).unwrap_or(&empty);
        non_empty("entities", &filter.entities, RFC_9240_8_3)?;
        non_empty("properties", &filter.properties, RFC_9240_8_3)?;
        if let Some(bad) = filter.entities.iter().find(|e| !entity_ok(mappings, e)) {
            return Err(ErrorDoc::invalid_field_value("entities", bad.clone()).into());
        }
        if let Some(bad) = filter.properties.iter().find(|p| !property_ok(mappings, p)) {
            return Err(ErrorDoc::invalid_field_value("properties", bad.clone()).into());
        }
        let mut entities = filter.entities;
        entities.sort_unstable();
        entities.dedup();
        Ok(Self {
            snapshot,
            id,
            entities,
            properties: filter.properties,
        })
    }

    fn wanted(&self, name: &str) -> bool {
        self.properties.iter().any(|p| p == name)
    }
}

const RFC_9240_8_3: &str = "RFC 9240 §8.3";

/// A list the request needs at least one entry in (`entities<1..*>`,
/// `properties<1..*>` of RFC 9240 §8.3 and RFC 7285 §11.4.1.3), as
/// `E_INVALID_FIELD_VALUE` naming the member and `rfc`.
pub(super) fn non_empty(field: &str, list: &[String], rfc: &str) -> Result<(), ApiError> {
    if list.is_empty() {
        let message = format!("`{field}` needs at least one entry ({rfc})");
        let doc = ErrorDoc::with_field(ErrorCode::InvalidFieldValue, field).with_message(message);
        return Err(doc.into());
    }
    Ok(())
}

/// A well-formed entity ID in one of the map's entity domains.
fn entity_ok(mappings: &Mappings, entity: &str) -> bool {
    validate_entity_id(entity).is_ok() && mappings.contains_key(entity_domain(entity))
}

/// A property the map has for some entity domain.
fn property_ok(mappings: &Mappings, name: &str) -> bool {
    mappings
        .values()
        .any(|names| names.iter().any(|n| n == name))
}

impl Planned for PropertySelection {
    /// Index probes, at most.
    fn pairs(&self) -> u64 {
        self.entities.len() as u64 * 129
    }

    fn write(&self, cancel: &Cancel) -> Result<Vec<u8>, ApiError> {
        let Some(map) = self.snapshot.property_maps.get(&self.id) else {
            return Err(ApiError::NotFound(format!("{}/filtered", self.id)));
        };
        let index = AddressIndex::new(map);
        let mut rows = BTreeMap::new();
        for entity in &self.entities {
            let props: Properties = index
                .resolve(map, entity)
                .into_iter()
                .filter(|(name, value)| self.wanted(name) && !value.is_null())
                .collect();
            if !props.is_empty() {
                rows.insert(entity.clone(), props);
            }
        }
        cancel.check()?;
        let doc = PropertyMapDoc {
            meta: PropertyMapMeta {
                dependent_vtags: map.meta.dependent_vtags.clone(),
            },
            property_map: rows,
        };
        Ok(serde_json::to_vec(&doc).unwrap_or_default())
    }
}

/// The map's address entities by prefix; several spellings of one prefix
/// (`ipv4:192.0.2.1`, `ipv4:192.0.2.1/32`) keep the map's order.
struct AddressIndex<'a>(HashMap<IpNet, Vec<&'a Properties>>);

impl<'a> AddressIndex<'a> {
    fn new(map: &'a PropertyMapDoc) -> Self {
        let mut index: HashMap<IpNet, Vec<&Properties>> = HashMap::new();
        for (id, props) in &map.property_map {
            if let Some(net) = address_entity(id) {
                index.entry(net.trunc()).or_default().push(props);
            }
        }
        Self(index)
    }

    /// The entity's own properties, plus for address entities those
    /// inherited from the most specific covering prefix that defines each
    /// property (the entity's own prefix first).
    fn resolve(&self, map: &PropertyMapDoc, entity: &str) -> Properties {
        let Some(target) = address_entity(entity) else {
            return map.property_map.get(entity).cloned().unwrap_or_default();
        };
        let mut out = BTreeMap::new();
        for len in (0..=target.prefix_len()).rev() {
            let Ok(covering) = IpNet::new(target.addr(), len) else {
                continue;
            };
            for props in self.0.get(&covering.trunc()).into_iter().flatten() {
                for (name, value) in *props {
                    out.entry(name.clone()).or_insert_with(|| value.clone());
                }
            }
        }
        out.into_iter().collect()
    }
}

/// `ipv4:192.0.2.0/24` or `ipv6:2001:db8::1` as a prefix.
fn address_entity(entity: &str) -> Option<IpNet> {
    let (domain, rest) = entity.split_once(':')?;
    let net = match domain {
        "ipv4" => rest.parse().ok().or_else(|| {
            rest.parse::<std::net::Ipv4Addr>()
                .ok()
                .map(|a| IpNet::from(std::net::IpAddr::V4(a)))
        })?,
        "ipv6" => rest.parse().ok().or_else(|| {
            rest.parse::<std::net::Ipv6Addr>()
                .ok()
                .map(|a| IpNet::from(std::net::IpAddr::V6(a)))
        })?,
        _ => return None,
    };
    Some(net)
}
