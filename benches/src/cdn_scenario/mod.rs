//! CDN-side scenarios for the C_cdn benchmark (issue #6): a
//! [`CdnNetwork`] on a real or synthetic router graph, with CDN PIDs and
//! border routers placed deterministically from a seed.
//!
//! Real graphs are read from the shared data set next to the workspace
//! (`../shared/data/topologies`, see its README): Topology Zoo `Kdl`
//! (754 routers), CAIDA `7018` (594 PoPs) and Rocketfuel AS1239 (315
//! routers). None is copied into the repository (CAIDA data may not be
//! redistributed), so a fresh clone has only the synthetic 100,000-router
//! graph; [`real_scenarios`] reports which inputs it skipped.

pub mod caida;
pub mod synthetic;

use std::path::{Path, PathBuf};

use altofed_core::topology::{
    parse_graphml, parse_rocketfuel, BorderRouter, CdnNetwork, CdnPid, GraphmlWeight, Topology,
};
use petgraph::graph::NodeIndex;

use crate::rng::SplitMix64;

/// CDN PIDs per scenario: a large CDN's cache sites.
pub const PIDS: usize = 300;
/// Border routers per scenario: where peering links land.
pub const BORDERS: usize = 32;
/// Routers of the synthetic graph.
pub const SYNTHETIC_ROUTERS: usize = 100_000;
/// Seed of every placement and of the synthetic graph.
pub const SEED: u64 = 6;

/// A named CDN network ready for `cdn_costs`.
#[derive(Debug)]
pub struct Scenario {
    pub name: String,
    pub net: CdnNetwork,
}

/// `../shared/data/topologies` beside the workspace root.
pub fn shared_topologies() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/topologies")
}

/// How a real graph file is read.
#[derive(Debug, Clone, Copy)]
enum Format {
    /// Topology Zoo GraphML with great-circle km as cost.
    ZooDistance,
    /// Rocketfuel `weights.intra` (inferred IGP weights).
    Rocketfuel,
    /// topohub node-link JSON with km as cost.
    NodeLink,
}

/// The real inputs, largest first: (scenario name, path under
/// [`shared_topologies`], format).
const REAL: [(&str, &str, Format); 3] = [
    ("zoo-kdl", "zoo/Kdl.graphml", Format::ZooDistance),
    ("caida-7018", "caida/7018.json", Format::NodeLink),
    (
        "rocketfuel-1239",
        "rocketfuel/1239.weights.intra",
        Format::Rocketfuel,
    ),
];

/// The real scenarios whose files are present, and one note per input
/// that is absent or does not parse (for the bench to print).
pub fn real_scenarios(pids: usize, borders: usize) -> (Vec<Scenario>, Vec<String>) {
    let root = shared_topologies();
    let (mut found, mut skipped) = (Vec::new(), Vec::new());
    for (name, file, format) in REAL {
        let path = root.join(file);
        let Ok(text) = std::fs::read_to_string(&path) else {
            skipped.push(format!("{name}: {} not found, skipped", path.display()));
            continue;
        };
        match parse(&text, format) {
            Ok(topology) => found.push(Scenario {
                name: name.to_owned(),
                net: place(topology, pids, borders, SEED),
            }),
            Err(e) => skipped.push(format!("{name}: {}: {e}, skipped", path.display())),
        }
    }
    (found, skipped)
}

/// The synthetic ring-with-chords scenario with `routers` routers.
pub fn synthetic_scenario(routers: usize, pids: usize, borders: usize) -> Scenario {
    Scenario {
        name: format!("synthetic-{}k", routers / 1000),
        net: place(
            synthetic::ring_with_chords(routers, SEED),
            pids,
            borders,
            SEED,
        ),
    }
}

fn parse(text: &str, format: Format) -> Result<Topology, String> {
    match format {
        Format::ZooDistance => parse_graphml(text, GraphmlWeight::Distance)
            .map(|(topology, _warnings)| topology)
            .map_err(|e| e.to_string()),
        Format::Rocketfuel => parse_rocketfuel(text).map_err(|e| e.to_string()),
        Format::NodeLink => caida::parse_node_link(text),
    }
}

/// Puts `borders` border routers on distinct random routers and `pids`
/// CDN PIDs on one or two random routers each (a site dual-homed to two
/// routers is common). PID placement may share routers with borders and
/// with other PIDs, as in real networks.
pub fn place(topology: Topology, pids: usize, borders: usize, seed: u64) -> CdnNetwork {
    let n = topology.node_count();
    assert!(n > 0 && borders <= n, "need at least {borders} routers");
    let mut rng = SplitMix64::new(seed);
    let border_routers = rng.permutation(n)[..borders]
        .iter()
        .map(|&r| BorderRouter {
            router: NodeIndex::new(r),
            name: topology.name(NodeIndex::new(r)).to_owned(),
            pid: None,
        })
        .collect();
    let cdn_pids = (0..pids)
        .map(|i| {
            let count = 1 + rng.below(2);
            let mut attachments: Vec<NodeIndex> =
                (0..count).map(|_| NodeIndex::new(rng.below(n))).collect();
            attachments.dedup();
            CdnPid {
                name: format!("pid{i}"),
                prefixes: Default::default(),
                attachments,
            }
        })
        .collect();
    CdnNetwork {
        topology,
        pids: cdn_pids,
        borders: border_routers,
    }
}
