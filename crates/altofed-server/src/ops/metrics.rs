//! Prometheus metrics (`GET /metrics`, OpenMetrics text). Each
//! [`AppState`] owns its registry, so several servers in one process stay
//! independent.
//!
//! Labels are bounded: `route` is the route template (`/maps/{id}`, or
//! `unmatched`), `resource` the IRD resource id the request addressed (ids
//! of the current snapshot only, else `unknown`; empty for non-ALTO
//! routes), `method` one of the usual methods or `other`.

use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Instant, SystemTime};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Registry, Unit};

use crate::snapshot::{ENDPOINT_COST_URI, ENDPOINT_PROP_URI, UPDATE_STREAM_URI};
use crate::state::AppState;

const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    resource: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: String,
}

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The server's metrics and their registry (prefix `altofed_`).
#[derive(Debug)]
pub struct Metrics {
    registry: Mutex<Registry>,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily,
    in_flight: Gauge,
    snapshot_age: Gauge<f64, AtomicU64>,
    snapshot_bytes: Gauge,
    snapshot_generation: Gauge,
    nodes: Gauge,
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
        let snapshot_age = Gauge::<f64, AtomicU64>::default();
        let (snapshot_bytes, snapshot_generation) = (Gauge::default(), Gauge::default());
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
        registry.register(
            "node_statuses",
            "CDN node statuses set through the admin API",
            nodes.clone(),
        );
        Self {
            registry: Mutex::new(registry),
            requests,
            latency,
            in_flight,
            snapshot_age,
            snapshot_bytes,
            snapshot_generation,
            nodes,
        }
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
                self.snapshot_age.set(age.as_secs_f64());
                self.snapshot_bytes
                    .set(i64::try_from(snapshot.encoded_bytes()).unwrap_or(i64::MAX));
                self.snapshot_generation
                    .set(i64::try_from(snapshot.generation).unwrap_or(i64::MAX));
            }
            None => {
                self.snapshot_age.set(0.0);
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

/// Decrements the in-flight gauge also when the request is dropped.
struct InFlight(Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Middleware counting every request by route, resource and status, and
/// timing it to the response head.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let method = method_label(request.method());
    let resource = resource_label(&state, &route, request.uri().path());
    let metrics = state.metrics();
    metrics.in_flight.inc();
    let _in_flight = InFlight(metrics.in_flight.clone());
    let start = Instant::now();
    let response = next.run(request).await;
    let elapsed = start.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    metrics
        .latency
        .get_or_create(&RouteLabels {
            method,
            route: route.clone(),
        })
        .observe(elapsed);
    metrics
        .requests
        .get_or_create(&RequestLabels {
            method,
            route,
            resource,
            status,
        })
        .inc();
    response
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The IRD id of the resource a request addressed.
fn resource_label(state: &AppState, route: &str, path: &str) -> String {
    const UNKNOWN: &str = "unknown";
    let snapshot = state.snapshot();
    let Some(snapshot) = snapshot.as_deref() else {
        return if is_alto_route(route) {
            UNKNOWN.to_owned()
        } else {
            String::new()
        };
    };
    let map_id = |p: &str| {
        p.strip_prefix("/maps/")
            .map(|rest| rest.trim_end_matches("/filtered").to_owned())
    };
    let known = |id: String| {
        if snapshot.resources.contains_key(&id) {
            Some(id)
        } else {
            None
        }
    };
    let label = match route {
        "/directory" => Some("directory".to_owned()),
        "/maps/{id}" => map_id(path).and_then(known),
        "/maps/{id}/filtered" => map_id(path)
            .and_then(known)
            .map(|id| format!("{id}-filtered")),
        ENDPOINT_PROP_URI => Some(snapshot.ids.endpoint_prop.clone()),
        ENDPOINT_COST_URI => Some(snapshot.ids.endpoint_cost.clone()),
        UPDATE_STREAM_URI => Some(snapshot.ids.update_stream.clone()),
        _ => return String::new(),
    };
    label.unwrap_or_else(|| UNKNOWN.to_owned())
}

fn is_alto_route(route: &str) -> bool {
    matches!(
        route,
        "/directory"
            | "/maps/{id}"
            | "/maps/{id}/filtered"
            | ENDPOINT_PROP_URI
            | ENDPOINT_COST_URI
            | UPDATE_STREAM_URI
    )
}
