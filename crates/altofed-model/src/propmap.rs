//! Property map documents and filtered property map requests (RFC 9240 §7,
//! §8).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::properties::Properties;
use crate::vtag::VersionTag;

/// Entity ID (e.g. `agg-netmap.pid:isp-a:pid1`, `ipv4:192.0.2.0/24`) ->
/// property name -> value. Values are JSON (RFC 9240 §7.6); `null` blocks
/// inheritance (RFC 9240 §6.1.3), so it is kept, not dropped.
pub type PropertyRows = BTreeMap<String, Properties>;

/// `application/alto-propmap+json`, also the filtered response (RFC 9240
/// §7.6, §8.6).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PropertyMapDoc {
    #[serde(default)]
    pub meta: PropertyMapMeta,
    #[serde(rename = "property-map", deserialize_with = "crate::unique::map")]
    pub property_map: PropertyRows,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyMapMeta {
    /// Ordered like the resource's `uses` (RFC 9240 §7.6); omitted when the
    /// map depends on nothing.
    #[serde(
        rename = "dependent-vtags",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub dependent_vtags: Vec<VersionTag>,
}

/// `application/alto-propmapparams+json` (RFC 9240 §8.3). Both members
/// are required and need at least one entry (`entities<1..*>`,
/// `properties<1..*>`); each entity's domain and each property must be in
/// the resource's `mappings` (checked by the server, RFC 9240 §8.5).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(remote = "Self")]
pub struct PropertyMapFilter {
    pub entities: Vec<String>,
    pub properties: Vec<String>,
}

crate::object_only!(PropertyMapFilter, Serialize);
