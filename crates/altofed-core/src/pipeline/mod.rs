//! One computation: CDN network + every peer's maps + configuration in, the
//! published documents out. In three steps, so that a long-running engine
//! can redo only what changed:
//!
//! 1. [`cdn_costs`](crate::cdn_cost::cdn_costs): C_cdn, when the CDN side changes;
//! 2. [`compose_peer`]: one peer's columns, when that peer (or step 1) changes;
//! 3. [`assemble`]: merge and publish, every time.
//!
//! [`compute`] runs all three for a one-shot computation.

mod assemble;
mod blocks;
mod frame;
mod merged;
mod peer;
mod props;
mod table;

pub use assemble::{assemble, assemble_with};
pub use merged::MergeCache;
pub use peer::{compose_peer, PeerColumns};

use std::sync::Arc;

use altofed_model::{CostTableDoc, NetworkMapDoc, PropertyMapDoc};
use thiserror::Error;

use crate::border::BorderError;
use crate::cdn_cost::cdn_costs_for;
use crate::config::Config;
use crate::output::OutputError;
use crate::peer::{PeerError, PeerMaps};
use crate::peer_checks::PeerCheckError;
use crate::topology::CdnNetwork;

/// Everything a computation publishes.
#[derive(Debug, Clone)]
pub struct Computed {
    /// Shared with the merge cache that made it.
    pub network_map: Arc<NetworkMapDoc>,
    pub cost_map: CostTableDoc,
    /// `None` when `output.ordinal-cost-map` is off.
    pub ordinal_cost_map: Option<CostTableDoc>,
    /// Shared with the cache that made it (it is taken over while the
    /// PIDs and the peers' states stay the same).
    pub property_map: Arc<PropertyMapDoc>,
    /// Things an operator should know that did not stop the computation.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Error)]
pub enum ComputeError {
    #[error(transparent)]
    Peer(#[from] PeerError),
    #[error(transparent)]
    PeerCheck(#[from] PeerCheckError),
    #[error(transparent)]
    Border(#[from] BorderError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("peer `{peer}`: the network map is unusable: {reason}")]
    PeerNetworkMap { peer: String, reason: String },
    #[error("pin[{index}].cdn-pid: no CDN PID is called `{pid}`")]
    UnknownPinnedPid { index: usize, pid: String },
    #[error("{0} peer map sets were given for {1} configured peers")]
    PeerCount(usize, usize),
}

/// What one peer contributes to [`assemble`].
#[derive(Debug, Clone, Copy)]
pub struct PeerInput<'a> {
    pub maps: &'a PeerMaps,
    pub columns: &'a PeerColumns,
    /// When the peer's maps are stale: since when (RFC 3339), published as
    /// `.priv:stale-since` on its PIDs.
    pub stale_since: Option<&'a str>,
}

/// Runs the whole computation. `peers[i]` holds the maps of `config.peers[i]`.
pub fn compute(
    config: &Config,
    cdn: &CdnNetwork,
    peers: &[PeerMaps],
) -> Result<Computed, ComputeError> {
    if peers.len() != config.peers.len() {
        return Err(ComputeError::PeerCount(peers.len(), config.peers.len()));
    }
    let (costs, topology_warnings) = cdn_costs_for(cdn, config.output.direction);
    let mut warnings: Vec<String> = topology_warnings.iter().map(ToString::to_string).collect();
    let columns = peers
        .iter()
        .enumerate()
        .map(|(p, maps)| compose_peer(config, p, maps, cdn, &costs))
        .collect::<Result<Vec<_>, _>>()?;
    warnings.extend(columns.iter().flat_map(|c| c.warnings.iter().cloned()));
    let inputs: Vec<Option<PeerInput<'_>>> = peers
        .iter()
        .zip(&columns)
        .map(|(maps, columns)| {
            Some(PeerInput {
                maps,
                columns,
                stale_since: None,
            })
        })
        .collect();
    assemble(config, cdn, &inputs, warnings)
}
