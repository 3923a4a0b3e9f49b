//! Serving: a full cost map GET from pre-encoded bodies, and an endpoint
//! cost request, each against a baseline in the same process that does the
//! work per request (serializing the map; a naive lookup through
//! `serde_json::Value`). Requests go through the real axum router with
//! `tower::ServiceExt::oneshot`, without sockets; the socket-level load test
//! belongs to the scale issue.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use altofed_model::{media, CostMapDoc, NetworkMapDoc};
use altofed_server::{router, AppState, ServerConfig};
use altofed_tests::synthetic::{address_in, documents, COST_MAP_ID};
use axum::body::{to_bytes, Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{header, Request};
use axum::routing::{get, post};
use axum::Router;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::{json, Value};
use tower::ServiceExt;

/// 1000 x 1000 = 1M pairs, about 22 MB of JSON.
const PIDS: usize = 1000;
/// A request router asks for the costs of 10 caches to one client.
const CACHES: usize = 10;

fn client_addr() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 40000))
}

async fn send(app: &Router, request: Request<Body>) -> Bytes {
    let mut request = request;
    request.extensions_mut().insert(ConnectInfo(client_addr()));
    let response = app.clone().oneshot(request).await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    to_bytes(response.into_body(), usize::MAX).await.unwrap()
}

fn get_request() -> Request<Body> {
    Request::get(format!("/maps/{COST_MAP_ID}"))
        .header(header::ACCEPT_ENCODING, "identity")
        .body(Body::empty())
        .unwrap()
}

fn ecs_body() -> String {
    let srcs: Vec<String> = (0..CACHES)
        .map(|i| format!("ipv4:{}", address_in(i * 97)))
        .collect();
    json!({
        "cost-type": {"cost-mode": "numerical", "cost-metric": "routingcost"},
        "endpoints": {"srcs": srcs, "dsts": [format!("ipv4:{}", address_in(PIDS - 1))]}
    })
    .to_string()
}

fn ecs_request(body: &str) -> Request<Body> {
    Request::post("/endpointcost")
        .header(header::CONTENT_TYPE, media::ENDPOINT_COST_PARAMS)
        .body(Body::from(body.to_owned()))
        .unwrap()
}

/// Baseline GET: serialize the cost map for every request.
fn per_request_get(doc: Arc<CostMapDoc>) -> Router {
    Router::new().route(
        &format!("/maps/{COST_MAP_ID}"),
        get(move || {
            let doc = doc.clone();
            async move {
                (
                    [(header::CONTENT_TYPE, media::COST_MAP)],
                    serde_json::to_vec(&*doc).unwrap(),
                )
            }
        }),
    )
}

/// Baseline ECS: maps held as `serde_json::Value`, PIDs found by scanning
/// every prefix, the answer built as a `Value` and serialized.
fn naive_ecs(netmap: Arc<Value>, costmap: Arc<Value>) -> Router {
    Router::new().route(
        "/endpointcost",
        post(move |body: Bytes| {
            let (netmap, costmap) = (netmap.clone(), costmap.clone());
            async move {
                let request: Value = serde_json::from_slice(&body).unwrap();
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
                let mut out = serde_json::Map::new();
                for src in request["endpoints"]["srcs"].as_array().unwrap() {
                    let src = src.as_str().unwrap();
                    let mut row = serde_json::Map::new();
                    for dst in request["endpoints"]["dsts"].as_array().unwrap() {
                        let dst = dst.as_str().unwrap();
                        if let (Some(s), Some(d)) = (pid_of(src), pid_of(dst)) {
                            if let Some(cost) = costmap["cost-map"][&s].get(&d) {
                                row.insert(dst.to_owned(), cost.clone());
                            }
                        }
                    }
                    if !row.is_empty() {
                        out.insert(src.to_owned(), Value::Object(row));
                    }
                }
                let doc =
                    json!({"meta": {"cost-type": request["cost-type"]}, "endpoint-cost-map": out});
                (
                    [(header::CONTENT_TYPE, media::ENDPOINT_COST)],
                    serde_json::to_vec(&doc).unwrap(),
                )
            }
        }),
    )
}

fn serving(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let state = AppState::new(ServerConfig::default());
    let snapshot = state.publish(documents(PIDS, 1)).unwrap();
    let app = router(state);
    let costmap = Arc::new(snapshot.cost_maps[0].doc.clone());
    let netmap: &NetworkMapDoc = &snapshot.network_map;
    let baseline_get = per_request_get(costmap.clone());
    let baseline_ecs = naive_ecs(
        Arc::new(serde_json::to_value(netmap).unwrap()),
        Arc::new(serde_json::to_value(&*costmap).unwrap()),
    );

    // Both sides must give the same answers before they are timed.
    let body = ecs_body();
    rt.block_on(async {
        let ours: Value = serde_json::from_slice(&send(&app, ecs_request(&body)).await).unwrap();
        let naive: Value =
            serde_json::from_slice(&send(&baseline_ecs, ecs_request(&body)).await).unwrap();
        assert_eq!(ours, naive);
        assert_eq!(ours["endpoint-cost-map"].as_object().unwrap().len(), CACHES);
        let full = send(&app, get_request()).await;
        assert_eq!(full, send(&baseline_get, get_request()).await);
    });

    let size = rt.block_on(send(&app, get_request())).len() as u64;
    let mut group = c.benchmark_group("get_full_cost_map_1M_pairs");
    group.throughput(Throughput::Bytes(size));
    group.sample_size(20);
    group.bench_function("pre_encoded", |b| {
        b.to_async(&rt).iter(|| send(&app, get_request()))
    });
    group.bench_function("baseline_serialize_per_request", |b| {
        b.to_async(&rt).iter(|| send(&baseline_get, get_request()))
    });
    group.finish();

    let mut group = c.benchmark_group("endpoint_cost_10x1_over_1M_pairs");
    group.throughput(Throughput::Elements(1));
    group.bench_function("altofed", |b| {
        b.to_async(&rt).iter(|| send(&app, ecs_request(&body)))
    });
    group.bench_function("baseline_value_and_linear_scan", |b| {
        b.to_async(&rt)
            .iter(|| send(&baseline_ecs, ecs_request(&body)))
    });
    group.finish();
}

criterion_group!(benches, serving);
criterion_main!(benches);
