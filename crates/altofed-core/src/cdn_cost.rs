//! C_cdn: the cost from every CDN PID to every CDN border router (design
//! §1). C_cdn(P, r) is the minimum over P's attachment routers of the
//! shortest-path distance to r.
//!
//! One single-source Dijkstra per border router on the *reversed* graph
//! gives dist(x -> r) for every router x at once; there are usually far
//! fewer border routers than PIDs × attachments. Border routers are
//! independent, so they run in parallel with rayon. The reversed graph is
//! flattened once into compressed sparse rows and each run uses a dense
//! distance array: petgraph's `dijkstra` keeps distances in a hash map,
//! which costs several times more per edge (docs/benchmarks.md).
//!
//! The reverse direction (subscriber to CDN, `output.direction`) needs
//! C_cdn(r, P) = min over P's attachments a of dist(r -> a): the same runs
//! on the graph as it is, only when the direction is published.

mod radix_heap;

use petgraph::graph::DiGraph;
use rayon::prelude::*;

use radix_heap::RadixHeap;

use crate::compose::Direction;
use crate::topology::{CdnNetwork, TopologyWarning};

/// The C_cdn matrix, row-major: one row per CDN PID (in `CdnNetwork::pids`
/// order), one column per border router (in `CdnNetwork::borders` order).
/// `f64::INFINITY` where there is no path.
#[derive(Debug, Clone, PartialEq)]
pub struct CdnCosts {
    pids: usize,
    borders: usize,
    data: Vec<f64>,
    /// C_cdn(r, P), one row per border router and one column per PID, when
    /// computed by [`cdn_costs_for`] for a direction that needs it.
    from_borders: Option<Box<CdnCosts>>,
}

impl CdnCosts {
    /// A matrix from row-major data, e.g. for tests of code that consumes
    /// C_cdn. Panics if `data.len() != pids * borders`.
    pub fn new(pids: usize, borders: usize, data: Vec<f64>) -> CdnCosts {
        assert_eq!(
            data.len(),
            pids * borders,
            "C_cdn data must be pids × borders"
        );
        CdnCosts {
            pids,
            borders,
            data,
            from_borders: None,
        }
    }

    /// C_cdn(r, P) as a (border routers x PIDs) matrix, if it was computed.
    pub fn from_borders(&self) -> Option<&CdnCosts> {
        self.from_borders.as_deref()
    }

    /// Number of rows (CDN PIDs).
    pub fn pids(&self) -> usize {
        self.pids
    }

    /// Number of columns (border routers).
    pub fn borders(&self) -> usize {
        self.borders
    }

    /// C_cdn(pid, border); panics if either index is out of range.
    pub fn get(&self, pid: usize, border: usize) -> f64 {
        assert!(border < self.borders, "border index {border} out of range");
        self.data[pid * self.borders + border]
    }

    /// All border costs of one PID.
    pub fn row(&self, pid: usize) -> &[f64] {
        &self.data[pid * self.borders..(pid + 1) * self.borders]
    }

    /// The whole matrix, row-major.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }
}

/// Computes C_cdn for the network, and one warning per (PID, border) pair
/// with no path: such a pair drops out of composition, which an operator
/// should know about.
pub fn cdn_costs(net: &CdnNetwork) -> (CdnCosts, Vec<TopologyWarning>) {
    let columns = per_border(net, &Csr::new(&net.topology.graph, true));
    let (pids, borders) = (net.pids.len(), net.borders.len());
    let data: Vec<f64> = (0..pids * borders)
        .map(|i| columns[i % borders][i / borders])
        .collect();
    let costs = CdnCosts::new(pids, borders, data);
    let warnings = no_path_warnings(net, &costs);
    (costs, warnings)
}

/// [`cdn_costs`], plus C_cdn(r, P) when `direction` publishes subscriber
/// to CDN costs (with a warning per (border, PID) pair without a path).
/// Without forward rows the forward matrix is not computed: it has no rows
/// (and no pair is reported for it).
pub fn cdn_costs_for(net: &CdnNetwork, direction: Direction) -> (CdnCosts, Vec<TopologyWarning>) {
    let (mut costs, mut warnings) = if direction.forward() {
        cdn_costs(net)
    } else {
        (CdnCosts::new(0, net.borders.len(), Vec::new()), Vec::new())
    };
    if direction.reverse() {
        let from_borders = costs_from_borders(net);
        warnings.extend(no_path_from_border_warnings(net, &from_borders));
        costs.from_borders = Some(Box::new(from_borders));
    }
    (costs, warnings)
}

/// C_cdn(r, P): one Dijkstra from each border router over the graph as it
/// is; one row per border router, one column per PID.
pub fn costs_from_borders(net: &CdnNetwork) -> CdnCosts {
    let rows = per_border(net, &Csr::new(&net.topology.graph, false));
    CdnCosts::new(net.borders.len(), net.pids.len(), rows.concat())
}

/// For each border router, the PID costs [`column`] derives from one
/// Dijkstra run from that router over `graph`; in parallel with rayon.
fn per_border(net: &CdnNetwork, graph: &Csr) -> Vec<Vec<f64>> {
    let nodes = net.topology.node_count();
    net.borders
        .par_iter()
        .map_init(
            || Dijkstra::new(nodes),
            |dijkstra, b| {
                dijkstra.run(graph, b.router.index());
                column(net, &dijkstra.dist)
            },
        )
        .collect()
}

/// For every PID P, the minimum of `dist` over P's attachments: C_cdn(P, r)
/// when `dist[x]` = dist(x -> r), C_cdn(r, P) when it is dist(r -> x).
fn column(net: &CdnNetwork, dist: &[f64]) -> Vec<f64> {
    net.pids
        .iter()
        .map(|pid| {
            pid.attachments
                .iter()
                .map(|a| dist[a.index()])
                .fold(f64::INFINITY, f64::min)
        })
        .collect()
}

/// The graph, with every edge turned around when `reversed`, as compressed
/// sparse rows: the edges out of `v` are
/// `targets/weights[offsets[v]..offsets[v + 1]]`. Built once per
/// computation and shared by all border routers; walking two flat arrays
/// is what makes each Dijkstra cheap, compared with petgraph's linked edge
/// lists behind `Reversed`.
#[derive(Debug)]
struct Csr {
    offsets: Vec<usize>,
    targets: Vec<u32>,
    weights: Vec<f64>,
}

impl Csr {
    fn new(graph: &DiGraph<String, f64>, reversed: bool) -> Self {
        // (from, to) of an edge as the runs walk it.
        let ends = |edge: &petgraph::graph::Edge<f64>| {
            let (s, t) = (edge.source().index(), edge.target().index());
            if reversed {
                (t, s)
            } else {
                (s, t)
            }
        };
        let mut offsets = vec![0usize; graph.node_count() + 1];
        for edge in graph.raw_edges() {
            offsets[ends(edge).0 + 1] += 1;
        }
        for v in 1..offsets.len() {
            offsets[v] += offsets[v - 1];
        }
        let mut next = offsets.clone();
        let mut targets = vec![0u32; graph.edge_count()];
        let mut weights = vec![0.0; graph.edge_count()];
        for edge in graph.raw_edges() {
            let (from, to) = ends(edge);
            let slot = &mut next[from];
            // petgraph's default index type is u32, so the cast is lossless.
            targets[*slot] = to as u32;
            weights[*slot] = edge.weight;
            *slot += 1;
        }
        Csr {
            offsets,
            targets,
            weights,
        }
    }

    fn edges(&self, v: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let range = self.offsets[v]..self.offsets[v + 1];
        let targets = self.targets[range.clone()].iter();
        targets
            .map(|t| *t as usize)
            .zip(self.weights[range].iter().copied())
    }
}

/// One thread's Dijkstra buffers, reused across the border routers that
/// thread handles.
#[derive(Debug)]
struct Dijkstra {
    dist: Vec<f64>,
    /// Min-queue of (distance bits, node). Distances are non-negative
    /// (edge costs are, and the source is +0.0), and for non-negative
    /// floats the order of the bit patterns is the numeric order; keys
    /// popped never decrease (d + w >= d), which a radix heap needs.
    heap: RadixHeap,
}

impl Dijkstra {
    fn new(nodes: usize) -> Self {
        Dijkstra {
            dist: vec![f64::INFINITY; nodes],
            heap: RadixHeap::new(),
        }
    }

    /// Fills `dist` with the distance from `source` to every node
    /// (`f64::INFINITY` if unreachable). Stale heap entries are skipped
    /// rather than decreased in place. The distances are the same floats
    /// petgraph's Dijkstra gives: each is the minimum of `dist[u] + w`
    /// over the in-edges of nodes settled first, whatever the tie order.
    fn run(&mut self, graph: &Csr, source: usize) {
        self.dist.fill(f64::INFINITY);
        self.heap.clear();
        self.dist[source] = 0.0;
        self.heap.push(0.0f64.to_bits(), source as u32);
        while let Some((bits, v)) = self.heap.pop() {
            let d = f64::from_bits(bits);
            let v = v as usize;
            if d > self.dist[v] {
                continue;
            }
            for (u, w) in graph.edges(v) {
                let candidate = d + w;
                if candidate < self.dist[u] {
                    self.dist[u] = candidate;
                    self.heap.push(candidate.to_bits(), u as u32);
                }
            }
        }
    }
}

/// One warning per (border router, PID) pair of C_cdn(r, P) without a path.
fn no_path_from_border_warnings(net: &CdnNetwork, costs: &CdnCosts) -> Vec<TopologyWarning> {
    let mut warnings = Vec::new();
    for (b, border) in net.borders.iter().enumerate() {
        for (p, pid) in net.pids.iter().enumerate() {
            if costs.get(b, p) == f64::INFINITY {
                warnings.push(TopologyWarning::NoPathFromBorder {
                    border: border.name.clone(),
                    pid: pid.name.clone(),
                });
            }
        }
    }
    warnings
}

fn no_path_warnings(net: &CdnNetwork, costs: &CdnCosts) -> Vec<TopologyWarning> {
    let mut warnings = Vec::new();
    for (p, pid) in net.pids.iter().enumerate() {
        for (b, border) in net.borders.iter().enumerate() {
            if costs.get(p, b) == f64::INFINITY {
                warnings.push(TopologyWarning::NoPath {
                    pid: pid.name.clone(),
                    border: border.name.clone(),
                });
            }
        }
    }
    warnings
}
