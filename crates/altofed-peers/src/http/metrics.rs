//! Prometheus metrics of the HTTP peers, one set for all peers (labelled
//! by peer name), registered into a registry the caller owns. Names are
//! relative to that registry's prefix: on the server's registry (prefix
//! `altofed`) they read `altofed_peer_fetches_total` and so on.

use std::sync::atomic::AtomicU64;
use std::time::SystemTime;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabels {
    peer: String,
    result: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    peer: String,
    kind: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PeerLabels {
    peer: String,
}

/// Metrics of every HTTP peer. Cheap to clone; clones share the series.
#[derive(Debug, Clone, Default)]
pub struct PeerMetrics {
    fetches: Family<ResultLabels, Counter>,
    last_success: Family<PeerLabels, Gauge<f64, AtomicU64>>,
    stream_updates: Family<KindLabels, Counter>,
    stream_failures: Family<ResultLabels, Counter>,
    stream_connected: Family<PeerLabels, Gauge>,
}

impl PeerMetrics {
    /// Creates the metrics and registers them under `peer_` in `registry`:
    ///
    /// - `peer_fetches_total{peer,result}`: pulls by outcome, `ok`,
    ///   `unchanged` or the failure class ([`crate::FetchError::class`]);
    /// - `peer_last_success_timestamp_seconds{peer}`: Unix time of the last
    ///   pull or update stream event that left current, consistent maps
    ///   (and, while a stream is open, of its last poll-interval tick);
    /// - `peer_update_stream_updates_total{peer,kind}`: updates applied
    ///   from an RFC 8895 stream, `full`, `merge_patch` or `json_patch`;
    /// - `peer_update_stream_failures_total{peer,result}`: streams that
    ///   ended, by reason (`ended`, `stopped` or a failure class);
    /// - `peer_update_stream_connected{peer}`: 1 while subscribed.
    ///
    /// Register once per registry and clone the result for every peer.
    pub fn new(registry: &mut Registry) -> Self {
        let metrics = Self::default();
        let sub = registry.sub_registry_with_prefix("peer");
        sub.register(
            "fetches",
            "Pulls of a peer's maps, by result",
            metrics.fetches.clone(),
        );
        sub.register_with_unit(
            "last_success_timestamp",
            "Unix time when the peer's maps were last known current",
            Unit::Seconds,
            metrics.last_success.clone(),
        );
        sub.register(
            "update_stream_updates",
            "Updates applied from the peer's RFC 8895 update stream, by kind",
            metrics.stream_updates.clone(),
        );
        sub.register(
            "update_stream_failures",
            "Update stream subscriptions that ended, by reason",
            metrics.stream_failures.clone(),
        );
        sub.register(
            "update_stream_connected",
            "Whether the peer's update stream is subscribed",
            metrics.stream_connected.clone(),
        );
        metrics
    }

    /// Metrics that are kept but not exported (no registry given).
    pub fn unregistered() -> Self {
        Self::default()
    }

    pub(crate) fn fetch(&self, peer: &str, result: &'static str) {
        self.fetches
            .get_or_create(&ResultLabels {
                peer: peer.to_owned(),
                result,
            })
            .inc();
    }

    pub(crate) fn success(&self, peer: &str) {
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        self.last_success
            .get_or_create(&PeerLabels {
                peer: peer.to_owned(),
            })
            .set(now);
    }

    pub(crate) fn stream_update(&self, peer: &str, kind: &'static str) {
        self.stream_updates
            .get_or_create(&KindLabels {
                peer: peer.to_owned(),
                kind,
            })
            .inc();
    }

    pub(crate) fn stream_failure(&self, peer: &str, result: &'static str) {
        self.stream_failures
            .get_or_create(&ResultLabels {
                peer: peer.to_owned(),
                result,
            })
            .inc();
    }

    pub(crate) fn stream_connected(&self, peer: &str, connected: bool) {
        self.stream_connected
            .get_or_create(&PeerLabels {
                peer: peer.to_owned(),
            })
            .set(i64::from(connected));
    }
}
