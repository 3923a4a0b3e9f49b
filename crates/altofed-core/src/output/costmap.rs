//! The routingcost cost maps: numerical from the composition, ordinal
//! derived from it (RFC 7285 §6.1.2.2: ranks relative to all entries of the
//! map, lower is better, ties share a rank).
//!
//! Both are [`CostTable`]s: a published map has millions of pairs, and a
//! `String` and a tree slot per pair would cost more than the composition.

use altofed_model::{
    CostMapMeta, CostMode, CostTable, CostTableDoc, CostType, PartsError, VersionTag,
};

/// Builds the numerical cost map from numerical costs, and the ordinal one
/// when it has an id. `network_map` is the vtag of the network map both
/// depend on.
pub fn build_cost_maps(
    table: CostTable,
    network_map: &VersionTag,
    numerical_id: &str,
    ordinal_id: Option<&str>,
) -> Result<(CostTableDoc, Option<CostTableDoc>), PartsError> {
    let ordinal =
        ordinal_id.map(|id| cost_map(table.dense_ranks(), CostMode::Ordinal, network_map, id));
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
