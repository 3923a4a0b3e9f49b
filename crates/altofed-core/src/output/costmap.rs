//! The routingcost cost maps: numerical from the composition, ordinal
//! derived from it (RFC 7285 §6.1.2.2: ranks relative to all entries of the
//! map, lower is better, ties share a rank).

use std::collections::BTreeMap;

use altofed_model::{
    content_tag, Cost, CostMapDoc, CostMapMeta, CostMode, CostRows, CostType, VersionTag,
};

/// Builds the numerical and the ordinal cost map from numerical rows.
/// `network_map` is the vtag of the network map both depend on.
pub fn build_cost_maps(
    rows: CostRows,
    network_map: &VersionTag,
    numerical_id: &str,
    ordinal_id: &str,
) -> (CostMapDoc, CostMapDoc) {
    let ordinal = ordinal_ranks(&rows);
    (
        cost_map(rows, CostMode::Numerical, network_map, numerical_id),
        cost_map(ordinal, CostMode::Ordinal, network_map, ordinal_id),
    )
}

fn cost_map(rows: CostRows, mode: CostMode, network_map: &VersionTag, id: &str) -> CostMapDoc {
    // The tag covers the costs and the network map they refer to.
    let mut hashed = serde_json::to_vec(&rows).unwrap_or_default();
    hashed.extend_from_slice(network_map.tag.as_bytes());
    CostMapDoc {
        meta: CostMapMeta {
            dependent_vtags: vec![network_map.clone()],
            cost_type: CostType::routingcost(mode),
            vtag: Some(VersionTag::new(id, content_tag(&hashed))),
        },
        cost_map: rows,
    }
}

/// Dense ranks starting at 1 over every value of the map: the lowest cost
/// gets 1, equal costs share a rank.
pub fn ordinal_ranks(rows: &CostRows) -> CostRows {
    let mut values: Vec<f64> = rows
        .values()
        .flat_map(|r| r.values().map(|c| c.0))
        .collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    let rank = |v: f64| {
        let i = values.partition_point(|x| *x < v);
        #[allow(clippy::cast_precision_loss)]
        Cost((i + 1) as f64)
    };
    rows.iter()
        .map(|(src, row)| {
            let ranked: BTreeMap<String, Cost> = row
                .iter()
                .map(|(dst, c)| (dst.clone(), rank(c.0)))
                .collect();
            (src.clone(), ranked)
        })
        .collect()
}
