//! `route/table`: the routing table built from the scenario's maps, and
//! rebuilt from it for the two changes a router sees most: one ISP's costs
//! (every cost to the first ISP's subscriber PIDs, +1) and one node
//! drained through the aggregator's admin API (its status in the property
//! map). Baseline: reading every entry of the same cost map once.

use std::hint::black_box;
use std::time::{Duration, Instant};

use altofed_benches::route_scenario::RouteScenario;
use altofed_core::peer::PeerMaps;
use altofed_model::Properties;
use altofed_route::{Reuse, RoutingTable};
use criterion::{Criterion, SamplingMode};

/// One timed thing to do.
type Case<'a> = Box<dyn Fn() + 'a>;

/// Medians of each case.
pub struct TableFigures {
    pub build: Duration,
    pub one_isp: Duration,
    pub ranked_again: usize,
    pub drained: Duration,
    pub floor: Duration,
}

pub fn table(c: &mut Criterion, s: &RouteScenario) -> TableFigures {
    let base = RoutingTable::build(&s.maps, s.nodes.clone(), &s.routing).unwrap();
    let (one_isp, isp) = one_isp_changed(&s.maps);
    let drained = node_drained(s);
    let ranked_again = match RoutingTable::rebuild(&base, &s.maps, &one_isp, &s.routing) {
        Ok(t) => match t.reuse() {
            Reuse::Rankings { ranked_again } => ranked_again,
            other => panic!("a one-ISP change took {other:?}"),
        },
        Err(e) => panic!("rebuild: {e}"),
    };
    eprintln!("one-ISP change: {isp}, {ranked_again} subscriber PIDs ranked again");
    let mut g = c.benchmark_group("route/table");
    g.sample_size(10);
    g.sampling_mode(SamplingMode::Flat);
    let mut cases: Vec<(&str, Case<'_>)> = vec![
        (
            "build-300x17000",
            Box::new(|| {
                black_box(RoutingTable::build(&s.maps, s.nodes.clone(), &s.routing).unwrap());
            }),
        ),
        (
            "rebuild-one-isp-costs",
            Box::new(|| {
                black_box(RoutingTable::rebuild(&base, &s.maps, &one_isp, &s.routing).unwrap());
            }),
        ),
        (
            "rebuild-one-node-drained",
            Box::new(|| {
                let t = RoutingTable::rebuild(&base, &s.maps, &drained, &s.routing).unwrap();
                assert_eq!(t.reuse(), Reuse::Everything);
                black_box(t);
            }),
        ),
        (
            "baseline-read-cost-entries",
            Box::new(|| {
                let mut sum = 0.0;
                for (_, row) in s.maps.cost_map.cost_map.rows() {
                    for (dst, cost) in row.iter() {
                        sum += cost.0 + dst.len() as f64;
                    }
                }
                black_box(sum);
            }),
        ),
    ];
    let mut medians = Vec::new();
    for (name, run) in &mut cases {
        let mut times = Vec::new();
        g.bench_function(*name, |b| {
            b.iter_custom(|n| {
                (0..n)
                    .map(|_| {
                        let started = Instant::now();
                        run();
                        let took = started.elapsed();
                        times.push(took);
                        took
                    })
                    .sum()
            })
        });
        medians.push(super::median(&mut times));
    }
    g.finish();
    TableFigures {
        build: medians[0],
        one_isp: medians[1],
        ranked_again,
        drained: medians[2],
        floor: medians[3],
    }
}

/// The maps with every cost to the first ISP's PIDs (names `<isp>:...`)
/// one higher; that ISP's name.
fn one_isp_changed(maps: &PeerMaps) -> (PeerMaps, String) {
    let table = &maps.cost_map.cost_map;
    let names = table.names();
    let isp = (names.iter())
        .find_map(|n| n.split_once(':').map(|(isp, _)| isp.to_owned()))
        .expect("an ISP PID");
    let prefix = format!("{isp}:");
    let mut costs: Vec<f64> = table.costs().collect();
    let mut at = 0;
    // In the order of `costs()`: block after block, row after row.
    for block in table.blocks() {
        for &d in (0..table.row_count()).flat_map(|r| block.row(r).0) {
            if names[d as usize].starts_with(&prefix) {
                costs[at] += 1.0;
            }
            at += 1;
        }
    }
    let mut changed = maps.clone();
    changed.cost_map.cost_map = table.with_costs(costs).unwrap();
    (changed, isp)
}

/// The maps with the first node drained (`.priv:drained` on its address).
fn node_drained(s: &RouteScenario) -> PeerMaps {
    let mut changed = s.maps.clone();
    let props = changed.property_map.as_mut().expect("a property map");
    let entity = format!("ipv4:{}", s.nodes[0].addresses[0]);
    let status: Properties =
        serde_json::from_value(serde_json::json!({".priv:health": "up", ".priv:drained": true}))
            .unwrap();
    props.property_map.insert(entity, status);
    changed
}
