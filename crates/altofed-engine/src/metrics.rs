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

type AgeGauge = Family<PeerLabels, Gauge<f64, AtomicU64>>;

/// What the engine reports. Cheap to clone; clones share the series.
#[derive(Debug, Clone)]
pub struct EngineMetrics {
    peer_contact_age: AgeGauge,
    peer_maps_age: AgeGauge,
    peer_stale: Family<PeerLabels, Gauge>,
    peer_withdrawn: Family<PeerLabels, Gauge>,
    peer_never_fetched: Family<PeerLabels, Gauge>,
    peer_rejected: Family<PeerLabels, Counter>,
    recomputes: Family<ResultLabels, Counter>,
    recompute_duration: Histogram,
    save_failures: Counter,
}

impl EngineMetrics {
    /// Registers `state_save_failures_total` and, under `engine_`:
    ///
    /// - `engine_peer_last_contact_age_seconds{peer}`: time since the
    ///   peer's last good answer (liveness; withdrawal at `max-age`);
    /// - `engine_peer_maps_age_seconds{peer}`: age of the maps in use;
    /// - `engine_peer_stale{peer}`: 1 while its maps are served stale;
    /// - `engine_peer_withdrawn{peer}`: 1 once `max-age` passed since the
    ///   last contact;
    /// - `engine_peer_never_fetched{peer}`: 1 until it gives usable maps;
    /// - `engine_peer_rejected_total{peer}`: new maps refused by the checks;
    /// - `engine_recomputes_total{result}`: publishes, `ok` or `failed`;
    /// - `engine_recompute_duration_seconds`: assemble, encode, persist, swap.
    pub fn new(registry: &mut Registry) -> Self {
        let metrics = Self {
            peer_contact_age: Family::default(),
            peer_maps_age: Family::default(),
            peer_stale: Family::default(),
            peer_withdrawn: Family::default(),
            peer_never_fetched: Family::default(),
            peer_rejected: Family::default(),
            recomputes: Family::default(),
            // 1 ms .. ~65 s.
            recompute_duration: Histogram::new(exponential_buckets(0.001, 2.0, 17)),
            save_failures: Counter::default(),
        };
        registry.register(
            "state_save_failures",
            "Snapshots that could not be written to the state directory",
            metrics.save_failures.clone(),
        );
        let sub = registry.sub_registry_with_prefix("engine");
        sub.register_with_unit(
            "peer_last_contact_age",
            "Time since the peer last answered with usable maps (new or unchanged)",
            Unit::Seconds,
            metrics.peer_contact_age.clone(),
        );
        sub.register_with_unit(
            "peer_maps_age",
            "Time since the maps in use arrived",
            Unit::Seconds,
            metrics.peer_maps_age.clone(),
        );
        sub.register(
            "peer_stale",
            "Whether the peer's maps are served stale (its latest answer failed or was rejected)",
            metrics.peer_stale.clone(),
        );
        sub.register(
            "peer_withdrawn",
            "Whether the peer's PIDs are withdrawn (no answer for max-age)",
            metrics.peer_withdrawn.clone(),
        );
        sub.register(
            "peer_never_fetched",
            "Whether the peer has not given usable maps since start-up",
            metrics.peer_never_fetched.clone(),
        );
        sub.register(
            "peer_rejected",
            "New maps of the peer refused by the checks (the last good ones stay)",
            metrics.peer_rejected.clone(),
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
            if let Some(age) = slot.contact_age(now) {
                let gauge = self.peer_contact_age.get_or_create(&labels);
                gauge.set(age.as_secs_f64());
            }
            if let Some(age) = slot.maps_age(now) {
                let gauge = self.peer_maps_age.get_or_create(&labels);
                gauge.set(age.as_secs_f64());
            }
            let flag = |family: &Family<PeerLabels, Gauge>, on: bool| {
                family.get_or_create(&labels).set(i64::from(on));
            };
            flag(&self.peer_stale, slot.is_stale());
            flag(&self.peer_withdrawn, slot.withdrawn);
            flag(&self.peer_never_fetched, slot.never_fetched());
            // At 0 from the start, so that `increase()` sees the first one.
            let _ = self.peer_rejected.get_or_create(&labels);
        }
    }

    /// Counts new maps of `peer` refused by the checks.
    pub(crate) fn rejected(&self, peer: &str) {
        let labels = PeerLabels {
            peer: peer.to_owned(),
        };
        self.peer_rejected.get_or_create(&labels).inc();
    }

    /// Counts a snapshot that could not be written to the state directory.
    pub(crate) fn save_failed(&self) {
        self.save_failures.inc();
    }

    /// `state_save_failures_total`, for the other writer of the state
    /// directory (CDN node statuses, `node_store`).
    pub(crate) fn save_failures(&self) -> Counter {
        self.save_failures.clone()
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
