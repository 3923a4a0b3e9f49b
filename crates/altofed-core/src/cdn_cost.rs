//! C_cdn: the cost from every CDN PID to every CDN border router (design
//! §1). C_cdn(P, r) is the minimum over P's attachment routers of the
//! shortest-path distance to r.
//!
//! One single-source Dijkstra per border router on the *reversed* graph
//! gives dist(x -> r) for every router x at once; there are usually far
//! fewer border routers than PIDs × attachments. Border routers are
//! independent, so they run in parallel with rayon.

use petgraph::algo::dijkstra;
use petgraph::graph::NodeIndex;
use petgraph::visit::{EdgeRef, Reversed};
use rayon::prelude::*;

use crate::topology::{CdnNetwork, TopologyWarning};

/// The C_cdn matrix, row-major: one row per CDN PID (in `CdnNetwork::pids`
/// order), one column per border router (in `CdnNetwork::borders` order).
/// `f64::INFINITY` where there is no path.
#[derive(Debug, Clone, PartialEq)]
pub struct CdnCosts {
    pids: usize,
    borders: usize,
    data: Vec<f64>,
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
        }
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
    let columns: Vec<Vec<f64>> = net
        .borders
        .par_iter()
        .map(|b| column(net, b.router))
        .collect();
    let (pids, borders) = (net.pids.len(), net.borders.len());
    let data: Vec<f64> = (0..pids * borders)
        .map(|i| columns[i % borders][i / borders])
        .collect();
    let costs = CdnCosts {
        pids,
        borders,
        data,
    };
    let warnings = no_path_warnings(net, &costs);
    (costs, warnings)
}

/// C_cdn(P, r) for every PID P and one border router r.
fn column(net: &CdnNetwork, border: NodeIndex) -> Vec<f64> {
    let graph = &net.topology.graph;
    let dist = dijkstra(Reversed(graph), border, None, |e| *e.weight());
    net.pids
        .iter()
        .map(|pid| {
            pid.attachments
                .iter()
                .filter_map(|a| dist.get(a).copied())
                .fold(f64::INFINITY, f64::min)
        })
        .collect()
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
