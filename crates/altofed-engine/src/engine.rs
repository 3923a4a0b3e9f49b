//! The engine: one task that owns the state and reacts to triggers.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use altofed_core::cdn_cost::{cdn_costs, CdnCosts};
use altofed_core::config::Config;
use altofed_core::peer::PeerMaps;
use altofed_core::pipeline::{
    assemble_with, compose_peer, Computed, MergeCache, PeerColumns, PeerInput,
};
use altofed_core::topology::CdnNetwork;
use altofed_peers::PeerEvent;
use altofed_server::{AppState, Documents};
use tokio::sync::mpsc;

use crate::metrics::EngineMetrics;
use crate::persist;
use crate::slot::PeerSlot;

/// What makes the engine recompute.
#[derive(Debug)]
pub enum Trigger {
    /// A peer's maps changed, or fetching them failed.
    Peer(PeerEvent),
    /// The CDN topology was re-read (file change, SIGHUP).
    Cdn(Box<CdnNetwork>),
    /// An operator asked (admin API).
    Recompute,
}

/// What a peer contributes to a publish: maps, columns, stale-since.
type Held = (Arc<PeerMaps>, Arc<PeerColumns>, Option<String>);

/// How often freshness is checked against each peer's `max-age`.
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
        let (costs, warnings) = cdn_costs(&cdn);
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

    /// Serves the persisted snapshot, if any, until fresh data arrives.
    pub fn restore(&self) {
        let Some(dir) = &self.state_dir else { return };
        match persist::load(dir) {
            Ok(Some(docs)) => match self.server.publish(docs) {
                Ok(s) => {
                    tracing::info!(generation = s.generation, "serving the persisted snapshot")
                }
                Err(e) => tracing::warn!("persisted snapshot not served: {e}"),
            },
            Ok(None) => {}
            Err(e) => tracing::warn!("persisted snapshot not read: {e}"),
        }
    }

    /// Handles triggers until the channel closes. Triggers that arrive
    /// while one is handled are taken together: one publish for all.
    pub async fn run(mut self, mut triggers: mpsc::Receiver<Trigger>) {
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
            if changed {
                self.publish().await;
            }
            self.report_peers();
        }
    }

    /// Applies one trigger; `true` when the published documents may change.
    async fn apply(&mut self, trigger: Trigger) -> bool {
        match trigger {
            Trigger::Peer(PeerEvent::Updated { peer, maps }) => self.peer_updated(peer, maps).await,
            Trigger::Peer(PeerEvent::Failed { peer, error }) => self.peer_failed(peer, error),
            Trigger::Peer(PeerEvent::Current { peer }) => self.peer_current(peer),
            Trigger::Cdn(cdn) => {
                self.cdn_changed(*cdn).await;
                true
            }
            Trigger::Recompute => true,
        }
    }

    async fn peer_updated(&mut self, peer: usize, maps: Arc<PeerMaps>) -> bool {
        let name = self.config.peers[peer].name.clone();
        let (config, cdn, costs, input) = (
            self.config.clone(),
            self.cdn.clone(),
            self.costs.clone(),
            maps.clone(),
        );
        let result =
            tokio::task::spawn_blocking(move || compose_peer(&config, peer, &input, &cdn, &costs))
                .await;
        let slot = &mut self.peers[peer];
        match result {
            Ok(Ok(columns)) => {
                columns
                    .warnings
                    .iter()
                    .for_each(|w| tracing::warn!(peer = %name, "{w}"));
                slot.maps = Some(maps);
                slot.columns = Some(Arc::new(columns));
                slot.last_success = Some(SystemTime::now());
                slot.last_error = None;
                slot.withdrawn = false;
                slot.rejected = false;
                tracing::info!(peer = %name, "peer maps updated");
                true
            }
            Ok(Err(e)) => {
                tracing::warn!(peer = %name, "peer maps rejected, keeping the last good ones: {e}");
                slot.rejected = true;
                self.peer_failed(peer, e.to_string())
            }
            Err(e) => {
                tracing::error!(peer = %name, "composition task failed: {e}");
                false
            }
        }
    }

    /// Marks the peer stale; republishes when it just became stale.
    fn peer_failed(&mut self, peer: usize, error: String) -> bool {
        let slot = &mut self.peers[peer];
        let became_stale = slot.last_error.is_none() && slot.columns.is_some();
        tracing::warn!(peer = %self.config.peers[peer].name, "{error}");
        slot.last_error = Some(error);
        became_stale
    }

    /// The peer answers again with the maps in use: fresh again, and back
    /// if withdrawn. Not when its maps were rejected: those are still its
    /// current maps, and the ones in use stay stale.
    fn peer_current(&mut self, peer: usize) -> bool {
        let slot = &mut self.peers[peer];
        if slot.rejected || slot.columns.is_none() {
            return false;
        }
        let changed = slot.last_error.is_some() || slot.withdrawn;
        slot.last_error = None;
        slot.withdrawn = false;
        slot.last_success = Some(SystemTime::now());
        if changed {
            tracing::info!(peer = %self.config.peers[peer].name, "peer answers again; its maps are current");
        }
        changed
    }

    /// New CDN network: C_cdn and every peer's columns again.
    async fn cdn_changed(&mut self, cdn: CdnNetwork) {
        let config = self.config.clone();
        let maps: Vec<Option<Arc<PeerMaps>>> = self.peers.iter().map(|s| s.maps.clone()).collect();
        let result = tokio::task::spawn_blocking(move || {
            let (costs, warnings) = cdn_costs(&cdn);
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

    /// Withdraws peers whose maps are older than their `max-age`.
    fn withdraw_expired(&mut self, now: SystemTime) -> bool {
        let mut changed = false;
        for (slot, cfg) in self.peers.iter_mut().zip(&self.config.peers) {
            if slot.expired(now, cfg.max_age) {
                tracing::warn!(peer = %cfg.name, "maps older than max-age {:?}: PIDs withdrawn", cfg.max_age);
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

    /// Assembles, publishes and persists.
    async fn publish(&mut self) {
        let started = Instant::now();
        let config = self.config.clone();
        let cdn = self.cdn.clone();
        let mut warnings = self.cdn_warnings.clone();
        let held: Vec<Option<Held>> = self
            .peers
            .iter()
            .map(|s| match (&s.maps, &s.columns, s.withdrawn) {
                (Some(m), Some(c), false) => Some((m.clone(), c.clone(), s.stale_since())),
                _ => None,
            })
            .collect();
        warnings.extend(
            held.iter()
                .flatten()
                .flat_map(|(_, c, _)| c.warnings.iter().cloned()),
        );
        let server = self.server.clone();
        let state_dir = self.state_dir.clone();
        let mut cache = std::mem::take(&mut self.merge_cache);
        let result = tokio::task::spawn_blocking(move || {
            let inputs: Vec<Option<PeerInput<'_>>> = held
                .iter()
                .map(|h| {
                    h.as_ref().map(|(maps, columns, stale)| PeerInput {
                        maps,
                        columns,
                        stale_since: stale.as_deref(),
                    })
                })
                .collect();
            let computed = assemble_with(&config, &cdn, &inputs, warnings, &mut cache);
            let published = computed.map_err(|e| e.to_string()).and_then(|computed| {
                let docs = documents(&config, computed);
                if let Some(dir) = &state_dir {
                    if let Err(e) = persist::save(dir, &docs) {
                        tracing::warn!("snapshot not persisted: {e}");
                    }
                }
                server.publish(docs).map_err(|e| e.to_string())
            });
            (published, cache)
        })
        .await
        .map(|(published, cache)| {
            self.merge_cache = cache;
            published
        });
        self.metrics
            .recomputed(matches!(result, Ok(Ok(_))), started);
        match result {
            Ok(Ok(snapshot)) => {
                tracing::info!(generation = snapshot.generation, "recomputed and published")
            }
            Ok(Err(e)) => tracing::error!("recompute failed, the last snapshot stays: {e}"),
            Err(e) => tracing::error!("recompute task failed: {e}"),
        }
    }
}

/// The documents the server publishes for a computation.
pub fn documents(config: &Config, computed: Computed) -> Documents {
    use altofed_model::CostMode;
    for warning in &computed.warnings {
        tracing::debug!("{warning}");
    }
    let mut cost_maps = vec![(config.cost_map_id(CostMode::Numerical), computed.cost_map)];
    if let Some(ordinal) = computed.ordinal_cost_map {
        cost_maps.push((config.cost_map_id(CostMode::Ordinal), ordinal));
    }
    Documents {
        network_map: computed.network_map,
        cost_maps,
        property_maps: vec![(config.property_map_id(), computed.property_map)],
    }
}
