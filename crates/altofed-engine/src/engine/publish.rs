//! Assembling every peer's part into the documents, persisting and
//! publishing them. A failed save is reported (ERROR, counter) but does
//! not fail the publish: serving fresh documents matters more than the
//! copy on disk.

use std::sync::Arc;
use std::time::Instant;

use altofed_core::config::Config;
use altofed_core::peer::PeerMaps;
use altofed_core::pipeline::{assemble_with, Computed, PeerColumns, PeerInput};
use altofed_server::snapshot::{OrdinalOf, SharedDocuments};

use super::Engine;
use crate::persist;

/// What a peer contributes to a publish: maps, columns, stale-since.
type Held = (Arc<PeerMaps>, Arc<PeerColumns>, Option<String>);

impl Engine {
    /// Assembles, persists and publishes.
    pub(super) async fn publish(&mut self) {
        let started = Instant::now();
        let config = self.config.clone();
        let cdn = self.cdn.clone();
        let mut warnings = self.cdn_warnings.clone();
        let held: Vec<Option<Held>> = self
            .peers
            .iter()
            .map(|s| match (&s.maps, &s.columns, s.is_published()) {
                (Some(m), Some(c), true) => Some((m.clone(), c.clone(), s.stale_since())),
                _ => None,
            })
            .collect();
        let never_fetched: Vec<String> = (self.config.peers.iter().zip(&self.peers))
            .filter(|(_, s)| s.never_fetched())
            .map(|(c, _)| c.name.clone())
            .collect();
        warnings.extend(
            held.iter()
                .flatten()
                .flat_map(|(_, c, _)| c.warnings.iter().cloned()),
        );
        let (server, state_dir, metrics) = (
            self.server.clone(),
            self.state_dir.clone(),
            self.metrics.clone(),
        );
        let ordinal_maps = ordinal_maps(&config);
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
            // The ordinal map is the server's to rank, on first use.
            let mut numerical_only = Config::clone(&config);
            numerical_only.output.ordinal_cost_map = false;
            let names: Vec<&str> = never_fetched.iter().map(String::as_str).collect();
            let computed = assemble_with(&numerical_only, &cdn, &inputs, &names, warnings, &mut cache);
            let published = computed.map_err(|e| e.to_string()).and_then(|computed| {
                let mut docs = documents(&config, computed);
                docs.ordinal_maps = ordinal_maps;
                if let Some(dir) = &state_dir {
                    if let Err(e) = persist::save(dir, &docs) {
                        metrics.save_failed();
                        tracing::error!("snapshot not saved to the state directory (the previous one stays there; serving goes on): {e}");
                    }
                }
                server.publish_shared(docs).map_err(|e| e.to_string())
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

/// The ordinal cost map the server ranks from the numerical one, if the
/// configuration publishes one.
pub fn ordinal_maps(config: &Config) -> Vec<OrdinalOf> {
    use altofed_model::CostMode;
    if !config.output.ordinal_cost_map {
        return Vec::new();
    }
    vec![OrdinalOf {
        id: config.cost_map_id(CostMode::Ordinal),
        numerical: config.cost_map_id(CostMode::Numerical),
    }]
}

/// The documents the server publishes for a computation (no ordinal maps
/// to rank: [`ordinal_maps`]).
pub fn documents(config: &Config, computed: Computed) -> SharedDocuments {
    use altofed_model::CostMode;
    for warning in &computed.warnings {
        tracing::debug!("{warning}");
    }
    let mut cost_maps = vec![(config.cost_map_id(CostMode::Numerical), computed.cost_map)];
    if let Some(ordinal) = computed.ordinal_cost_map {
        cost_maps.push((config.cost_map_id(CostMode::Ordinal), ordinal));
    }
    SharedDocuments {
        network_map: computed.network_map,
        cost_maps,
        property_maps: vec![(config.property_map_id(), computed.property_map)],
        ordinal_maps: Vec::new(),
    }
}
