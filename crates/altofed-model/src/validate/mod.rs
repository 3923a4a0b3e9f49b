//! Validation of documents altofed emits. Peer documents are parsed
//! liberally instead (RFC 7285 §8.3.7); these checks are for our own output,
//! so that we never publish something a strict client would reject.
//!
//! Every check returns the first violation found as a [`ValidationError`],
//! whose message names the offending PID, prefix or member and the rule's
//! RFC section.

use std::net::IpAddr;

use ipnet::IpNet;
use thiserror::Error;

use crate::name::{NameError, ShortNameError};
use crate::vtag::{VersionTag, VtagError};

mod ird;
mod maps;
mod propmap;

pub use ird::validate_ird;
pub use maps::{
    validate_cost_map, validate_cost_table, validate_cost_table_costs, validate_network_map,
    validate_network_map_complete,
};
pub use propmap::{
    validate_endpoint_property_name, validate_entity_id, validate_property_map,
    validate_property_name,
};

/// One variant per rule.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ValidationError {
    /// A vtag's syntax (RFC 7285 §10.3); `member` says which one.
    #[error("{member}: {source}")]
    Vtag { member: String, source: VtagError },
    /// PIDName syntax (RFC 7285 §10.1).
    #[error("invalid PID name in {context}: {source}")]
    PidName {
        context: &'static str,
        source: NameError,
    },
    /// A prefix whose host part is not zero (RFC 4632 §3.1).
    #[error("prefix {prefix} of PID `{pid}` has host bits set; write {} (RFC 7285 §10.4.4, RFC 4632 §3.1)", .prefix.trunc())]
    PrefixHostBits { pid: String, prefix: IpNet },
    /// The same prefix in two PIDs (RFC 7285 §11.2.2).
    #[error("prefix {prefix} is in PID `{first}` and in PID `{second}`; a prefix must not be in two PIDs (RFC 7285 §11.2.2)")]
    DuplicatePrefix {
        prefix: IpNet,
        first: String,
        second: String,
    },
    /// An address of a used family that no PID covers (RFC 7285 §11.2.2).
    #[error("{} address {gap} is in no PID; a network map must place every address of each address type it uses in some PID (RFC 7285 §11.2.2)", family(.gap))]
    Incomplete { gap: IpAddr },
    /// `dependent-vtags` of a cost map must have one element (RFC 7285 §11.2.3.6).
    #[error("cost map meta.dependent-vtags has {count} elements; it must hold exactly one, the network map's vtag (RFC 7285 §11.2.3.6)")]
    DependentVtagCount { count: usize },
    /// A cost map built on another version of the network map.
    #[error("cost map depends on network map {found}, but the network map is {expected} (RFC 7285 §11.2.3.6)")]
    DependentVtagMismatch {
        found: VersionTag,
        expected: VersionTag,
    },
    /// Cost metric syntax (RFC 7285 §10.6).
    #[error("{context}: {source}")]
    CostMetric {
        context: String,
        source: ShortNameError,
    },
    /// A cost map PID that the network map does not define.
    #[error(
        "cost map {role} PID `{pid}` is not in network map `{network_map}` (RFC 7285 §11.2.3.6)"
    )]
    UnknownPid {
        role: &'static str,
        pid: String,
        network_map: String,
    },
    /// Ordinal costs are non-negative integers (RFC 7285 §6.1.2.2).
    #[error("ordinal cost {value} for `{src}` -> `{dst}` is not a non-negative integer (RFC 7285 §6.1.2.2)")]
    OrdinalCost {
        src: String,
        dst: String,
        value: f64,
    },
    /// JSON cannot carry NaN or infinities (RFC 8259 §6).
    #[error("cost {value} for `{src}` -> `{dst}` is not a finite number (RFC 7285 §11.2.3.6, RFC 8259 §6)")]
    NonFiniteCost {
        src: String,
        dst: String,
        value: f64,
    },
    /// Entity ID syntax (RFC 9240 §5.1.3, §6.1.1, §6.2.2).
    #[error("entity ID `{id}` {reason} (RFC 9240 §5.1.3)")]
    EntityId { id: String, reason: &'static str },
    /// The ResourceID part of a resource-specific property name
    /// (RFC 7285 §10.8.1, RFC 9240 §5.2.2).
    #[error("property name `{property}`: {source}")]
    PropertyResourceId { property: String, source: NameError },
    /// An entity property name without the `.` (RFC 9240 §5.2.2): a
    /// self-defined property keeps it, `.priv:x`, not `priv:x`.
    #[error("property name `{property}` has no `.`; an entity property name is `[ResourceID] '.' EntityPropertyType`, so a self-defined one is written `.{property}` (RFC 9240 §5.2.2)")]
    PropertyNoDot { property: String },
    /// The property type part of a property name (RFC 7285 §10.8.2,
    /// RFC 9240 §5.2.1).
    #[error("property name `{property}`: {source}")]
    PropertyType {
        property: String,
        source: ShortNameError,
    },
    /// ResourceID syntax in an IRD (RFC 7285 §10.2).
    #[error("invalid IRD resource ID: {source}")]
    ResourceId { source: NameError },
    /// `uses` naming a resource the IRD does not define (RFC 7285 §9.2.2).
    #[error("IRD resource `{resource}` uses `{used}`, which is not a resource of this directory (RFC 7285 §9.2.2)")]
    UnknownUses { resource: String, used: String },
    /// `default-alto-network-map` not naming a network map (RFC 7285 §9.2.2).
    #[error("default-alto-network-map `{id}` {problem}; it must name a network map resource (RFC 7285 §9.2.2)")]
    DefaultNetworkMap { id: String, problem: String },
    /// `cost-type-names` entry missing from `meta.cost-types` (RFC 7285 §9.2.2).
    #[error("IRD resource `{resource}` lists cost type name `{name}`, which is not in meta.cost-types (RFC 7285 §9.2.2, §11.2.3.4)")]
    UnknownCostTypeName { resource: String, name: String },
}

fn family(addr: &IpAddr) -> &'static str {
    match addr {
        IpAddr::V4(_) => "ipv4",
        IpAddr::V6(_) => "ipv6",
    }
}
