//! The routingcost cost maps: numerical from the composition, ordinal
//! derived from it (RFC 7285 §6.1.2.2: ranks relative to all entries of the
//! map, lower is better, ties share a rank).
//!
//! Both are [`CostTable`]s: a published map has millions of pairs, and a
//! `String` and a tree slot per pair would cost more than the composition.

use altofed_model::{
    CostMapMeta, CostMode, CostTable, CostTableDoc, CostType, PartsError, VersionTag,
};
use rayon::slice::ParallelSliceMut;

/// Builds the numerical cost map from numerical costs, and the ordinal one
/// when it has an id. `network_map` is the vtag of the network map both
/// depend on.
pub fn build_cost_maps(
    table: CostTable,
    network_map: &VersionTag,
    numerical_id: &str,
    ordinal_id: Option<&str>,
) -> Result<(CostTableDoc, Option<CostTableDoc>), PartsError> {
    let ordinal = match ordinal_id {
        Some(id) => Some(cost_map(
            ordinal_ranks(&table)?,
            CostMode::Ordinal,
            network_map,
            id,
        )),
        None => None,
    };
    Ok((
        cost_map(table, CostMode::Numerical, network_map, numerical_id),
        ordinal,
    ))
}

fn cost_map(table: CostTable, mode: CostMode, network_map: &VersionTag, id: &str) -> CostTableDoc {
    // The tag covers the costs and the network map they refer to.
    let tag = table.content_tag(network_map.tag.as_bytes());
    CostTableDoc {
        meta: CostMapMeta {
            dependent_vtags: vec![network_map.clone()],
            cost_type: CostType::routingcost(mode),
            vtag: Some(VersionTag::new(id, tag)),
        },
        cost_map: table,
    }
}

/// Dense ranks starting at 1 over every value of the map: the lowest cost
/// gets 1, equal costs share a rank. One sort of (value, position) pairs,
/// then one pass: no per-pair search.
pub fn ordinal_ranks(table: &CostTable) -> Result<CostTable, PartsError> {
    let costs = table.costs();
    let mut order: Vec<(u64, u32)> = costs
        .iter()
        .zip(0u32..)
        .map(|(c, i)| (order_key(*c), i))
        .collect();
    order.par_sort_unstable();
    let mut ranks = vec![0.0; costs.len()];
    let mut rank = 0.0;
    let mut last = None;
    for (key, i) in order {
        if last != Some(key) {
            rank += 1.0;
            last = Some(key);
        }
        ranks[i as usize] = rank;
    }
    table.with_costs(ranks)
}

/// A u64 that orders like the f64 (`-0.0` equal to `0.0`, as `==` has it).
fn order_key(c: f64) -> u64 {
    let bits = (c + 0.0).to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}
