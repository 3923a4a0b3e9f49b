//! Prometheus metrics (`GET /metrics`, OpenMetrics text). Each
//! [`AppState`] owns its registry, so several servers in one process stay
//! independent. Requests are counted by [`super::track`].
//!
//! Labels are bounded: `route` is the route template (`/maps/{id}`, or
//! `unmatched`), `resource` the IRD resource id the request addressed (ids
//! of the current snapshot only, else `unknown`; empty for non-ALTO
//! routes), `method` one of the usual methods or `other`.

use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Registry, Unit};

use super::track::HandleCache;
use crate::state::AppState;

const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct RequestLabels {
    pub method: &'static str,
    pub route: String,
    pub resource: String,
    pub status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct RouteLabels {
    pub method: &'static str,
    pub route: String,
}

/// No labels: a family of one series that can be absent.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct NoLabels {}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CauseLabels {
    cause: &'static str,
}

/// What a snapshot was published for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishCause {
    /// New documents ([`AppState::publish`]: the engine, a map directory).
    Documents,
    /// A batch of CDN node status changes (property maps only).
    NodeStatus,
}

impl PublishCause {
    pub fn as_str(self) -> &'static str {
        match self {
            PublishCause::Documents => "documents",
            PublishCause::NodeStatus => "node-status",
        }
    }
}

pub(crate) type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The server's metrics and their registry (prefix `altofed_`).
#[derive(Debug)]
pub struct Metrics {
    registry: Mutex<Registry>,
    pub(super) requests: Family<RequestLabels, Counter>,
    pub(super) latency: HistogramFamily,
    pub(super) in_flight: Gauge,
    /// Per-request handles into `requests` and `latency`.
    pub(super) handles: HandleCache,
    /// Absent (not 0) while nothing is published.
    snapshot_age: Family<NoLabels, Gauge<f64, AtomicU64>>,
    snapshot_bytes: Gauge,
    snapshot_generation: Gauge,
    publishes: Family<CauseLabels, Counter>,
    /// From a snapshot's swap to its bodies' gzip and zstd codings.
    compress_duration: Histogram,
    nodes: Gauge,
    node_changes: Counter,
}

fn latency_histogram() -> Histogram {
    // 0.25 ms .. ~8 s.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: HistogramFamily = Family::new_with_constructor(latency_histogram);
        let (in_flight, nodes) = (Gauge::default(), Gauge::default());
        let snapshot_age = Family::<NoLabels, Gauge<f64, AtomicU64>>::default();
        let (snapshot_bytes, snapshot_generation) = (Gauge::default(), Gauge::default());
        let publishes = Family::<CauseLabels, Counter>::default();
        // 1 ms .. ~33 s.
        let compress_duration = Histogram::new(exponential_buckets(0.001, 2.0, 16));
        let node_changes = Counter::default();
        let mut registry = Registry::with_prefix("altofed");
        let http = registry.sub_registry_with_prefix("http");
        http.register(
            "requests",
            "HTTP requests answered, by route, resource and status",
            requests.clone(),
        );
        http.register_with_unit(
            "request_duration",
            "Time to the response head",
            Unit::Seconds,
            latency.clone(),
        );
        http.register(
            "requests_in_flight",
            "Requests being handled",
            in_flight.clone(),
        );
        let snapshot = registry.sub_registry_with_prefix("snapshot");
        snapshot.register_with_unit(
            "age",
            "Time since the current snapshot was built",
            Unit::Seconds,
            snapshot_age.clone(),
        );
        snapshot.register_with_unit(
            "size",
            "Pre-encoded size of the current snapshot",
            Unit::Bytes,
            snapshot_bytes.clone(),
        );
        snapshot.register(
            "generation",
            "Generation of the current snapshot (0: none yet)",
            snapshot_generation.clone(),
        );
        snapshot.register(
            "publishes",
            "Snapshots published, by cause: new documents or node status changes",
            publishes.clone(),
        );
        snapshot.register_with_unit(
            "compress_duration",
            "Time from a snapshot being served (its cost map bodies in identity) to its gzip and zstd bodies being there too",
            Unit::Seconds,
            compress_duration.clone(),
        );
        registry.register(
            "node_statuses",
            "CDN node statuses set through the admin API",
            nodes.clone(),
        );
        registry.register(
            "node_status_changes",
            "CDN node status changes applied, counted when published (a status set and reset within one publish counts for none)",
            node_changes.clone(),
        );
        Self {
            registry: Mutex::new(registry),
            requests,
            latency,
            in_flight,
            handles: HandleCache::default(),
            snapshot_age,
            snapshot_bytes,
            snapshot_generation,
            publishes,
            compress_duration,
            nodes,
            node_changes,
        }
    }

    pub(crate) fn count_publish(&self, cause: PublishCause) {
        let labels = CauseLabels {
            cause: cause.as_str(),
        };
        self.publishes.get_or_create(&labels).inc();
    }

    pub(crate) fn observe_compress(&self, took: std::time::Duration) {
        self.compress_duration.observe(took.as_secs_f64());
    }

    pub(crate) fn count_node_changes(&self, published: usize) {
        self.node_changes.inc_by(published as u64);
    }

    /// The registry, for other parts of the program to add their metrics
    /// (e.g. `registry.sub_registry_with_prefix("engine")`).
    pub fn registry(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Requests being handled right now.
    pub fn in_flight(&self) -> i64 {
        self.in_flight.get()
    }

    /// The OpenMetrics text, with the snapshot gauges brought up to date.
    pub fn render(&self, state: &AppState) -> String {
        match state.snapshot() {
            Some(snapshot) => {
                let age = SystemTime::now()
                    .duration_since(snapshot.created)
                    .unwrap_or_default();
                let gauge = self.snapshot_age.get_or_create(&NoLabels {});
                gauge.set(age.as_secs_f64());
                self.snapshot_bytes
                    .set(i64::try_from(snapshot.encoded_bytes()).unwrap_or(i64::MAX));
                self.snapshot_generation
                    .set(i64::try_from(snapshot.generation).unwrap_or(i64::MAX));
            }
            None => {
                self.snapshot_age.clear();
                self.snapshot_bytes.set(0);
                self.snapshot_generation.set(0);
            }
        }
        self.nodes
            .set(i64::try_from(state.node_statuses().len()).unwrap_or(i64::MAX));
        let mut text = String::new();
        // Writing to a String does not fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry());
        text
    }
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let text = state.metrics().render(&state);
    (StatusCode::OK, [(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response()
}
