//! Property map documents (RFC 9240 §7).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::vtag::VersionTag;

/// Entity ID (e.g. `agg-netmap.pid:isp-a:pid1`, `ipv4:192.0.2.0/24`) ->
/// property name -> value. Values are JSON (RFC 9240 §7.6); `null` blocks
/// inheritance.
pub type PropertyRows = BTreeMap<String, BTreeMap<String, Value>>;

/// `application/alto-propmap+json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PropertyMapDoc {
    pub meta: PropertyMapMeta,
    #[serde(rename = "property-map")]
    pub property_map: PropertyRows,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PropertyMapMeta {
    /// Ordered like the resource's `uses` (RFC 9240 §7.6).
    #[serde(rename = "dependent-vtags", default)]
    pub dependent_vtags: Vec<VersionTag>,
}
