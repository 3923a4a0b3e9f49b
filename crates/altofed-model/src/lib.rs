//! ALTO wire types and the rules that go with them.
//!
//! Everything here is pure data: serde types for the documents of RFC 7285
//! (IRD, network and cost maps, filters, endpoint services, errors) and
//! RFC 9240 property maps; the name and vtag syntax; validation of what
//! altofed emits; and longest-prefix-match lookup.
//!
//! Parsing is liberal (RFC 7285 §8.3.7): unknown members are ignored, costs
//! may arrive as JSON strings, `null` costs are dropped, unknown address
//! types are skipped, bare addresses and prefixes with host bits are
//! accepted. Everything that altofed emits goes through the validators in
//! [`validate`] first. No type here uses `deny_unknown_fields`.

pub mod cost;
pub mod costmap;
pub mod costtable;
pub mod endpoint;
pub mod error;
pub mod filter;
pub mod ird;
pub mod json_cursor;
pub mod lookup;
pub mod media;
pub mod name;
pub mod netmap;
pub mod object;
pub mod prefix;
pub mod properties;
pub mod propmap;
pub mod unique;
pub mod validate;
pub mod vtag;

/// For [`object_only!`]; not part of the API.
#[doc(hidden)]
pub use serde as __serde;

pub use cost::{Cost, CostMode, CostType};
pub use costmap::{deserialize_cost_rows, CostMapDoc, CostMapMeta, CostRows};
pub use costtable::{
    Block, CostRow, CostTable, CostTableDoc, PartsError, RowBuf, RowCursor, RowView, TableParts,
};
pub use endpoint::{
    parse_endpoints, EndpointAddrError, EndpointCostDoc, EndpointCostMeta, EndpointCostRequest,
    EndpointFilter, EndpointPropDoc, EndpointPropMeta, EndpointPropRequest, EndpointPropRows,
    TypedEndpointAddr,
};
pub use error::{ErrorCode, ErrorDoc, ErrorMeta};
pub use filter::{
    Constraint, ConstraintError, ConstraintOp, CostMapFilter, NetworkMapFilter, PidFilter,
};
pub use ird::{Capabilities, DirectoryDoc, DirectoryMeta, IrdEntry};
pub use lookup::{LookupBuildError, PidLookup};
pub use name::{
    validate_cost_metric, validate_pid_name, validate_property_type, validate_resource_id,
    NameError, ShortNameError, ShortNameKind,
};
pub use netmap::{EndpointAddrGroup, NetworkMapDoc, NetworkMapMeta};
pub use prefix::{parse_ipv4_prefix, parse_ipv6_prefix, PrefixError};
pub use properties::Properties;
pub use propmap::{PropertyMapDoc, PropertyMapFilter, PropertyMapMeta, PropertyRows};
pub use validate::{
    validate_cost_map, validate_cost_table, validate_endpoint_property_name, validate_entity_id,
    validate_ird, validate_network_map, validate_network_map_complete, validate_property_map,
    validate_property_name, ValidationError,
};
pub use vtag::{content_tag, VersionTag, VtagError};
