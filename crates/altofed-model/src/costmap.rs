//! Cost map documents (RFC 7285 §11.2.3).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::cost::{Cost, CostType};
use crate::vtag::VersionTag;

/// Source PID -> destination PID -> cost. Pairs that are not defined are
/// absent (RFC 7285 §11.2.3.6), never invented.
pub type CostRows = BTreeMap<String, BTreeMap<String, Cost>>;

/// `application/alto-costmap+json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostMapDoc {
    pub meta: CostMapMeta,
    #[serde(rename = "cost-map")]
    pub cost_map: CostRows,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostMapMeta {
    /// Exactly one element, the network map's vtag (RFC 7285 §11.2.3.6).
    #[serde(rename = "dependent-vtags")]
    pub dependent_vtags: Vec<VersionTag>,
    #[serde(rename = "cost-type")]
    pub cost_type: CostType,
    /// Optional for cost maps; altofed always sends one so that clients
    /// and update streams can tell versions apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vtag: Option<VersionTag>,
}
