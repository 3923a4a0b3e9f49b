//! How big a peer's maps may be: `peer.max-pids` and `peer.max-prefixes`.
//!
//! A peer's documents are bounded in bytes when they are read
//! (`peer.http.max-bytes`, 256 MiB for files), but what they cost the
//! aggregator grows with their PIDs and prefixes: every PID becomes a
//! column in each CDN row, a published network map entry and property map
//! rows. Maps over the limits are refused before anything is built from
//! them, so the memory one peer can claim is set by the operator, not by
//! the peer.

use altofed_model::{CostTable, NetworkMapDoc};

use super::PeerCheckError;

/// The limits of one peer (from its configuration).
#[derive(Debug, Clone, Copy)]
pub struct SizeLimits {
    pub max_pids: usize,
    pub max_prefixes: usize,
}

/// The network map's PIDs and prefixes and the cost map's PID names within
/// `limits`; the error says which count, and the key that raises it.
pub fn check_size(
    peer: &str,
    network_map: &NetworkMapDoc,
    cost_map: &CostTable,
    limits: SizeLimits,
) -> Result<(), PeerCheckError> {
    let too_many = |what: &'static str, count: usize, limit: usize, key: &'static str| {
        PeerCheckError::TooLarge {
            peer: peer.to_owned(),
            what,
            count,
            limit,
            key,
        }
    };
    let pids = network_map.network_map.len();
    if pids > limits.max_pids {
        return Err(too_many(
            "network map PIDs",
            pids,
            limits.max_pids,
            "max-pids",
        ));
    }
    let names = cost_map.names().len();
    if names > limits.max_pids {
        return Err(too_many(
            "cost map PIDs",
            names,
            limits.max_pids,
            "max-pids",
        ));
    }
    let prefixes: usize = network_map
        .network_map
        .values()
        .map(|g| g.ipv4.len() + g.ipv6.len())
        .sum();
    if prefixes > limits.max_prefixes {
        return Err(too_many(
            "network map prefixes",
            prefixes,
            limits.max_prefixes,
            "max-prefixes",
        ));
    }
    Ok(())
}
