//! The per-request side of the metrics: a layer on every route that counts
//! requests by method, route, resource and status and times them to the
//! response head (labels: see [`super::metrics`]); the endpoint cost lane
//! takes the same steps ([`Tracking`]).
//!
//! prometheus-client's `Family` finds a metric by an owned label set, so
//! looking one up per request meant building label `String`s and hashing
//! them twice. Here each label set's counter and histogram handles are
//! resolved once and cached; a request costs one hash of borrowed strings.
//! The handles share their values with the families, which `/metrics`
//! renders as before.

use std::future::Future;
use std::hash::{Hash, Hasher};
use std::pin::Pin;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::task::{ready, Context, Poll};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use pin_project_lite::pin_project;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use rustc_hash::FxHashMap;
use tower::{Layer, Service};

use super::metrics::{HistogramFamily, Metrics, RequestLabels, RouteLabels};
use crate::snapshot::{Snapshot, ENDPOINT_COST_URI, ENDPOINT_PROP_URI, UPDATE_STREAM_URI};
use crate::state::AppState;

const UNKNOWN: &str = "unknown";
const FILTERED_ROUTE: &str = "/maps/{id}/filtered";

/// Counts and times every request of the routes it is applied to.
#[derive(Debug, Clone)]
pub struct TrackLayer {
    state: AppState,
}

impl TrackLayer {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

impl<S> Layer<S> for TrackLayer {
    type Service = Track<S>;

    fn layer(&self, inner: S) -> Track<S> {
        Track {
            inner,
            state: self.state.clone(),
        }
    }
}

/// The service of [`TrackLayer`].
#[derive(Debug, Clone)]
pub struct Track<S> {
    inner: S,
    state: AppState,
}

impl<S> Service<Request> for Track<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = TrackFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map_or("unmatched", MatchedPath::as_str);
        let tracking = Tracking::begin(&self.state, request.method(), route, request.uri().path());
        TrackFuture {
            inner: self.inner.call(request),
            tracking,
        }
    }
}

pin_project! {
    /// Records the request once the inner service has answered.
    pub struct TrackFuture<F> {
        #[pin]
        inner: F,
        tracking: Tracking,
    }
}

impl<F, E> Future for TrackFuture<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = ready!(this.inner.poll(cx));
        if let Ok(response) = &result {
            this.tracking.finish(response.status());
        }
        Poll::Ready(result)
    }
}

/// One request being counted: in flight from [`Tracking::begin`] until
/// dropped, recorded by [`Tracking::finish`]. What [`Track`] does around
/// each request, for the routes served without it too
/// (`super::lane`).
#[derive(Debug)]
pub(crate) struct Tracking {
    handles: Arc<Handles>,
    start: Instant,
    _in_flight: InFlight,
}

impl Tracking {
    /// A request of `method` to `path`, matched by the route pattern
    /// `route`, begins.
    pub(crate) fn begin(state: &AppState, method: &Method, route: &str, path: &str) -> Self {
        Self::begin_at(state, method, route, path, Instant::now())
    }

    /// [`Tracking::begin`] of a request that began at `start` (a caller
    /// that reads the clock anyway reads it once).
    pub(crate) fn begin_at(
        state: &AppState,
        method: &Method,
        route: &str,
        path: &str,
        start: Instant,
    ) -> Self {
        let metrics = state.metrics();
        let snapshot = state.snapshot();
        let key = resource_key(snapshot.as_deref(), route, path);
        let handles = metrics
            .handles
            .get(metrics, method_label(method), route, key);
        metrics.in_flight.inc();
        Tracking {
            handles,
            start,
            _in_flight: InFlight(metrics.in_flight.clone()),
        }
    }

    /// Its answer has `status`: counted, and timed to now.
    pub(crate) fn finish(&self, status: StatusCode) {
        let elapsed = self.start.elapsed().as_secs_f64();
        self.handles.record(status.as_u16(), elapsed);
    }
}

/// Decrements the in-flight gauge also when the request is dropped.
#[derive(Debug)]
struct InFlight(Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Handles of one (method, route, resource) label set.
#[derive(Debug)]
pub(crate) struct Handles {
    key: Option<String>,
    /// Made at the first answer, like the counters: a series appears in
    /// `/metrics` once a request of its label set has been answered.
    latency: OnceLock<Histogram>,
    /// Counters by status; a label set sees a handful of statuses.
    statuses: RwLock<Vec<(u16, Counter)>>,
    /// Labels of this set's counters, but for the status.
    labels: RequestLabels,
    requests: Family<RequestLabels, Counter>,
    latencies: HistogramFamily,
}

impl Handles {
    fn new(metrics: &Metrics, method: &'static str, route: &str, key: Option<&str>) -> Self {
        let labels = RequestLabels {
            method,
            route: route.to_owned(),
            resource: resource_label(route, key),
            status: 0,
        };
        Self {
            key: key.map(str::to_owned),
            latency: OnceLock::new(),
            statuses: RwLock::default(),
            labels,
            requests: metrics.requests.clone(),
            latencies: metrics.latency.clone(),
        }
    }

    fn is(&self, method: &str, route: &str, key: Option<&str>) -> bool {
        let labels = &self.labels;
        labels.method == method && labels.route == route && self.key.as_deref() == key
    }

    /// Records an answered request.
    fn record(&self, status: u16, seconds: f64) {
        let latency = self.latency.get_or_init(|| {
            self.latencies.get_or_create_owned(&RouteLabels {
                method: self.labels.method,
                route: self.labels.route.clone(),
            })
        });
        latency.observe(seconds);
        self.count(status);
    }

    fn count(&self, status: u16) {
        let statuses = self.statuses.read().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, counter)) = statuses.iter().find(|(s, _)| *s == status) {
            counter.inc();
            return;
        }
        drop(statuses);
        let mut statuses = self
            .statuses
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some((_, counter)) = statuses.iter().find(|(s, _)| *s == status) {
            counter.inc();
            return;
        }
        let labels = RequestLabels {
            status,
            ..self.labels.clone()
        };
        let counter = self.requests.get_or_create_owned(&labels);
        counter.inc();
        statuses.push((status, counter));
    }
}

/// The handles of every label set seen so far, by the hash of their
/// borrowed labels (std's `HashMap` cannot look up an owned key by a tuple
/// of borrowed strings). As bounded as the label sets themselves.
#[derive(Debug, Default)]
pub(crate) struct HandleCache {
    entries: RwLock<FxHashMap<u64, Vec<Arc<Handles>>>>,
}

impl HandleCache {
    fn get(
        &self,
        metrics: &Metrics,
        method: &'static str,
        route: &str,
        key: Option<&str>,
    ) -> Arc<Handles> {
        // The labels come from the server's own routes and resource ids,
        // a small fixed set: no need for std's flood-resistant SipHash,
        // which was most of a lookup.
        let mut hasher = rustc_hash::FxHasher::default();
        (method, route, key).hash(&mut hasher);
        let hash = hasher.finish();
        let find = |entries: &FxHashMap<u64, Vec<Arc<Handles>>>| {
            entries
                .get(&hash)?
                .iter()
                .find(|h| h.is(method, route, key))
                .cloned()
        };
        if let Some(found) = find(&self.entries.read().unwrap_or_else(PoisonError::into_inner)) {
            return found;
        }
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = find(&entries) {
            return found;
        }
        let handles = Arc::new(Handles::new(metrics, method, route, key));
        entries.entry(hash).or_default().push(handles.clone());
        handles
    }
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

/// What the resource label is made of, borrowed: `None` for `unknown`;
/// on the filtered map route the map's id (the label adds `-filtered`);
/// `Some("")` for non-ALTO routes.
fn resource_key<'a>(snapshot: Option<&'a Snapshot>, route: &str, path: &'a str) -> Option<&'a str> {
    let Some(snapshot) = snapshot else {
        return if is_alto_route(route) { None } else { Some("") };
    };
    let known_map = || {
        let id = path.strip_prefix("/maps/")?.trim_end_matches("/filtered");
        snapshot.resources.contains_key(id).then_some(id)
    };
    match route {
        "/directory" => Some("directory"),
        "/maps/{id}" | FILTERED_ROUTE => known_map(),
        ENDPOINT_PROP_URI => Some(&snapshot.ids.endpoint_prop),
        ENDPOINT_COST_URI => Some(&snapshot.ids.endpoint_cost),
        UPDATE_STREAM_URI => Some(&snapshot.ids.update_stream),
        _ => Some(""),
    }
}

/// The IRD id of the resource a request addressed (made once per label
/// set).
fn resource_label(route: &str, key: Option<&str>) -> String {
    match key {
        None => UNKNOWN.to_owned(),
        Some(id) if route == FILTERED_ROUTE => format!("{id}-filtered"),
        Some(id) => id.to_owned(),
    }
}

fn is_alto_route(route: &str) -> bool {
    matches!(
        route,
        "/directory"
            | "/maps/{id}"
            | FILTERED_ROUTE
            | ENDPOINT_PROP_URI
            | ENDPOINT_COST_URI
            | UPDATE_STREAM_URI
    )
}
