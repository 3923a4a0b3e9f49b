//! C_cdn for all border routers (`altofed_core::cdn_cost::cdn_costs`) on
//! the largest real topologies and a synthetic 100,000-router graph,
//! against the baseline the crate used before: serial petgraph `dijkstra`
//! once per border router on the reversed graph. `altofed-1-thread` is the
//! same algorithm on a one-thread rayon pool, to separate rayon's scaling
//! from the algorithm's. Real graphs that are absent are skipped with a
//! note (see `altofed_benches::cdn_scenario`).

#![allow(clippy::unwrap_used, clippy::print_stderr, missing_docs)]

use std::hint::black_box;

use altofed_benches::cdn_scenario::{
    real_scenarios, synthetic_scenario, Scenario, BORDERS, PIDS, SYNTHETIC_ROUTERS,
};
use altofed_core::cdn_cost::cdn_costs;
use altofed_core::topology::CdnNetwork;
use criterion::{criterion_group, criterion_main, Criterion};
use petgraph::algo::dijkstra;
use petgraph::visit::{EdgeRef, Reversed};
use rayon::ThreadPoolBuilder;

/// The baseline, row-major like `CdnCosts`: one serial petgraph Dijkstra
/// per border router on the reversed graph, then the minimum over each
/// PID's attachment routers.
fn petgraph_serial(net: &CdnNetwork) -> Vec<f64> {
    let graph = &net.topology.graph;
    let borders = net.borders.len();
    let mut data = vec![f64::INFINITY; net.pids.len() * borders];
    for (b, border) in net.borders.iter().enumerate() {
        let dist = dijkstra(Reversed(graph), border.router, None, |e| *e.weight());
        for (p, pid) in net.pids.iter().enumerate() {
            data[p * borders + b] = pid
                .attachments
                .iter()
                .filter_map(|a| dist.get(a).copied())
                .fold(f64::INFINITY, f64::min);
        }
    }
    data
}

/// Not timed: both give the same floats, bit for bit.
fn assert_identical(s: &Scenario) {
    let ours = cdn_costs(&s.net).0;
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(
        bits(ours.as_slice()),
        bits(&petgraph_serial(&s.net)),
        "{}: altofed and petgraph disagree",
        s.name
    );
}

fn scenarios() -> Vec<Scenario> {
    let (mut found, skipped) = real_scenarios(PIDS, BORDERS);
    for note in skipped {
        eprintln!("cdn_cost: {note}");
    }
    found.push(synthetic_scenario(SYNTHETIC_ROUTERS, PIDS, BORDERS));
    found
}

fn bench_cdn_cost(c: &mut Criterion) {
    let serial = ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    for s in scenarios() {
        assert_identical(&s);
        let topo = &s.net.topology;
        eprintln!(
            "cdn_cost/{}: {} routers, {} directed edges, {} PIDs, {} border routers",
            s.name,
            topo.node_count(),
            topo.edge_count(),
            s.net.pids.len(),
            s.net.borders.len()
        );
        let mut group = c.benchmark_group(format!("cdn_cost/{}", s.name));
        group.sample_size(10);
        group.bench_function("altofed", |b| b.iter(|| cdn_costs(black_box(&s.net))));
        group.bench_function("altofed-1-thread", |b| {
            b.iter(|| serial.install(|| cdn_costs(black_box(&s.net))))
        });
        group.bench_function("baseline-petgraph-serial", |b| {
            b.iter(|| petgraph_serial(black_box(&s.net)))
        });
        group.finish();
    }
}

criterion_group!(benches, bench_cdn_cost);
criterion_main!(benches);
