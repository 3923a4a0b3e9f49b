//! What altofed holds of one ISP: its network map, its cost map and,
//! where offered, its property map; and the checks made before they are
//! used (RFC 7285 §11.2.3.6: a cost map only goes with the network map
//! whose vtag it names).

use altofed_model::{CostMapMeta, CostMode, CostTableDoc, NetworkMapDoc, PropertyMapDoc};
use thiserror::Error;

/// One peer's maps, as parsed. The cost map is kept as a [`CostTableDoc`]:
/// a production peer's map has over a million pairs, too many for a
/// `String` each.
#[derive(Debug, Clone)]
pub struct PeerMaps {
    pub network_map: NetworkMapDoc,
    pub cost_map: CostTableDoc,
    pub property_map: Option<PropertyMapDoc>,
}

/// Peer maps that cannot be composed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PeerError {
    #[error("peer `{peer}`: cost map depends on network map {got}, but the network map is {want} (RFC 7285 §11.2.3.6)")]
    VtagMismatch {
        peer: String,
        want: String,
        got: String,
    },
    #[error("peer `{peer}`: cost map has no dependent-vtags (RFC 7285 §11.2.3.6)")]
    NoDependentVtag { peer: String },
    #[error("peer `{peer}`: cost map is {mode:?} `{metric}`; composition needs numerical costs")]
    NotNumerical {
        peer: String,
        metric: String,
        mode: CostMode,
    },
}

impl PeerMaps {
    /// Checks that the cost map belongs to the network map and can be added.
    pub fn check(&self, peer: &str) -> Result<(), PeerError> {
        check_cost_map(peer, &self.network_map, &self.cost_map.meta)
    }

    /// Whether `other` says the same as these maps, whatever their vtags:
    /// same PIDs and prefixes, same cost type and costs, same properties.
    /// A peer may change its vtags without changing anything else; such
    /// maps need no recompute. Costs first: they are what a peer changes
    /// most often, and two tables usually differ in their first costs,
    /// where two network maps that differ may do so anywhere.
    pub fn same_content(&self, other: &PeerMaps) -> bool {
        self.cost_map.meta.cost_type == other.cost_map.meta.cost_type
            && self.cost_map.cost_map == other.cost_map.cost_map
            && self.network_map.network_map == other.network_map.network_map
            && self.property_map.as_ref().map(|p| &p.property_map)
                == other.property_map.as_ref().map(|p| &p.property_map)
    }
}

/// [`PeerMaps::check`] on its parts: the cost map whose meta is `meta`
/// names `network_map`'s vtag and has numerical costs.
pub fn check_cost_map(
    peer: &str,
    network_map: &NetworkMapDoc,
    meta: &CostMapMeta,
) -> Result<(), PeerError> {
    let Some(dep) = meta.dependent_vtags.first() else {
        return Err(PeerError::NoDependentVtag {
            peer: peer.to_owned(),
        });
    };
    let own = &network_map.meta.vtag;
    if dep != own {
        return Err(PeerError::VtagMismatch {
            peer: peer.to_owned(),
            want: format!("{}/{}", own.resource_id, own.tag),
            got: format!("{}/{}", dep.resource_id, dep.tag),
        });
    }
    if meta.cost_type.cost_mode != CostMode::Numerical {
        return Err(PeerError::NotNumerical {
            peer: peer.to_owned(),
            metric: meta.cost_type.cost_metric.clone(),
            mode: meta.cost_type.cost_mode,
        });
    }
    Ok(())
}
