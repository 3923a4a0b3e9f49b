//! C_cdn against an independent oracle: Floyd–Warshall over random directed
//! and undirected graphs (≤ 30 routers, costs ≥ 0 including 0, parallel
//! edges, self-loops, often disconnected), random PIDs with 1–3
//! attachments and random border routers.
#![allow(clippy::unwrap_used)]

use altofed_core::cdn_cost::cdn_costs;
use altofed_core::topology::{BorderRouter, CdnNetwork, CdnPid, Topology, TopologyWarning};
use proptest::prelude::*;
use proptest::sample::subsequence;

#[derive(Debug, Clone)]
struct Case {
    n: usize,
    directed: bool,
    edges: Vec<(usize, usize, f64)>,
    pids: Vec<Vec<usize>>,
    borders: Vec<usize>,
}

fn cost() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        (0u32..20).prop_map(f64::from),
        0.0..1000.0f64,
        0.0..1e-3f64
    ]
}

fn case() -> impl Strategy<Value = Case> {
    (1usize..=30, any::<bool>()).prop_flat_map(|(n, directed)| {
        let edge = (0..n, 0..n, cost());
        let edges = prop::collection::vec(edge, 0..=n * 3);
        let pids = prop::collection::vec(prop::collection::vec(0..n, 1..=3), 1..=6);
        let borders = subsequence((0..n).collect::<Vec<_>>(), 1..=n.min(6)).prop_shuffle();
        (edges, pids, borders).prop_map(move |(edges, pids, borders)| Case {
            n,
            directed,
            edges,
            pids,
            borders,
        })
    })
}

/// The network, built straight from the graph API (parallel edges and
/// self-loops included, which the spec would reject).
fn network(case: &Case) -> CdnNetwork {
    let mut topology = Topology::default();
    let ix: Vec<_> = (0..case.n)
        .map(|i| topology.ensure_node(&format!("n{i}")))
        .collect();
    for &(a, b, c) in &case.edges {
        topology.graph.add_edge(ix[a], ix[b], c);
        if !case.directed {
            topology.graph.add_edge(ix[b], ix[a], c);
        }
    }
    let pids = case
        .pids
        .iter()
        .enumerate()
        .map(|(i, att)| CdnPid {
            name: format!("p{i}"),
            prefixes: Default::default(),
            attachments: att.iter().map(|a| ix[*a]).collect(),
        })
        .collect();
    let borders = case
        .borders
        .iter()
        .map(|b| BorderRouter {
            router: ix[*b],
            name: format!("n{b}"),
            pid: None,
        })
        .collect();
    CdnNetwork {
        topology,
        pids,
        borders,
    }
}

/// All-pairs shortest distances, `dist[from][to]`.
fn floyd_warshall(case: &Case) -> Vec<Vec<f64>> {
    let n = case.n;
    let mut d = vec![vec![f64::INFINITY; n]; n];
    for (i, row) in d.iter_mut().enumerate() {
        row[i] = 0.0;
    }
    for &(a, b, c) in &case.edges {
        d[a][b] = d[a][b].min(c);
        if !case.directed {
            d[b][a] = d[b][a].min(c);
        }
    }
    for k in 0..n {
        for i in 0..n {
            for j in 0..n {
                d[i][j] = d[i][j].min(d[i][k] + d[k][j]);
            }
        }
    }
    d
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn matches_floyd_warshall(case in case()) {
        let net = network(&case);
        let (costs, warnings) = cdn_costs(&net);
        let d = floyd_warshall(&case);
        prop_assert_eq!((costs.pids(), costs.borders()), (case.pids.len(), case.borders.len()));
        let mut expected_warnings = Vec::new();
        for (p, att) in case.pids.iter().enumerate() {
            for (b, &r) in case.borders.iter().enumerate() {
                let want = att.iter().map(|a| d[*a][r]).fold(f64::INFINITY, f64::min);
                let got = costs.get(p, b);
                prop_assert!(close(got, want), "pid {} border n{}: got {}, want {}", p, r, got, want);
                if want.is_infinite() {
                    expected_warnings.push(TopologyWarning::NoPath { pid: format!("p{p}"), border: format!("n{r}") });
                }
            }
        }
        prop_assert_eq!(warnings, expected_warnings);
    }
}
