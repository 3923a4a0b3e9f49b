//! Property map rules (RFC 9240 §5, §7.6) and property names (RFC 7285
//! §10.8).

use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use ipnet::{Ipv4Net, Ipv6Net};

use super::maps::check_vtag;
use super::ValidationError;
use crate::name::{validate_pid_name, validate_property_type, validate_resource_id};
use crate::propmap::PropertyMapDoc;

/// Checks every entity ID and property name, and each dependent vtag
/// (RFC 7285 §10.3, RFC 9240 §7.6).
pub fn validate_property_map(doc: &PropertyMapDoc) -> Result<(), ValidationError> {
    for (i, vtag) in doc.meta.dependent_vtags.iter().enumerate() {
        check_vtag(&format!("property map meta.dependent-vtags[{i}]"), vtag)?;
    }
    for (entity, props) in &doc.property_map {
        validate_entity_id(entity)?;
        for name in props.keys() {
            validate_property_name(name)?;
        }
    }
    Ok(())
}

/// Accepts the entity IDs altofed publishes (RFC 9240 §5.1.3):
/// `ipv4:<address-or-prefix>`, `ipv6:<address-or-prefix>` (RFC 9240
/// §6.1.1) and `<resource-id>.pid:<pidname>` (RFC 9240 §6.2.2). Prefixes
/// must not have host bits set. Other domains (resource-specific `ipv4`,
/// self-defined, RFC 9241 `asn`) are rejected.
pub fn validate_entity_id(id: &str) -> Result<(), ValidationError> {
    let err = |reason| ValidationError::EntityId {
        id: id.to_owned(),
        reason,
    };
    let address = match id.split_once(':') {
        Some(("ipv4", a)) => Some((check_addr::<Ipv4Net, Ipv4Addr>(a, Ipv4Net::trunc), NOT_V4)),
        Some(("ipv6", a)) => Some((check_addr::<Ipv6Net, Ipv6Addr>(a, Ipv6Net::trunc), NOT_V6)),
        _ => None,
    };
    if let Some((check, not_addr)) = address {
        return match check {
            AddrCheck::Ok => Ok(()),
            AddrCheck::HostBits => Err(err(HOST_BITS)),
            AddrCheck::Unparsable => Err(err(not_addr)),
        };
    }
    let Some((resource, rest)) = id.split_once('.') else {
        return Err(err(UNKNOWN_DOMAIN));
    };
    let Some(pid) = rest.strip_prefix("pid:") else {
        return Err(err(UNKNOWN_DOMAIN));
    };
    if validate_resource_id(resource).is_err() {
        return Err(err("has an invalid resource ID before `.pid`"));
    }
    if validate_pid_name(pid).is_err() {
        return Err(err("has an invalid PID name after `.pid:`"));
    }
    Ok(())
}

const HOST_BITS: &str = "is a prefix with host bits set";
const NOT_V4: &str = "is not an IPv4 address or prefix after `ipv4:`";
const NOT_V6: &str = "is not an IPv6 address or prefix after `ipv6:`";
const UNKNOWN_DOMAIN: &str =
    "is not of the form `ipv4:<addr>`, `ipv6:<addr>` or `<resource-id>.pid:<pid>`";

enum AddrCheck {
    Ok,
    HostBits,
    Unparsable,
}

/// An address, or a prefix without host bits (RFC 4632 §3.1).
fn check_addr<N, A>(s: &str, trunc: fn(&N) -> N) -> AddrCheck
where
    N: FromStr + PartialEq,
    A: FromStr,
{
    if s.contains('/') {
        match s.parse::<N>() {
            Ok(net) if trunc(&net) == net => AddrCheck::Ok,
            Ok(_) => AddrCheck::HostBits,
            Err(_) => AddrCheck::Unparsable,
        }
    } else if s.parse::<A>().is_ok() {
        AddrCheck::Ok
    } else {
        AddrCheck::Unparsable
    }
}

/// An entity property name as altofed publishes it: `[ResourceID] "."
/// EntityPropertyType` (RFC 9240 §5.2.2), e.g. `agg-netmap.pid`, or the
/// self-defined `.priv:agg-origin` with the ResourceID left out and the dot
/// kept. A name without a dot (`priv:kind`, RFC 7285's global endpoint
/// property form) is refused: schema-validating clients reject the whole
/// map for it.
pub fn validate_property_name(name: &str) -> Result<(), ValidationError> {
    if !name.contains('.') {
        return Err(ValidationError::PropertyNoDot {
            property: name.to_owned(),
        });
    }
    validate_endpoint_property_name(name)
}

/// An endpoint property name (RFC 7285 §10.8): `[<resource-id> "."]
/// <property-type>`: `agg-netmap.pid`, or a global type such as
/// `priv:ietf-type` without a dot; the self-defined `.priv:x` of RFC 9240
/// is accepted too.
pub fn validate_endpoint_property_name(name: &str) -> Result<(), ValidationError> {
    let ty = match name.split_once('.') {
        Some((resource, ty)) => {
            if !resource.is_empty() {
                validate_resource_id(resource).map_err(|source| {
                    ValidationError::PropertyResourceId {
                        property: name.to_owned(),
                        source,
                    }
                })?;
            }
            ty
        }
        None => name,
    };
    validate_property_type(ty).map_err(|source| ValidationError::PropertyType {
        property: name.to_owned(),
        source,
    })
}
