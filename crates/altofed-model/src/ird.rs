//! Information Resource Directory, `application/alto-directory+json`
//! (RFC 7285 §9.2).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::cost::CostType;

/// An IRD (RFC 7285 §9.2.2). `meta` is read as empty when a peer leaves it
/// out, and always written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryDoc {
    #[serde(default)]
    pub meta: DirectoryMeta,
    /// Keyed by ResourceID (RFC 7285 §9.1.1).
    #[serde(default, deserialize_with = "crate::unique::map")]
    pub resources: BTreeMap<String, IrdEntry>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryMeta {
    /// Local names for cost types, used by `cost-type-names` (RFC 7285 §9.2.2).
    #[serde(
        rename = "cost-types",
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "crate::unique::map"
    )]
    pub cost_types: BTreeMap<String, CostType>,
    /// MUST be present in a Root IRD (RFC 7285 §9.2.2).
    #[serde(
        rename = "default-alto-network-map",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub default_alto_network_map: Option<String>,
}

/// One resource (RFC 7285 §9.2.2). `uri` may be relative to the IRD's URI;
/// resolving it is the caller's job (RFC 3986 §5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IrdEntry {
    pub uri: String,
    /// The response media type; the IRD type itself means "another IRD"
    /// (RFC 7285 §9.2.4).
    #[serde(rename = "media-type")]
    pub media_type: String,
    /// POST body media type; absent or empty means GET (RFC 7285 §9.2.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepts: Option<String>,
    /// Absent means `{}` (RFC 7285 §9.2.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Capabilities>,
    /// Resource IDs this resource depends on (RFC 7285 §9.2.2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uses: Vec<String>,
}

impl IrdEntry {
    /// A non-empty `accepts` makes the resource POST-mode (RFC 7285 §9.2.2).
    pub fn is_post(&self) -> bool {
        self.accepts.as_deref().is_some_and(|a| !a.is_empty())
    }
}

/// Capabilities of all resource types we know, every one optional
/// (RFC 7285 §11.2.3.4, §11.3.2.4, §11.4.1.4; RFC 8189 §4.1.1; RFC 8895 §6.3;
/// RFC 9240 §7.4). Unknown capabilities are ignored.
///
/// The EPS capability is `prop-types` (RFC 7285 §11.4.1.4); the legacy-EPS
/// example of RFC 9240 §10.3 spells it `properties`, so both are read and
/// only `prop-types` is written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "CapabilitiesWire")]
pub struct Capabilities {
    #[serde(rename = "cost-type-names", skip_serializing_if = "Option::is_none")]
    pub cost_type_names: Option<Vec<String>>,
    /// Absent means `false` (RFC 7285 §11.3.2.4).
    #[serde(rename = "cost-constraints", skip_serializing_if = "Option::is_none")]
    pub cost_constraints: Option<bool>,
    #[serde(rename = "prop-types", skip_serializing_if = "Option::is_none")]
    pub prop_types: Option<Vec<String>>,
    /// Entity domain name -> property names (RFC 9240 §7.4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mappings: Option<BTreeMap<String, Vec<String>>>,
    /// ResourceID -> comma-separated patch media types (RFC 8895 §6.3).
    #[serde(
        rename = "incremental-change-media-types",
        skip_serializing_if = "Option::is_none"
    )]
    pub incremental_change_media_types: Option<BTreeMap<String, String>>,
    #[serde(
        rename = "support-stream-control",
        skip_serializing_if = "Option::is_none"
    )]
    pub support_stream_control: Option<bool>,
    /// Absent means 0 (RFC 8189 §4.1.1).
    #[serde(rename = "max-cost-types", skip_serializing_if = "Option::is_none")]
    pub max_cost_types: Option<u32>,
    #[serde(
        rename = "testable-cost-type-names",
        skip_serializing_if = "Option::is_none"
    )]
    pub testable_cost_type_names: Option<Vec<String>>,
}

/// Input shape of [`Capabilities`]: separate slots for `prop-types` and its
/// legacy spelling, so a peer sending both is not a duplicate-field error.
#[derive(Deserialize)]
struct CapabilitiesWire {
    #[serde(rename = "cost-type-names", default)]
    cost_type_names: Option<Vec<String>>,
    #[serde(rename = "cost-constraints", default)]
    cost_constraints: Option<bool>,
    #[serde(rename = "prop-types", default)]
    prop_types: Option<Vec<String>>,
    #[serde(default)]
    properties: Option<Vec<String>>,
    #[serde(default)]
    mappings: Option<BTreeMap<String, Vec<String>>>,
    #[serde(rename = "incremental-change-media-types", default)]
    incremental_change_media_types: Option<BTreeMap<String, String>>,
    #[serde(rename = "support-stream-control", default)]
    support_stream_control: Option<bool>,
    #[serde(rename = "max-cost-types", default)]
    max_cost_types: Option<u32>,
    #[serde(rename = "testable-cost-type-names", default)]
    testable_cost_type_names: Option<Vec<String>>,
}

impl From<CapabilitiesWire> for Capabilities {
    fn from(w: CapabilitiesWire) -> Self {
        Self {
            cost_type_names: w.cost_type_names,
            cost_constraints: w.cost_constraints,
            prop_types: w.prop_types.or(w.properties),
            mappings: w.mappings,
            incremental_change_media_types: w.incremental_change_media_types,
            support_stream_control: w.support_stream_control,
            max_cost_types: w.max_cost_types,
            testable_cost_type_names: w.testable_cost_type_names,
        }
    }
}
