//! The engine: one task that owns the state and reacts to triggers.
//!
//! - `peers`: what a peer's events do to its slot (liveness, checks,
//!   identical maps);
//! - `publish`: assembling, persisting and publishing the documents.

mod peers;
mod publish;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use altofed_core::cdn_cost::{cdn_costs_for, CdnCosts};
use altofed_core::config::Config;
use altofed_core::peer::PeerMaps;
use altofed_core::pipeline::{compose_peer, MergeCache, PeerColumns};
use altofed_core::topology::CdnNetwork;
use altofed_peers::PeerEvent;
use altofed_server::AppState;
use tokio::sync::mpsc;

pub use publish::documents;

use crate::metrics::EngineMetrics;
use crate::persist;
use crate::slot::PeerSlot;

/// What makes the engine recompute.
#[derive(Debug)]
pub enum Trigger {
    /// A peer's maps changed, its fetch failed, or it answered with the
    /// maps in use.
    Peer(PeerEvent),
    /// The CDN topology was re-read (file change, SIGHUP).
    Cdn(Box<CdnNetwork>),
    /// An operator asked (admin API).
    Recompute,
}

/// How often each peer's last contact is checked against its `max-age`:
/// a peer that goes silent sends no event that could do it.
const FRESHNESS_CHECK: Duration = Duration::from_secs(1);

/// The running aggregator's state.
#[derive(Debug)]
pub struct Engine {
    config: Arc<Config>,
    cdn: Arc<CdnNetwork>,
    costs: Arc<CdnCosts>,
    cdn_warnings: Vec<String>,
    peers: Vec<PeerSlot>,
    server: AppState,
    state_dir: Option<PathBuf>,
    metrics: EngineMetrics,
    /// The last merged network map: most recomputes do not change it.
    merge_cache: MergeCache,
}

impl Engine {
    /// An engine over `cdn` publishing to `server`; C_cdn is computed here.
    pub fn new(
        config: Config,
        cdn: CdnNetwork,
        server: AppState,
        state_dir: Option<PathBuf>,
    ) -> Self {
        let (costs, warnings) = cdn_costs_for(&cdn, config.output.direction);
        let peers = config.peers.iter().map(|_| PeerSlot::default()).collect();
        let metrics = EngineMetrics::new(&mut server.metrics().registry());
        Self {
            config: Arc::new(config),
            cdn: Arc::new(cdn),
            costs: Arc::new(costs),
            cdn_warnings: warnings.iter().map(ToString::to_string).collect(),
            peers,
            server,
            state_dir,
            metrics,
            merge_cache: MergeCache::default(),
        }
    }

    /// Restores the CDN node statuses and keeps them saved (`node_store`),
    /// removes what a killed process left in the state directory, then
    /// serves the persisted snapshot, if any, until fresh data arrives.
    pub fn restore(&self) {
        let Some(dir) = &self.state_dir else { return };
        // Before the first publish, so that it holds them.
        crate::node_store::attach(&self.server, dir, self.metrics.save_failures());
        match persist::remove_leftovers(dir) {
            Ok(true) => tracing::info!(
                "removed {} left by an interrupted save",
                dir.join(persist::TMP_FILE).display()
            ),
            Ok(false) => {}
            Err(e) => tracing::error!("cannot remove a leftover temporary file: {e}"),
        }
        match persist::load(dir) {
            Ok(Some(docs)) => match self.publish_persisted(docs) {
                Ok(s) => {
                    tracing::info!(generation = s.generation, "serving the persisted snapshot")
                }
                Err(e) => tracing::warn!("persisted snapshot not served: {e}"),
            },
            Ok(None) => {}
            Err(e) => tracing::warn!("persisted snapshot not read: {e}"),
        }
    }

    /// Publishes persisted documents with the ordinal map ranked from the
    /// numerical one, as every publish does (a file written before that
    /// holds the ranks themselves: they are left out).
    fn publish_persisted(
        &self,
        mut docs: altofed_server::Documents,
    ) -> Result<Arc<altofed_server::Snapshot>, altofed_server::snapshot::SnapshotError> {
        let ordinal = publish::ordinal_maps(&self.config);
        docs.cost_maps
            .retain(|(id, _)| !ordinal.iter().any(|o| o.id == *id));
        self.server.publish_ranking(docs, ordinal)
    }

    /// Handles triggers until the channel closes. Triggers that arrive
    /// while one is handled are taken together: one publish for all.
    ///
    /// With nothing served yet (no persisted snapshot), the first publish
    /// comes at once with what is known (the CDN's PIDs, the catch-all,
    /// peers whose maps are already queued), not when a peer first answers.
    pub async fn run(mut self, mut triggers: mpsc::Receiver<Trigger>) {
        let mut changed = self.server.snapshot().is_none();
        while let Ok(t) = triggers.try_recv() {
            changed |= self.apply(t).await;
        }
        // Metrics first: whoever sees a snapshot sees metrics at least as
        // new (tests and operators compare the two).
        self.report_peers();
        if changed {
            self.publish().await;
        }
        let mut freshness = tokio::time::interval(FRESHNESS_CHECK);
        loop {
            let changed = tokio::select! {
                trigger = triggers.recv() => match trigger {
                    None => return,
                    Some(t) => {
                        let mut changed = self.apply(t).await;
                        while let Ok(t) = triggers.try_recv() {
                            changed |= self.apply(t).await;
                        }
                        changed
                    }
                },
                _ = freshness.tick() => self.withdraw_expired(SystemTime::now()),
            };
            self.report_peers();
            if changed {
                self.publish().await;
            }
        }
    }

    /// Applies one trigger; `true` when the published documents may change.
    async fn apply(&mut self, trigger: Trigger) -> bool {
        match trigger {
            Trigger::Peer(PeerEvent::Updated { peer, maps }) => self.peer_updated(peer, maps).await,
            Trigger::Peer(PeerEvent::Failed {
                peer,
                error,
                url,
                class,
            }) => self.peer_failed(peer, peers::Failure { error, url, class }),
            Trigger::Peer(PeerEvent::Current { peer }) => self.peer_current(peer),
            Trigger::Cdn(cdn) => {
                self.cdn_changed(*cdn).await;
                true
            }
            Trigger::Recompute => true,
        }
    }

    /// New CDN network: C_cdn and every peer's columns again.
    async fn cdn_changed(&mut self, cdn: CdnNetwork) {
        let config = self.config.clone();
        let maps: Vec<Option<Arc<PeerMaps>>> = self.peers.iter().map(|s| s.maps.clone()).collect();
        let result = tokio::task::spawn_blocking(move || {
            let (costs, warnings) = cdn_costs_for(&cdn, config.output.direction);
            let columns: Vec<Option<Result<PeerColumns, String>>> = maps
                .iter()
                .enumerate()
                .map(|(p, m)| {
                    m.as_ref().map(|m| {
                        compose_peer(&config, p, m, &cdn, &costs).map_err(|e| e.to_string())
                    })
                })
                .collect();
            (cdn, costs, warnings, columns)
        })
        .await;
        let Ok((cdn, costs, warnings, columns)) = result else {
            tracing::error!("C_cdn task failed");
            return;
        };
        self.cdn = Arc::new(cdn);
        self.costs = Arc::new(costs);
        self.cdn_warnings = warnings.iter().map(ToString::to_string).collect();
        for (p, result) in columns.into_iter().enumerate() {
            match result {
                Some(Ok(c)) => self.peers[p].columns = Some(Arc::new(c)),
                Some(Err(e)) => {
                    tracing::warn!(peer = %self.config.peers[p].name, "not composed with the new topology: {e}");
                    self.peers[p].columns = None;
                }
                None => {}
            }
        }
        tracing::info!("CDN topology updated");
    }

    /// Withdraws the PIDs of peers not heard from for their `max-age`:
    /// one WARN each time a peer's PIDs go.
    fn withdraw_expired(&mut self, now: SystemTime) -> bool {
        let mut changed = false;
        for (slot, cfg) in self.peers.iter_mut().zip(&self.config.peers) {
            if slot.expired(now, cfg.max_age) {
                let last = slot
                    .last_contact
                    .map(|t| humantime::format_rfc3339_seconds(t).to_string())
                    .unwrap_or_default();
                tracing::warn!(
                    peer = %cfg.name,
                    "no usable answer since {last}, longer than max-age {}: its PIDs are withdrawn",
                    humantime::format_duration(cfg.max_age)
                );
                slot.withdrawn = true;
                changed = true;
            }
        }
        changed
    }

    fn report_peers(&self) {
        let names = self.config.peers.iter().map(|c| c.name.as_str());
        self.metrics
            .peers(names.zip(&self.peers), SystemTime::now());
    }
}
