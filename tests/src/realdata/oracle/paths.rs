//! C_cdn by brute force: Floyd–Warshall over every directed edge of the
//! CDN graph, then the minimum over each PID's attachment routers (from
//! them to a border router, or from a border router to them).

use altofed_core::topology::CdnNetwork;

/// All-pairs shortest distances; `f64::INFINITY` where there is no path.
/// Parallel edges are fine: the cheapest one wins the relaxation.
pub fn floyd_warshall(n: usize, edges: &[(usize, usize, f64)]) -> Vec<Vec<f64>> {
    let mut d = vec![vec![f64::INFINITY; n]; n];
    for (i, row) in d.iter_mut().enumerate() {
        row[i] = 0.0;
    }
    for &(a, b, w) in edges {
        d[a][b] = d[a][b].min(w);
    }
    for k in 0..n {
        let through_k = d[k].clone();
        for row in &mut d {
            let to_k = row[k];
            if !to_k.is_finite() {
                continue;
            }
            for (cell, from_k) in row.iter_mut().zip(&through_k) {
                if to_k + from_k < *cell {
                    *cell = to_k + from_k;
                }
            }
        }
    }
    d
}

/// All-pairs distances over the CDN graph's directed edges.
fn distances(cdn: &CdnNetwork) -> Vec<Vec<f64>> {
    let graph = &cdn.topology.graph;
    let edges: Vec<(usize, usize, f64)> = graph
        .raw_edges()
        .iter()
        .map(|e| (e.source().index(), e.target().index(), e.weight))
        .collect();
    floyd_warshall(graph.node_count(), &edges)
}

/// `c[b][p]` = C_cdn(border router b, CDN PID p): the minimum over p's
/// attachment routers of the distance from b to the router.
pub fn cdn_costs_from_borders(cdn: &CdnNetwork) -> Vec<Vec<f64>> {
    let d = distances(cdn);
    cdn.borders
        .iter()
        .map(|b| {
            cdn.pids
                .iter()
                .map(|pid| {
                    pid.attachments
                        .iter()
                        .map(|a| d[b.router.index()][a.index()])
                        .fold(f64::INFINITY, f64::min)
                })
                .collect()
        })
        .collect()
}

/// `c[p][b]` = C_cdn(CDN PID p, border router b), in the network's order.
pub fn cdn_costs(cdn: &CdnNetwork) -> Vec<Vec<f64>> {
    let d = distances(cdn);
    cdn.pids
        .iter()
        .map(|pid| {
            cdn.borders
                .iter()
                .map(|b| {
                    pid.attachments
                        .iter()
                        .map(|a| d[a.index()][b.router.index()])
                        .fold(f64::INFINITY, f64::min)
                })
                .collect()
        })
        .collect()
}
