//! What a peer watcher tells the engine. Watchers run as tasks, one per
//! peer, and send events on a `tokio::sync::mpsc` channel; the engine never
//! calls into a peer.

use std::sync::Arc;

use altofed_core::peer::PeerMaps;

/// A peer's news, `peer` being its index in the configuration.
#[derive(Debug, Clone)]
pub enum PeerEvent {
    /// New maps, already checked (media types, schema, the cost map's
    /// dependent vtag names the network map).
    Updated { peer: usize, maps: Arc<PeerMaps> },
    /// A fetch failed; the engine keeps the last good maps, marked stale.
    Failed { peer: usize, error: String },
    /// The peer answers again after a failure, and its maps are the ones
    /// last sent: they are current again (no longer stale).
    Current { peer: usize },
}

impl PeerEvent {
    pub fn peer(&self) -> usize {
        match self {
            PeerEvent::Updated { peer, .. }
            | PeerEvent::Failed { peer, .. }
            | PeerEvent::Current { peer } => *peer,
        }
    }
}
