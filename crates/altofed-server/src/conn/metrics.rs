//! Connection metrics (`altofed_http_connections_*`).

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::activity::Expiry;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PhaseLabels {
    phase: &'static str,
}

/// Open, accepted, refused and timed-out client connections.
#[derive(Debug, Clone, Default)]
pub struct ConnMetrics {
    open: Gauge,
    accepted: Counter,
    refused: Counter,
    timed_out: Family<PhaseLabels, Counter>,
}

impl ConnMetrics {
    /// Registers the metrics under `altofed_http_connections_*`.
    pub fn register(registry: &mut Registry) -> Self {
        let m = Self::default();
        let r = registry.sub_registry_with_prefix("http_connections");
        r.register("open", "Client connections open now", m.open.clone());
        r.register(
            "accepted",
            "Client connections accepted",
            m.accepted.clone(),
        );
        r.register(
            "refused",
            "Client connections closed at once because max-connections were open",
            m.refused.clone(),
        );
        r.register(
            "timed_out",
            "Client connections closed by a timeout, by phase \
             (header: request head or TLS handshake, idle, write)",
            m.timed_out.clone(),
        );
        m
    }

    pub(super) fn opened(&self) {
        self.accepted.inc();
        self.open.inc();
    }

    pub(super) fn closed(&self) {
        self.open.dec();
    }

    pub(super) fn refused(&self) {
        self.refused.inc();
    }

    pub(super) fn timed_out(&self, why: Expiry) {
        self.timed_out
            .get_or_create(&PhaseLabels {
                phase: why.as_str(),
            })
            .inc();
    }
}
