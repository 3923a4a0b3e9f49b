//! The serving benchmarks' inputs and baselines, shared by the in-process
//! bench (`benches/serve.rs`) and the socket load test (`benches/load.rs`):
//! the request bodies, and servers that do the work per request
//! (serializing the typed map; a lookup through `serde_json::Value` maps
//! with a linear prefix scan), and the ceiling of the socket load test
//! (bare axum answering with a fixed body).

use std::net::IpAddr;
use std::sync::Arc;

use altofed_model::{media, CostTableDoc};
use altofed_tests::synthetic::{address_in, COST_MAP_ID};
use axum::body::Bytes;
use axum::http::header;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

/// 1000 x 1000 = 1M pairs, about 22 MB of JSON.
pub const PIDS: usize = 1000;
/// A request router asks for the costs of 10 caches to one client.
pub const CACHES: usize = 10;

/// The full cost map's path.
pub fn cost_map_path() -> String {
    format!("/maps/{COST_MAP_ID}")
}

/// An endpoint cost request: `CACHES` sources spread over the PIDs, one
/// destination in the last PID.
pub fn ecs_body() -> String {
    let srcs: Vec<String> = (0..CACHES)
        .map(|i| format!("ipv4:{}", address_in(i * 97)))
        .collect();
    json!({
        "cost-type": {"cost-mode": "numerical", "cost-metric": "routingcost"},
        "endpoints": {"srcs": srcs, "dsts": [format!("ipv4:{}", address_in(PIDS - 1))]}
    })
    .to_string()
}

/// Baseline GET: serialize the cost map for every request.
pub fn per_request_get(doc: Arc<CostTableDoc>) -> Router {
    Router::new().route(
        &cost_map_path(),
        get(move || {
            let doc = doc.clone();
            async move {
                let body = serde_json::to_vec(&*doc).unwrap_or_default();
                ([(header::CONTENT_TYPE, media::COST_MAP)], body)
            }
        }),
    )
}

/// Ceiling: bare axum answering GET and POST on `path` with a fixed,
/// pre-serialized `body` (read the request body, nothing else: no parsing,
/// no lookup, no middleware). Over a socket on one thread this is what
/// hyper, axum and the kernel's loopback TCP cost per request at all.
pub fn fixed_answer(path: &str, media_type: &'static str, body: Bytes) -> Router {
    let answer = move |_request: Bytes| {
        let body = body.clone();
        async move { ([(header::CONTENT_TYPE, media_type)], body) }
    };
    Router::new().route(path, get(answer.clone()).post(answer))
}

/// Baseline ECS: maps held as `serde_json::Value`, PIDs found by scanning
/// every prefix, the answer built as a `Value` and serialized.
pub fn naive_ecs(netmap: Arc<Value>, costmap: Arc<Value>) -> Router {
    Router::new().route(
        "/endpointcost",
        post(move |body: Bytes| {
            let (netmap, costmap) = (netmap.clone(), costmap.clone());
            async move {
                let request: Value = serde_json::from_slice(&body).unwrap_or_default();
                let doc = naive_answer(&netmap, &costmap, &request);
                let body = serde_json::to_vec(&doc).unwrap_or_default();
                ([(header::CONTENT_TYPE, media::ENDPOINT_COST)], body)
            }
        }),
    )
}

fn naive_answer(netmap: &Value, costmap: &Value, request: &Value) -> Value {
    let pid_of = |endpoint: &str| -> Option<String> {
        let addr: IpAddr = endpoint.strip_prefix("ipv4:")?.parse().ok()?;
        let mut best: Option<(u8, String)> = None;
        for (pid, group) in netmap["network-map"].as_object()? {
            for prefix in group["ipv4"].as_array().into_iter().flatten() {
                let net: ipnet::IpNet = prefix.as_str()?.parse().ok()?;
                if net.contains(&addr)
                    && best.as_ref().is_none_or(|(len, _)| net.prefix_len() > *len)
                {
                    best = Some((net.prefix_len(), pid.clone()));
                }
            }
        }
        best.map(|(_, pid)| pid)
    };
    let endpoints = |key: &str| -> Vec<String> {
        request["endpoints"][key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e.as_str().map(str::to_owned))
            .collect()
    };
    let mut out = serde_json::Map::new();
    for src in endpoints("srcs") {
        let mut row = serde_json::Map::new();
        for dst in endpoints("dsts") {
            if let (Some(s), Some(d)) = (pid_of(&src), pid_of(&dst)) {
                if let Some(cost) = costmap["cost-map"][&s].get(&d) {
                    row.insert(dst.clone(), cost.clone());
                }
            }
        }
        if !row.is_empty() {
            out.insert(src, Value::Object(row));
        }
    }
    json!({"meta": {"cost-type": request["cost-type"]}, "endpoint-cost-map": out})
}
