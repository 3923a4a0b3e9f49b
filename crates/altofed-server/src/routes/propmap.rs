//! Filtered property maps (RFC 9240 §8): the requested entities with the
//! requested properties, including values inherited from covering prefixes
//! for `ipv4:`/`ipv6:` entities (RFC 9240 §6.1), where `null` blocks
//! inheritance.

use std::collections::BTreeMap;

use altofed_model::error::ErrorDoc;
use altofed_model::propmap::PropertyMapFilter;
use altofed_model::validate::{validate_entity_id, validate_property_name};
use altofed_model::{PropertyMapDoc, PropertyMapMeta};
use ipnet::IpNet;
use serde_json::Value;

use crate::http::ApiError;

pub fn filter_property_map(
    map: &PropertyMapDoc,
    filter: &PropertyMapFilter,
) -> Result<PropertyMapDoc, ApiError> {
    for entity in &filter.entities {
        validate_entity_id(entity).map_err(|_| {
            ApiError::from(ErrorDoc::invalid_field_value("entities", entity.clone()))
        })?;
    }
    for name in filter.properties.as_deref().unwrap_or_default() {
        validate_property_name(name).map_err(|_| {
            ApiError::from(ErrorDoc::invalid_field_value("properties", name.clone()))
        })?;
    }
    let wanted = |name: &str| {
        filter
            .properties
            .as_ref()
            .is_none_or(|list| list.iter().any(|p| p == name))
    };
    let mut rows = BTreeMap::new();
    for entity in &filter.entities {
        let props: BTreeMap<String, Value> = resolve(map, entity)
            .into_iter()
            .filter(|(name, value)| wanted(name) && !value.is_null())
            .collect();
        if !props.is_empty() {
            rows.insert(entity.clone(), props);
        }
    }
    Ok(PropertyMapDoc {
        meta: PropertyMapMeta {
            dependent_vtags: map.meta.dependent_vtags.clone(),
        },
        property_map: rows,
    })
}

/// The entity's own properties, plus for address entities those inherited
/// from the most specific covering prefix that defines each property.
fn resolve(map: &PropertyMapDoc, entity: &str) -> BTreeMap<String, Value> {
    let Some(target) = address_entity(entity) else {
        return map.property_map.get(entity).cloned().unwrap_or_default();
    };
    let mut covering: Vec<(IpNet, &BTreeMap<String, Value>)> = map
        .property_map
        .iter()
        .filter_map(|(id, props)| address_entity(id).map(|net| (net, props)))
        .filter(|(net, _)| net.contains(&target))
        .collect();
    // Most specific first: the first value seen for a property wins.
    covering.sort_by_key(|(net, _)| std::cmp::Reverse(net.prefix_len()));
    let mut out = BTreeMap::new();
    for (_, props) in covering {
        for (name, value) in props {
            out.entry(name.clone()).or_insert_with(|| value.clone());
        }
    }
    out
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
