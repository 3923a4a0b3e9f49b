//! The largest requests the default limit allows (issue #11), at the
//! production scale of the e2e scenario (300 CDN PIDs x 10 ISPs x 1,700
//! PIDs): a filtered cost map and an endpoint cost request of 300 sources x
//! 3,333 destinations = 999,900 pairs (`max-pairs-per-request` is
//! 1,000,000), through the real router (`tower::ServiceExt::oneshot`).
//!
//! Baseline, in the same process on the same snapshot: the answer built
//! the way altofed did before, as a tree of cloned strings
//! (`BTreeMap<String, BTreeMap<String, Cost>>`) then serialized.
//!
//! Peak RSS of one request of each kind is printed first: VmHWM after
//! resetting it (`/proc/self/clear_refs`), above the RSS before the
//! request, against the answer's size.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs
)]

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use altofed_benches::e2e_scenario::{build, engine, E2eScenario};
use altofed_engine::Trigger;
use altofed_model::{media, Cost, CostTable, TypedEndpointAddr};
use altofed_peers::PeerEvent;
use altofed_server::{router, Snapshot};
use axum::body::{to_bytes, Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{header, Request};
use axum::Router;
use criterion::{Criterion, Throughput};
use serde_json::json;
use tokio::runtime::Runtime;
use tokio::sync::mpsc;
use tower::ServiceExt;

const DESTINATIONS: usize = 3_333;

/// A PID and an address inside it.
type Chosen = (String, IpAddr);

/// The published snapshot of the e2e scenario, and the runtime serving it.
fn published() -> (Runtime, Arc<Snapshot>, Router) {
    let E2eScenario {
        config, cdn, peers, ..
    } = build();
    let (rt, state, engine) = engine(config, cdn).unwrap();
    let mut snapshots = state.subscribe();
    let (tx, rx) = mpsc::channel(64);
    for (peer, maps) in peers.iter().enumerate() {
        let maps = maps.clone();
        tx.try_send(Trigger::Peer(PeerEvent::Updated { peer, maps }))
            .unwrap();
    }
    rt.spawn(engine.run(rx));
    let snapshot = rt.block_on(async {
        let done = |s: &Option<Arc<Snapshot>>| s.is_some();
        snapshots.wait_for(done).await.unwrap().clone().unwrap()
    });
    // Not measured while the publish still compresses on every core.
    altofed_benches::until_compressed(&snapshot);
    // The engine stays alive with its sender; nothing else is published.
    std::mem::forget(tx);
    (rt, snapshot, router(state))
}

/// The CDN's PIDs (no `:`; not the catch-all) and every
/// `DESTINATIONS / n`-th subscriber PID, each with an address inside it.
fn chosen(snapshot: &Snapshot) -> (Vec<Chosen>, Vec<Chosen>) {
    let with_address = |(pid, group): (&String, &altofed_model::EndpointAddrGroup)| {
        let net = group.prefixes().next()?;
        Some((pid.clone(), net.network()))
    };
    let all = snapshot.network_map.network_map.iter();
    let cdn: Vec<_> = all
        .clone()
        .filter(|(p, _)| !p.contains(':') && p.as_str() != "default")
        .filter_map(with_address)
        .collect();
    let subscribers: Vec<_> = all
        .filter(|(p, _)| p.contains(':'))
        .filter_map(with_address)
        .collect();
    let step = subscribers.len() / DESTINATIONS;
    let subscribers = subscribers
        .into_iter()
        .step_by(step)
        .take(DESTINATIONS)
        .collect();
    (cdn, subscribers)
}

fn post(path: &str, media_type: &str, body: String) -> Request<Body> {
    let mut request = Request::post(path)
        .header(header::CONTENT_TYPE, media_type)
        .body(Body::from(body))
        .unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    request
}

async fn send(app: &Router, request: Request<Body>) -> Bytes {
    let response = app.clone().oneshot(request).await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    to_bytes(response.into_body(), usize::MAX).await.unwrap()
}

/// The old way: a tree of cloned strings, then serialized.
fn tree_answer(member: &str, rows: Vec<(String, Vec<(String, f64)>)>) -> Vec<u8> {
    let tree: BTreeMap<String, BTreeMap<String, Cost>> = rows
        .into_iter()
        .map(|(s, row)| (s, row.into_iter().map(|(d, c)| (d, Cost(c))).collect()))
        .filter(|(_, row): &(String, BTreeMap<String, Cost>)| !row.is_empty())
        .collect();
    serde_json::to_vec(&json!({"meta": {}, member: tree})).unwrap()
}

fn baseline_filtered(table: &CostTable, srcs: &[String], dsts: &[String]) -> Vec<u8> {
    let rows = srcs
        .iter()
        .filter_map(|s| Some((s, table.row(s)?)))
        .map(|(s, row)| {
            let costs = dsts.iter().filter_map(|d| Some((d.clone(), row.get(d)?.0)));
            (s.clone(), costs.collect())
        })
        .collect();
    tree_answer("cost-map", rows)
}

fn baseline_ecs(snapshot: &Snapshot, srcs: &[String], dsts: &[String]) -> Vec<u8> {
    let entry = &snapshot.cost_maps[0];
    let pid = |a: &String| {
        let addr = TypedEndpointAddr::parse(a).ok()?;
        snapshot.lookup.lookup_index(addr.0)
    };
    let dst_pids: Vec<_> = dsts.iter().map(|d| (d, pid(d))).collect();
    let rows = srcs
        .iter()
        .filter_map(|s| Some((s, pid(s)?)))
        .map(|(s, sp)| {
            let costs = dst_pids
                .iter()
                .filter_map(|(d, dp)| Some(((*d).clone(), entry.cost_by_index(sp, (*dp)?)?)));
            (s.clone(), costs.collect())
        })
        .collect();
    tree_answer("endpoint-cost-map", rows)
}

fn status(field: &str) -> Option<usize> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    let kb: usize = line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// Peak RSS of `run` above the RSS before it, and the answer's size.
fn peak_of(what: &str, run: impl FnOnce() -> usize) {
    let before = status("VmRSS:").unwrap_or(0);
    if std::fs::write("/proc/self/clear_refs", "5").is_err() {
        println!("large_requests: cannot reset the peak RSS counter; {what} not measured");
        return;
    }
    let answer = run();
    let peak = status("VmHWM:").unwrap_or(0).saturating_sub(before);
    let mb = |n: usize| n as f64 / 1e6;
    println!(
        "large_requests: {what}: answer {:.1} MB, peak RSS {:.1} MB above the {:.1} MB before ({:.2}x the answer)",
        mb(answer),
        mb(peak),
        mb(before),
        peak as f64 / answer as f64
    );
}

fn main() {
    let (rt, snapshot, app) = published();
    let (cdn, subscribers) = chosen(&snapshot);
    let names = |v: &[Chosen]| v.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    let addresses = |v: &[Chosen]| {
        v.iter()
            .map(|(_, a)| TypedEndpointAddr(*a).to_string())
            .collect::<Vec<_>>()
    };
    let (src_pids, dst_pids) = (names(&cdn), names(&subscribers));
    let (src_addrs, dst_addrs) = (addresses(&cdn), addresses(&subscribers));
    let pairs = (src_pids.len() * dst_pids.len()) as u64;
    println!(
        "large_requests: {} sources x {} destinations = {pairs} pairs",
        src_pids.len(),
        dst_pids.len()
    );
    let cost_type = json!({"cost-mode": "numerical", "cost-metric": "routingcost"});
    let filter =
        json!({"cost-type": cost_type, "pids": {"srcs": src_pids, "dsts": dst_pids}}).to_string();
    let ecs = json!({"cost-type": cost_type, "endpoints": {"srcs": src_addrs, "dsts": dst_addrs}})
        .to_string();
    let filtered_path = format!("/maps/{}/filtered", snapshot.cost_maps[0].id);
    let filtered = || post(&filtered_path, media::COST_MAP_FILTER, filter.clone());
    let endpoint = || post("/endpointcost", media::ENDPOINT_COST_PARAMS, ecs.clone());

    peak_of("filtered cost map", || {
        rt.block_on(send(&app, filtered())).len()
    });
    peak_of("endpoint cost", || {
        rt.block_on(send(&app, endpoint())).len()
    });
    let table = &snapshot.cost_maps[0].doc.cost_map;
    peak_of("filtered cost map, baseline tree", || {
        baseline_filtered(table, &src_pids, &dst_pids).len()
    });
    peak_of("endpoint cost, baseline tree", || {
        baseline_ecs(&snapshot, &src_addrs, &dst_addrs).len()
    });

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("large_requests");
    group
        .sample_size(10)
        .throughput(Throughput::Elements(pairs));
    group.bench_function("filtered/altofed", |b| {
        b.to_async(&rt).iter(|| send(&app, filtered()));
    });
    group.bench_function("filtered/baseline-tree", |b| {
        b.iter(|| baseline_filtered(table, &src_pids, &dst_pids));
    });
    group.bench_function("ecs/altofed", |b| {
        b.to_async(&rt).iter(|| send(&app, endpoint()));
    });
    group.bench_function("ecs/baseline-tree", |b| {
        b.iter(|| baseline_ecs(&snapshot, &src_addrs, &dst_addrs));
    });
    group.finish();
    c.final_summary();
}
