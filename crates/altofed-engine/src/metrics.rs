//! The engine's Prometheus metrics, registered into the server's registry
//! (prefix `altofed`), so that one `/metrics` shows serving, peers and
//! the engine together.

use std::sync::atomic::AtomicU64;
use std::time::{Instant, SystemTime};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Registry, Unit};

use crate::slot::PeerSlot;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PeerLabels {
    peer: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabels {
    result: &'static str,
}

/// What the engine reports. Cheap to clone; clones share the series.
#[derive(Debug, Clone)]
pub struct EngineMetrics {
    peer_age: Family<PeerLabels, Gauge<f64, AtomicU64>>,
    peer_stale: Family<PeerLabels, Gauge>,
    peer_withdrawn: Family<PeerLabels, Gauge>,
    recomputes: Family<ResultLabels, Counter>,
    recompute_duration: Histogram,
}

impl EngineMetrics {
    /// Registers under `engine_` in `registry`:
    ///
    /// - `engine_peer_maps_age_seconds{peer}`: age of the maps in use (the
    ///   time since the peer last gave maps that were used);
    /// - `engine_peer_stale{peer}`: 1 while its maps are served stale;
    /// - `engine_peer_withdrawn{peer}`: 1 once past its `max-age`;
    /// - `engine_recomputes_total{result}`: publishes, `ok` or `failed`;
    /// - `engine_recompute_duration_seconds`: assemble, encode, persist, swap.
    pub fn new(registry: &mut Registry) -> Self {
        let metrics = Self {
            peer_age: Family::default(),
            peer_stale: Family::default(),
            peer_withdrawn: Family::default(),
            recomputes: Family::default(),
            // 1 ms .. ~65 s.
            recompute_duration: Histogram::new(exponential_buckets(0.001, 2.0, 17)),
        };
        let sub = registry.sub_registry_with_prefix("engine");
        sub.register_with_unit(
            "peer_maps_age",
            "Time since the peer last gave maps that are in use",
            Unit::Seconds,
            metrics.peer_age.clone(),
        );
        sub.register(
            "peer_stale",
            "Whether the peer's maps are served stale (its latest fetch failed)",
            metrics.peer_stale.clone(),
        );
        sub.register(
            "peer_withdrawn",
            "Whether the peer's PIDs are withdrawn (maps older than max-age)",
            metrics.peer_withdrawn.clone(),
        );
        sub.register(
            "recomputes",
            "Recomputations published, by result",
            metrics.recomputes.clone(),
        );
        sub.register_with_unit(
            "recompute_duration",
            "Time to assemble, encode, persist and publish a snapshot",
            Unit::Seconds,
            metrics.recompute_duration.clone(),
        );
        metrics
    }

    /// Sets the per-peer gauges from the engine's slots.
    pub(crate) fn peers<'a>(
        &self,
        slots: impl Iterator<Item = (&'a str, &'a PeerSlot)>,
        now: SystemTime,
    ) {
        for (name, slot) in slots {
            let labels = PeerLabels {
                peer: name.to_owned(),
            };
            if let Some(age) = slot.age(now) {
                self.peer_age.get_or_create(&labels).set(age.as_secs_f64());
            }
            self.peer_stale
                .get_or_create(&labels)
                .set(i64::from(slot.is_stale()));
            self.peer_withdrawn
                .get_or_create(&labels)
                .set(i64::from(slot.withdrawn));
        }
    }

    /// Counts one publish that started at `started`.
    pub(crate) fn recomputed(&self, ok: bool, started: Instant) {
        let result = if ok { "ok" } else { "failed" };
        self.recomputes
            .get_or_create(&ResultLabels { result })
            .inc();
        self.recompute_duration
            .observe(started.elapsed().as_secs_f64());
    }
}
