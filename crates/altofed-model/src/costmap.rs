//! Cost map documents (RFC 7285 §11.2.3), also used for filtered cost map
//! responses (RFC 7285 §11.3.2.6).

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::cost::{Cost, CostType};
use crate::vtag::VersionTag;

/// Source PID -> destination PID -> cost. Pairs that are not defined are
/// absent (RFC 7285 §11.2.3.6), never invented.
pub type CostRows = BTreeMap<String, BTreeMap<String, Cost>>;

/// `application/alto-costmap+json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostMapDoc {
    pub meta: CostMapMeta,
    #[serde(rename = "cost-map", deserialize_with = "deserialize_cost_rows")]
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

/// Serde helper for `#[serde(deserialize_with)]` on [`CostRows`]: a `null`
/// cost, or a `null` row, means "pair not defined" and is dropped. An absent
/// pair already means that (RFC 7285 §11.2.3.6), and `null` is how a merge
/// patch says "cost became undefined" (RFC 8895 §3.1.2.2), so a peer that
/// builds its maps by applying patches may leave such values in.
///
/// Costs are parsed directly, without a `serde_json::Value` detour, and each
/// row is collected into a `Vec` and bulk-built into its `BTreeMap` (about
/// twice as fast as inserting pair by pair). A key repeated in one object
/// is refused, naming it ([`crate::unique`]).
pub fn deserialize_cost_rows<'de, D: Deserializer<'de>>(d: D) -> Result<CostRows, D::Error> {
    d.deserialize_map(RowsVisitor)
}

struct RowsVisitor;

impl<'de> Visitor<'de> for RowsVisitor {
    type Value = CostRows;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of source PIDs to cost rows")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CostRows, A::Error> {
        let mut rows = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
        while let Some((src, row)) = map.next_entry::<String, Option<SparseRow>>()? {
            rows.push((src, row));
        }
        // A `null` row repeated is as ambiguous as any other.
        let rows = sorted_unique(rows)?;
        Ok(rows
            .into_iter()
            .filter_map(|(src, row)| Some((src, row?.0)))
            .collect())
    }
}

/// One row of a cost map with `null` costs dropped.
struct SparseRow(BTreeMap<String, Cost>);

impl<'de> Deserialize<'de> for SparseRow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(RowVisitor)
    }
}

struct RowVisitor;

impl<'de> Visitor<'de> for RowVisitor {
    type Value = SparseRow;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of destination PIDs to costs")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SparseRow, A::Error> {
        let mut row = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
        while let Some((dst, cost)) = map.next_entry::<String, Option<Cost>>()? {
            row.push((dst, cost));
        }
        // A `null` cost repeated is as ambiguous as any other.
        let row = sorted_unique(row)?;
        Ok(SparseRow(
            row.into_iter()
                .filter_map(|(dst, cost)| Some((dst, cost?)))
                .collect(),
        ))
    }
}

/// The entries as a map, or the error naming a key that appears twice.
/// Sorting first costs nothing extra: `BTreeMap`'s `FromIterator` sorts
/// anyway, and an already sorted input is one linear pass for it.
fn sorted_unique<V, E: serde::de::Error>(
    mut entries: Vec<(String, V)>,
) -> Result<BTreeMap<String, V>, E> {
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(w) = entries.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(crate::unique::duplicate(&w[0].0));
    }
    Ok(entries.into_iter().collect())
}
