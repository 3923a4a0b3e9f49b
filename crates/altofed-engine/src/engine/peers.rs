//! What a peer's events do to its slot. Each returns `true` when what is
//! published changes.
//!
//! Logging is done here, not by the watchers (they log at DEBUG): the
//! engine knows the peer's name and state, for directory and HTTP peers
//! alike. One WARN per failure: a failed fetch (peer, URL, class, and
//! whether the peer just became stale) or maps rejected by the checks;
//! one WARN when a peer's PIDs are withdrawn; one INFO when a peer in
//! trouble (failing, or withdrawn) answers again.

use std::sync::Arc;
use std::time::SystemTime;

use altofed_core::peer::PeerMaps;
use altofed_core::pipeline::{compose_peer, ComputeError, PeerColumns};

use super::Engine;

/// What the composition task found of a peer's new maps.
enum Arrival {
    /// The same content as the maps in use, whatever their vtags.
    Same,
    Composed(PeerColumns),
    Rejected(ComputeError),
}

impl Engine {
    pub(super) async fn peer_updated(&mut self, peer: usize, maps: Arc<PeerMaps>) -> bool {
        let held = self.peers[peer]
            .maps
            .clone()
            .filter(|_| self.peers[peer].columns.is_some());
        let (config, cdn, costs, input) = (
            self.config.clone(),
            self.cdn.clone(),
            self.costs.clone(),
            maps.clone(),
        );
        // Comparing or composing a production-size map is CPU work.
        let arrival = tokio::task::spawn_blocking(move || {
            if held.is_some_and(|h| h.same_content(&input)) {
                return Arrival::Same;
            }
            match compose_peer(&config, peer, &input, &cdn, &costs) {
                Ok(columns) => Arrival::Composed(columns),
                Err(e) => Arrival::Rejected(e),
            }
        })
        .await;
        let name = self.config.peers[peer].name.clone();
        let now = SystemTime::now();
        match arrival {
            Ok(Arrival::Same) => {
                tracing::debug!(peer = %name, "maps unchanged in content: nothing to recompute");
                self.contact(peer, now)
            }
            Ok(Arrival::Composed(columns)) => {
                for w in &columns.warnings {
                    tracing::warn!(peer = %name, "{w}");
                }
                let trouble = self.peers[peer].trouble();
                self.peers[peer].accept(maps, columns, now);
                tracing::info!(peer = %name, "peer maps updated");
                self.log_recovery(peer, trouble);
                true
            }
            Ok(Arrival::Rejected(e)) => {
                tracing::warn!(peer = %name, "peer maps rejected, keeping the last good ones: {e}");
                self.metrics.rejected(&name);
                let slot = &mut self.peers[peer];
                slot.rejected = true;
                slot.fail(now, format!("maps rejected: {e}"))
            }
            Err(e) => {
                tracing::error!(peer = %name, "composition task failed: {e}");
                false
            }
        }
    }

    /// A failed fetch: stale from the first one after a good answer. The
    /// one log line of the failure.
    pub(super) fn peer_failed(&mut self, peer: usize, failure: Failure) -> bool {
        let name = &self.config.peers[peer].name;
        let slot = &mut self.peers[peer];
        // Failing does not change whether the PIDs are published.
        let state = if slot.stale.is_none() && slot.is_published() {
            "; the peer is stale: its last good maps stay in service, marked .priv:stale-since"
        } else {
            ""
        };
        tracing::warn!(
            peer = %name,
            url = %failure.url,
            class = %failure.class,
            "fetch failed: {}{state}",
            failure.error
        );
        slot.fail(SystemTime::now(), failure.error)
    }

    /// The peer answered, and its maps are the ones last sent. A contact,
    /// unless those maps were rejected: then the ones in use are still not
    /// its current maps.
    pub(super) fn peer_current(&mut self, peer: usize) -> bool {
        if self.peers[peer].rejected || self.peers[peer].maps.is_none() {
            return false;
        }
        self.contact(peer, SystemTime::now())
    }

    /// A good answer that keeps the maps in use.
    fn contact(&mut self, peer: usize, now: SystemTime) -> bool {
        let trouble = self.peers[peer].trouble();
        let changed = self.peers[peer].contact(now);
        self.log_recovery(peer, trouble);
        changed
    }

    /// The INFO line of a good answer after `trouble` (once: the answer
    /// ends the trouble).
    fn log_recovery(&self, peer: usize, trouble: Option<String>) {
        if let Some(trouble) = trouble {
            let name = &self.config.peers[peer].name;
            tracing::info!(peer = %name, "peer answers again after {trouble}; its maps are current");
        }
    }
}

/// A failed fetch as the watcher reported it.
pub(super) struct Failure {
    pub error: String,
    pub url: String,
    pub class: &'static str,
}
