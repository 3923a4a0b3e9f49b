//! The mirror's Prometheus metrics, registered into its server's registry
//! (prefix `altofed`), beside the serving metrics:
//!
//! - `altofed_mirror_lag_seconds`: time since the mirror last knew it
//!   served what the upstream serves: the start of the last pull that
//!   found (or published) the upstream's current maps, or, while the
//!   update stream is open (not silent past its idle limit) with no update
//!   pending, the last tick (every 250 ms). So: about 0 while streaming,
//!   up to `poll-interval` (plus the pull) while polling, and growing
//!   without bound while the upstream is down;
//! - `altofed_mirror_stale`: 1 once the lag passed `stale-after` (the
//!   property maps carry `.priv:mirror-stale-since`), else 0;
//! - `altofed_mirror_upstream_state{state}`: 1 for the current one of
//!   `streaming`, `polling`, `down`, 0 for the others;
//! - `altofed_mirror_pull_failures_total{class}`: failed pulls by class
//!   (`connect`, `timeout`, `too_large`, `malformed`, ..., and
//!   `inconsistent` / `invalid` for sets pulled but not served);
//! - `altofed_mirror_upstream_generation`: the upstream's snapshot
//!   generation (its `altofed_snapshot_generation`, read from its
//!   `/metrics` with each pull and each sign of life of the stream);
//!   absent for an upstream that does not export it;
//! - `altofed_mirror_generation_behind`: that generation minus the one the
//!   served copy is known to be (a pull during which the upstream's
//!   generation did not move); absent until known;
//! - `altofed_mirror_divergent_resources`: resources whose body or ETag
//!   differs from the upstream's after the last publish (0 is the goal; a
//!   stale mark makes the property maps differ on purpose).

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

/// No labels: a family of one series that can be absent.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct NoLabels {}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ClassLabels {
    class: &'static str,
}

/// How the upstream is followed right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpstreamState {
    Streaming,
    Polling,
    Down,
}

impl UpstreamState {
    const ALL: [UpstreamState; 3] = [Self::Streaming, Self::Polling, Self::Down];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Streaming => "streaming",
            Self::Polling => "polling",
            Self::Down => "down",
        }
    }
}

/// Cheap to clone; clones share the series.
#[derive(Debug, Clone)]
pub struct MirrorMetrics {
    lag: Gauge<f64, AtomicU64>,
    stale: Gauge,
    state: Family<StateLabels, Gauge>,
    failures: Family<ClassLabels, Counter>,
    divergent: Gauge,
    upstream_generation: Family<NoLabels, Gauge>,
    behind: Family<NoLabels, Gauge>,
}

impl MirrorMetrics {
    /// Registers the series (module docs) under `mirror_` in `registry`.
    pub fn new(registry: &mut Registry) -> Self {
        let metrics = Self {
            lag: Gauge::default(),
            stale: Gauge::default(),
            state: Family::default(),
            failures: Family::default(),
            divergent: Gauge::default(),
            upstream_generation: Family::default(),
            behind: Family::default(),
        };
        let r = registry.sub_registry_with_prefix("mirror");
        r.register_with_unit(
            "lag",
            "Time since the mirror last knew it served the upstream's current maps",
            Unit::Seconds,
            metrics.lag.clone(),
        );
        r.register(
            "stale",
            "1 while the served maps are marked stale (lag past stale-after)",
            metrics.stale.clone(),
        );
        r.register(
            "upstream_state",
            "How the upstream is followed: streaming, polling or down",
            metrics.state.clone(),
        );
        r.register(
            "pull_failures",
            "Failed pulls of the upstream, by class",
            metrics.failures.clone(),
        );
        r.register(
            "divergent_resources",
            "Resources served with a body or ETag other than the upstream's",
            metrics.divergent.clone(),
        );
        r.register(
            "upstream_generation",
            "The upstream's snapshot generation (its altofed_snapshot_generation)",
            metrics.upstream_generation.clone(),
        );
        r.register(
            "generation_behind",
            "Upstream publishes not yet in the served copy",
            metrics.behind.clone(),
        );
        metrics.set_state(UpstreamState::Down);
        metrics
    }

    pub fn set_lag(&self, seconds: f64) {
        self.lag.set(seconds);
    }

    pub fn set_stale(&self, stale: bool) {
        self.stale.set(i64::from(stale));
    }

    pub fn set_state(&self, now: UpstreamState) {
        for state in UpstreamState::ALL {
            let value = i64::from(state == now);
            self.state
                .get_or_create(&StateLabels {
                    state: state.as_str(),
                })
                .set(value);
        }
    }

    pub fn failed(&self, class: &'static str) {
        self.failures.get_or_create(&ClassLabels { class }).inc();
    }

    pub fn set_divergent(&self, count: usize) {
        self.divergent.set(i64::try_from(count).unwrap_or(i64::MAX));
    }

    /// The upstream's generation `now`, and the one served (if known).
    pub fn set_generations(&self, now: u64, served: Option<u64>) {
        let gauge = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        self.upstream_generation
            .get_or_create(&NoLabels {})
            .set(gauge(now));
        if let Some(served) = served {
            let behind = self.behind.get_or_create(&NoLabels {});
            behind.set(gauge(now.saturating_sub(served)));
        }
    }
}
