//! The router's Prometheus metrics, under `altofed_route_`:
//!
//! - `answers_total{front,node}`: nodes named in answers (a DNS answer
//!   with two nodes counts both), `front` = `dns` or `http`;
//! - `fallbacks_total{front}`: answers from the fallback ranking;
//! - `unanswered_total{front}`: queries for which no node was usable
//!   (or no table existed yet): SERVFAIL / 503;
//! - `table_builds_total{result}`: rebuilds, `ok` or `failed`;
//! - `table_age_seconds`: time since the table in service was built;
//! - `table_build_seconds`: how long the last successful build took (a
//!   rebuild takes over what the change left valid, so a node status
//!   change costs far less than new costs);
//! - `table_withdrawn`: 1 while the maps are withdrawn (`alto.max-age`);
//! - `peer_*{peer="alto"}`: the ALTO client (altofed-peers' `PeerMetrics`);
//! - `http_connections_*`: the HTTP front's connections (altofed-server's
//!   `ConnMetrics`: open, accepted, refused, timed out).
//!
//! Per node and front the counter handles are resolved once at start-up,
//! so counting an answer takes no lock and no allocation.

use std::sync::atomic::AtomicU64;
use std::sync::Mutex;

use altofed_peers::http::PeerMetrics;
use altofed_server::conn::ConnMetrics;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::table::Node;

/// Which front answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Front {
    Dns = 0,
    Http = 1,
}

type Labels = Vec<(&'static str, String)>;

/// Handles of every metric; shared by the fronts and the table keeper.
#[derive(Debug)]
pub struct Metrics {
    registry: Mutex<Registry>,
    answers: [Vec<Counter>; 2],
    fallbacks: [Counter; 2],
    unanswered: [Counter; 2],
    pub builds_ok: Counter,
    pub builds_failed: Counter,
    pub table_age: Gauge<f64, AtomicU64>,
    pub build_seconds: Gauge<f64, AtomicU64>,
    pub withdrawn: Gauge,
    pub peer: PeerMetrics,
    /// The HTTP front's connections.
    pub connections: ConnMetrics,
}

impl Metrics {
    pub fn new(nodes: &[Node]) -> Metrics {
        let mut registry = Registry::with_prefix("altofed_route");
        let answers = Family::<Labels, Counter>::default();
        let fallbacks = Family::<Labels, Counter>::default();
        let unanswered = Family::<Labels, Counter>::default();
        let builds = Family::<Labels, Counter>::default();
        let fronts = ["dns", "http"];
        let per_node = |front: &'static str| -> Vec<Counter> {
            nodes
                .iter()
                .map(|n| {
                    let labels = vec![("front", front.to_owned()), ("node", n.name.clone())];
                    answers.get_or_create(&labels).clone()
                })
                .collect()
        };
        let by_front = |family: &Family<Labels, Counter>, f: &'static str| {
            family.get_or_create(&vec![("front", f.to_owned())]).clone()
        };
        let metrics_answers = [per_node(fronts[0]), per_node(fronts[1])];
        let metrics_fallbacks = fronts.map(|f| by_front(&fallbacks, f));
        let metrics_unanswered = fronts.map(|f| by_front(&unanswered, f));
        let result = |r: &str| {
            builds
                .get_or_create(&vec![("result", r.to_owned())])
                .clone()
        };
        let (builds_ok, builds_failed) = (result("ok"), result("failed"));
        let table_age = Gauge::<f64, AtomicU64>::default();
        let build_seconds = Gauge::<f64, AtomicU64>::default();
        let withdrawn = Gauge::default();
        registry.register("answers", "Nodes named in answers", answers);
        registry.register("fallbacks", "Answers from the fallback ranking", fallbacks);
        registry.register(
            "unanswered",
            "Queries no usable node could answer",
            unanswered,
        );
        registry.register("table_builds", "Routing table rebuilds", builds);
        registry.register(
            "table_age_seconds",
            "Time since the routing table in service was built",
            table_age.clone(),
        );
        registry.register(
            "table_build_seconds",
            "How long the last successful routing table build took",
            build_seconds.clone(),
        );
        registry.register(
            "table_withdrawn",
            "1 while the ALTO maps are withdrawn (no contact for alto.max-age)",
            withdrawn.clone(),
        );
        let peer = PeerMetrics::new(&mut registry);
        let connections = ConnMetrics::register(&mut registry);
        Metrics {
            registry: Mutex::new(registry),
            answers: metrics_answers,
            fallbacks: metrics_fallbacks,
            unanswered: metrics_unanswered,
            builds_ok,
            builds_failed,
            table_age,
            build_seconds,
            withdrawn,
            peer,
            connections,
        }
    }

    /// Counts an answer naming `node` (an index of the configuration's nodes).
    pub fn answered(&self, front: Front, node: usize) {
        if let Some(c) = self.answers[front as usize].get(node) {
            c.inc();
        }
    }

    pub fn fallback(&self, front: Front) {
        self.fallbacks[front as usize].inc();
    }

    pub fn unanswered(&self, front: Front) {
        self.unanswered[front as usize].inc();
    }

    /// The text exposition format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        let registry = self
            .registry
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = prometheus_client::encoding::text::encode(&mut text, &registry);
        text
    }
}
