//! Serving: a full cost map GET from pre-encoded bodies, and an endpoint
//! cost request, each against a baseline in the same process that does the
//! work per request (serializing the map; a naive lookup through
//! `serde_json::Value`). Requests go through the real axum router with
//! `tower::ServiceExt::oneshot`, without sockets; the socket-level load test
//! is `benches/load.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::net::SocketAddr;
use std::sync::Arc;

use altofed_benches::serving::{cost_map_path, ecs_body, naive_ecs, per_request_get, CACHES, PIDS};
use altofed_model::{media, NetworkMapDoc};
use altofed_server::{router, AppState, ServerConfig};
use altofed_tests::synthetic::documents;
use axum::body::{to_bytes, Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{header, Request};
use axum::Router;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::Value;
use tower::ServiceExt;

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
    Request::get(cost_map_path())
        .header(header::ACCEPT_ENCODING, "identity")
        .body(Body::empty())
        .unwrap()
}

fn ecs_request(body: &str) -> Request<Body> {
    Request::post("/endpointcost")
        .header(header::CONTENT_TYPE, media::ENDPOINT_COST_PARAMS)
        .body(Body::from(body.to_owned()))
        .unwrap()
}

fn serving(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let state = AppState::new(ServerConfig::default());
    let snapshot = state.publish(documents(PIDS, 1)).unwrap();
    let app = router(state);
    let costmap = Arc::new(altofed_model::CostTableDoc::clone(
        &snapshot.cost_maps[0].doc,
    ));
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
