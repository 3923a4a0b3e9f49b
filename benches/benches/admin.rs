//! The admin API (issue #11): CDN node status changes with 5,000 node
//! statuses already set, through the public API of `AppState`, on two
//! scenarios: `300x10x1700`, the end-to-end scenario at production scale
//! (300 CDN PIDs x 10 ISPs x 1,700 PIDs, 5.1M pairs per cost map,
//! `e2e_scenario`), and `figure5`, the draft's few PIDs (so the property
//! map is nearly all node statuses).
//!
//! - `node-status`: one status change, published (`set_node_status`: a
//!   snapshot with a new property map, sharing everything else).
//! - `republish-documents` (baseline): what a status change cost before,
//!   the last published documents cloned from the snapshot and published
//!   again (`AppState::publish`, with its reuse of unchanged bodies).
//! - `burst-5000x50` (production scale only): 5,000 status changes from 50
//!   concurrent callers (`change_nodes`), until the last is published;
//!   prints the publishes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    missing_docs
)]

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use altofed_benches::e2e_scenario::{build, engine, ISPS};
use altofed_engine::Trigger;
use altofed_model::{CostTableDoc, NetworkMapDoc, PropertyMapDoc};
use altofed_peers::PeerEvent;
use altofed_server::ops::{Health, NodeStatus};
use altofed_server::{AppState, Documents, ServerConfig, Snapshot};
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use tokio::runtime::Runtime;

/// Statuses set before measuring: the scale of the measured problem.
const NODES: usize = 5_000;
const CLIENTS: usize = 50;

fn node(n: usize) -> IpAddr {
    let [_, _, hi, lo] = u32::try_from(n).unwrap().to_be_bytes();
    IpAddr::V4(Ipv4Addr::new(10, 0, hi, lo))
}

fn status(load: f64) -> NodeStatus {
    NodeStatus {
        health: Health::Up,
        load,
        drained: false,
    }
}

/// The end-to-end scenario published by a real engine, with [`NODES`]
/// statuses set.
fn production() -> (Runtime, AppState) {
    let s = build();
    let (rt, state, engine) = engine(s.config.clone(), s.cdn.clone()).unwrap();
    let (triggers, rx) = tokio::sync::mpsc::channel(64);
    rt.spawn(engine.run(rx));
    let want = 1 + s.cdn.pids.len() + s.peers.len() * ISPS.pids;
    let mut snapshots = state.subscribe();
    rt.block_on(async {
        for (peer, maps) in s.peers.iter().enumerate() {
            let t = Trigger::Peer(PeerEvent::Updated {
                peer,
                maps: maps.clone(),
            });
            triggers.send(t).await.unwrap();
        }
        let all = |s: &Option<Arc<Snapshot>>| {
            s.as_ref()
                .is_some_and(|s| s.network_map.network_map.len() >= want)
        };
        snapshots.wait_for(all).await.unwrap();
        set_nodes(&state).await;
    });
    // Closing the channel ends the engine: nothing else publishes while
    // measuring.
    drop(triggers);
    (rt, state)
}

async fn set_nodes(state: &AppState) {
    let changes = (0..NODES).map(|n| (node(n), Some(status(0.5)))).collect();
    state.change_nodes(changes).await.unwrap();
}

/// Figure 5's documents as `altofed compute` writes them, with [`NODES`]
/// statuses set.
fn figure5() -> (Runtime, AppState) {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../topologies/figure5/expected/multipath");
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
    let cost_map = |name: &str| {
        let doc: CostTableDoc = serde_json::from_slice(&read(name)).unwrap();
        (doc.meta.vtag.clone().unwrap().resource_id, doc)
    };
    let network_map: NetworkMapDoc = serde_json::from_slice(&read("networkmap.json")).unwrap();
    let property_map: PropertyMapDoc = serde_json::from_slice(&read("propmap.json")).unwrap();
    let state = AppState::new(ServerConfig::default());
    state
        .publish(Documents {
            network_map: network_map.into(),
            cost_maps: vec![cost_map("costmap.json"), cost_map("costmap-ordinal.json")],
            property_maps: vec![("agg-propmap".to_owned(), property_map)],
        })
        .unwrap();
    let rt = Runtime::new().unwrap();
    rt.block_on(set_nodes(&state));
    (rt, state)
}

/// The last published documents again, as a status change rebuilt them
/// before property-map-only publishes.
fn documents_of(snapshot: &Snapshot) -> Documents {
    Documents {
        network_map: snapshot.network_map.clone(),
        cost_maps: snapshot
            .cost_maps
            .iter()
            .map(|c| (c.id.clone(), CostTableDoc::clone(&c.doc)))
            .collect(),
        property_maps: snapshot
            .property_maps
            .iter()
            .map(|(id, doc)| (id.clone(), (**doc).clone()))
            .collect(),
    }
}

fn admin(c: &mut Criterion) {
    let (_rt, state) = figure5();
    measure(c, "admin/figure5+5000-nodes", &state, None);
    drop(state);
    let (rt, state) = production();
    measure(c, "admin/300x10x1700+5000-nodes", &state, Some(&rt));
}

/// The benches of the module docs on `state`; the burst needs `rt`.
fn measure(c: &mut Criterion, name: &str, state: &AppState, rt: Option<&Runtime>) {
    let snapshot = state.snapshot().unwrap();
    eprintln!(
        "{name}: {} PIDs, property map {} entities, {:.1} MB encoded",
        snapshot.network_map.network_map.len(),
        snapshot
            .property_maps
            .values()
            .map(|p| p.property_map.len())
            .sum::<usize>(),
        snapshot.encoded_bytes() as f64 / 1e6
    );
    drop(snapshot);
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(1));
    group.measurement_time(Duration::from_secs(20));
    let mut turn = 0_u32;
    group.bench_function("node-status", |b| {
        b.iter(|| {
            // A different load each time: every call changes the status.
            turn += 1;
            let load = f64::from(turn % 100) / 100.0;
            state.set_node_status(node(0), Some(status(load))).unwrap()
        })
    });
    group.bench_function("republish-documents", |b| {
        b.iter(|| {
            let docs = documents_of(&state.snapshot().unwrap());
            state.publish(docs).unwrap()
        })
    });
    if let Some(rt) = rt {
        group.bench_function("burst-5000x50", |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    turn += 1;
                    total += burst(rt, state, f64::from(turn % 100) / 100.0);
                }
                total
            })
        });
    }
    group.finish();
}

/// [`NODES`] changes from [`CLIENTS`] concurrent callers; the time until
/// the last is answered (published).
fn burst(rt: &Runtime, state: &AppState, load: f64) -> Duration {
    let before = state.snapshot().unwrap().generation;
    let started = Instant::now();
    rt.block_on(async {
        let tasks: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let state = state.clone();
                tokio::spawn(async move {
                    for n in (c..NODES).step_by(CLIENTS) {
                        let change = vec![(node(n), Some(status(load)))];
                        state.change_nodes(change).await.unwrap();
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    });
    let elapsed = started.elapsed();
    let publishes = state.snapshot().unwrap().generation - before;
    eprintln!("burst: {NODES} changes, {publishes} publishes, {elapsed:.2?}");
    elapsed
}

criterion_group!(benches, admin);
criterion_main!(benches);
