//! ISP-side maps at production scale, deterministic from a seed.
//!
//! A large production ALTO server publishes a network map of over 250,000
//! prefixes in about 1,700 PIDs (~6 MB of JSON) and a cost map of about
//! 1.3 million PID pairs (~47 MB). This generator makes `isps` such ISPs:
//!
//! - the real BGP table (pyasn, RouteViews 2014-05-13; see [`prefixes`]) is
//!   split between the ISPs by origin AS, and each ISP's share is split
//!   into PIDs by origin AS again, so one AS's prefixes stay together, as
//!   with an ISP that groups customers; PID 0 also holds `0.0.0.0/0`
//!   (a network map covers every address, RFC 7285 §11.2.2);
//! - each PID sits at a PoP of a Rocketfuel backbone (see [`topology`]),
//!   with a seeded access latency; the cost between two PIDs is the
//!   shortest-path latency between their PoPs plus both access latencies;
//! - the cost map has a row for every PID and `destinations` columns
//!   (every PID for the rows of [`IspPlan::full_rows`]);
//! - both are written in RFC 7285 wire format (see [`json`]) with quirks a
//!   liberal reader must take: unknown members, a few costs as strings and
//!   as `null`, empty and unknown address types, bare host addresses.

pub mod json;
pub mod prefixes;
pub mod topology;

use ipnet::Ipv4Net;

use crate::rng::{mix, SplitMix64};
use prefixes::{prefix_table, Route};
use topology::{pop_graph, PopGraph, ROCKETFUEL_ASES};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct ScenarioConfig {
    pub seed: u64,
    pub isps: usize,
    /// PIDs per ISP.
    pub pids: usize,
    /// Destination PIDs of each cost map row.
    pub destinations: usize,
}

impl ScenarioConfig {
    /// Two ISPs of ~256k prefixes each; 1,700 x 765 = 1.3M pairs.
    pub const PRODUCTION: Self = Self {
        seed: 7285,
        isps: 2,
        pids: 1700,
        destinations: 765,
    };
}

/// One ISP's documents, as JSON text.
#[derive(Debug, Clone)]
pub struct IspMaps {
    /// `isp0`, `isp1`, ...
    pub name: String,
    /// The Rocketfuel backbone its PoPs come from.
    pub backbone_as: u32,
    pub network_map: String,
    pub cost_map: String,
    pub prefixes: usize,
    pub pids: usize,
    /// Pairs written with a cost (`null` ones included).
    pub pairs: usize,
}

/// The ISPs of `config`.
pub fn generate(config: &ScenarioConfig) -> Vec<IspMaps> {
    let table = prefix_table(config.seed);
    (0..config.isps)
        .map(|i| plan(config, i, &table).write())
        .collect()
}

/// One PID of an ISP.
#[derive(Debug, Clone)]
pub struct Pid {
    pub name: String,
    pub pop: usize,
    /// Access latency in hundredths of ms.
    pub access: u64,
    pub prefixes: Vec<Ipv4Net>,
}

/// Everything about one ISP before it is written out.
#[derive(Debug, Clone)]
pub struct IspPlan {
    pub index: usize,
    pub seed: u64,
    pub backbone_as: u32,
    /// Sorted by name, the order of the documents.
    pub pids: Vec<Pid>,
    /// Destination columns (indices into `pids`), ascending.
    pub destinations: Vec<usize>,
    /// Rows (indices into `pids`) written with every PID as destination
    /// instead of `destinations`: border PIDs, whose rows composition reads
    /// in full (the end-to-end scenario sets them; empty otherwise).
    pub full_rows: Vec<usize>,
    pub pops: PopGraph,
    /// Costs written as whole milliseconds (`57`) instead of hundredths
    /// (`57.31`): the compact JSON of an ISP that publishes integers.
    pub whole_ms: bool,
}

impl IspPlan {
    fn write(&self) -> IspMaps {
        IspMaps {
            name: format!("isp{}", self.index),
            backbone_as: self.backbone_as,
            network_map: json::network_map(self),
            cost_map: json::cost_map(self),
            prefixes: self.pids.iter().map(|p| p.prefixes.len()).sum(),
            pids: self.pids.len(),
            pairs: self.pairs(),
        }
    }

    /// The destination columns of row `s`.
    pub fn row_destinations(&self, s: usize) -> Vec<usize> {
        if self.full_rows.contains(&s) {
            (0..self.pids.len()).collect()
        } else {
            self.destinations.clone()
        }
    }

    /// Pairs written with a cost (`null` ones included).
    pub fn pairs(&self) -> usize {
        let full = self.full_rows.len();
        (self.pids.len() - full) * self.destinations.len() + full * self.pids.len()
    }

    /// Cost from PID `s` to PID `d` in hundredths of ms.
    pub fn cost(&self, s: usize, d: usize) -> u64 {
        let (s, d) = (&self.pids[s], &self.pids[d]);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let backbone = (self.pops.latency[s.pop][d.pop] * 100.0).round() as u64;
        backbone + s.access + d.access
    }
}

/// Splits ISP `i`'s share of `table` into PIDs.
pub fn plan(config: &ScenarioConfig, i: usize, table: &[Route]) -> IspPlan {
    let seed = mix(config.seed ^ ((i as u64) << 32));
    let backbone_as = ROCKETFUEL_ASES[i % ROCKETFUEL_ASES.len()];
    let pops = pop_graph(backbone_as, seed);
    let (isps, n) = (config.isps as u64, config.pids as u64);
    let mut groups = vec![Vec::new(); config.pids];
    groups[0].push(Ipv4Net::default()); // 0.0.0.0/0
    for route in table {
        let h = mix(u64::from(route.origin) ^ config.seed);
        if h % isps == i as u64 {
            #[allow(clippy::cast_possible_truncation)] // < config.pids
            groups[((h / isps) % n) as usize].push(route.prefix);
        }
    }
    let mut rng = SplitMix64::new(seed);
    let mut pids: Vec<Pid> = groups
        .into_iter()
        .enumerate()
        .map(|(p, prefixes)| {
            let pop = p % pops.locations.len();
            Pid {
                name: format!("pid-{}-agg-{p:04}", pops.locations[pop]),
                pop,
                access: 10 + rng.below_u64(390),
                prefixes,
            }
        })
        .collect();
    pids.sort_by(|a, b| a.name.cmp(&b.name));
    let destinations = choose(&mut rng, pids.len(), config.destinations);
    IspPlan {
        whole_ms: false,
        index: i,
        seed,
        backbone_as,
        pids,
        destinations,
        full_rows: Vec::new(),
        pops,
    }
}

/// `k` of `0..n`, ascending (partial Fisher-Yates).
fn choose(rng: &mut SplitMix64, n: usize, k: usize) -> Vec<usize> {
    let mut all: Vec<usize> = (0..n).collect();
    let k = k.min(n);
    for j in 0..k {
        #[allow(clippy::cast_possible_truncation)]
        let pick = j + rng.below_u64((n - j) as u64) as usize;
        all.swap(j, pick);
    }
    all.truncate(k);
    all.sort_unstable();
    all
}
