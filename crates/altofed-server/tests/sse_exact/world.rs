//! A small aggregator's published world that changes step by step: CDN
//! sources, peer groups of PIDs (one of them may be larger than a body
//! segment), non-integer costs of random magnitude, a property map with
//! float loads and `null`s, and the [`Documents`] a server publishes.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use altofed_model::{
    Block, Cost, CostMapMeta, CostMode, CostTable, CostTableDoc, CostType, EndpointAddrGroup,
    NetworkMapDoc, PropertyMapDoc, PropertyRows, VersionTag,
};
use altofed_server::Documents;
use ipnet::Ipv4Net;
use serde_json::Value;

pub const NET: &str = "agg-netmap";
pub const NUM: &str = "agg-routingcost-num";
pub const PROPS: &str = "agg-propmap";

/// splitmix64: the test's own deterministic randomness per step.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// `unit * 10^k`, k in -3..=6, the unit in [0, 1) with all 53 bits;
    /// one in eight integral.
    pub fn cost(&mut self) -> f64 {
        if self.below(8) == 0 {
            return self.below(1000) as f64;
        }
        let unit = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        let k = self.below(10) as i32 - 3;
        unit * 10f64.powi(k)
    }
}

/// The kinds of change a step makes.
#[derive(Debug, Clone, Copy)]
pub enum Step {
    /// Some costs towards one peer's PIDs change, in some rows.
    PeerCosts(u64),
    /// A peer gains a PID (in every row or some).
    AddPid(u64),
    /// A peer loses a PID.
    RemovePid(u64),
    AddSource(u64),
    RemoveSource(u64),
    /// A PID gets another prefix (network map only).
    MovePid(u64),
    /// Loads change, some set to `null`, some properties dropped.
    Properties(u64),
    /// The same documents again.
    Same,
}

#[derive(Debug, Clone)]
pub struct World {
    /// Source -> destination -> cost.
    pub rows: BTreeMap<String, BTreeMap<String, f64>>,
    /// Peer group name -> its PIDs.
    pub peers: BTreeMap<String, Vec<String>>,
    pub prefixes: BTreeMap<String, Ipv4Net>,
    pub props: PropertyRows,
    /// Whether the cost map also holds each peer PID's row to the CDN
    /// sources (`output.direction = "both"`): many rows of few entries,
    /// which every step that touches a peer PID or a source changes.
    pub reverse: bool,
    next_prefix: u32,
    next_name: u32,
    version: u64,
}

impl World {
    /// `sources` CDN rows; peers of the given sizes.
    pub fn new(seed: u64, sources: usize, sizes: &[usize]) -> Self {
        let mut rng = Rng::new(seed);
        let mut world = World {
            rows: BTreeMap::new(),
            peers: BTreeMap::new(),
            prefixes: BTreeMap::new(),
            props: BTreeMap::new(),
            reverse: false,
            next_prefix: 0,
            next_name: 0,
            version: 0,
        };
        for (g, &size) in sizes.iter().enumerate() {
            let pids = (0..size)
                .map(|_| world.fresh_pid(&format!("p{g}")))
                .collect();
            world.peers.insert(format!("p{g}"), pids);
        }
        for _ in 0..sources {
            world.add_source(&mut rng);
        }
        world
    }

    pub fn apply(&mut self, step: Step) {
        let seed = match step {
            Step::Same => return,
            Step::PeerCosts(s)
            | Step::AddPid(s)
            | Step::RemovePid(s)
            | Step::AddSource(s)
            | Step::RemoveSource(s)
            | Step::MovePid(s)
            | Step::Properties(s) => s,
        };
        let mut rng = Rng::new(seed);
        self.version += 1;
        match step {
            Step::PeerCosts(_) => self.peer_costs(&mut rng),
            Step::AddPid(_) => self.add_pid(&mut rng),
            Step::RemovePid(_) => self.remove_pid(&mut rng),
            Step::AddSource(_) => self.add_source(&mut rng),
            Step::RemoveSource(_) if self.rows.len() > 1 => {
                let victim = self.pick(self.rows.keys(), &mut rng);
                self.rows.remove(&victim);
            }
            Step::MovePid(_) => {
                let pid = self.pick(self.prefixes.keys(), &mut rng);
                let prefix = self.fresh_prefix();
                self.prefixes.insert(pid, prefix);
            }
            Step::Properties(_) => self.properties(&mut rng),
            Step::RemoveSource(_) | Step::Same => {}
        }
    }

    fn pick<'a>(
        &self,
        mut keys: impl ExactSizeIterator<Item = &'a String>,
        rng: &mut Rng,
    ) -> String {
        let n = keys.len() as u64;
        keys.nth(rng.below(n) as usize).cloned().unwrap_or_default()
    }

    fn peer_costs(&mut self, rng: &mut Rng) {
        let group = self.pick(self.peers.keys(), rng);
        let share = 1 + rng.below(4); // a quarter to all of the entries
        for row in self.rows.values_mut() {
            if rng.below(3) == 0 {
                continue; // this row keeps its costs
            }
            for pid in &self.peers[&group] {
                if let Some(cost) = row.get_mut(pid) {
                    if rng.below(4) < share {
                        *cost = rng.cost();
                    }
                }
            }
        }
    }

    fn add_pid(&mut self, rng: &mut Rng) {
        let group = self.pick(self.peers.keys(), rng);
        let pid = self.fresh_pid(&group);
        for row in self.rows.values_mut() {
            if rng.below(5) > 0 {
                row.insert(pid.clone(), rng.cost());
            }
        }
        if let Some(pids) = self.peers.get_mut(&group) {
            pids.push(pid);
        }
    }

    fn remove_pid(&mut self, rng: &mut Rng) {
        let group = self.pick(self.peers.keys(), rng);
        let Some(pids) = self.peers.get_mut(&group) else {
            return;
        };
        if pids.len() < 2 {
            return;
        }
        let pid = pids.remove(rng.below(pids.len() as u64) as usize);
        for row in self.rows.values_mut() {
            row.remove(&pid);
        }
        self.prefixes.remove(&pid);
        self.props.remove(&entity(&pid));
    }

    fn add_source(&mut self, rng: &mut Rng) {
        let src = self.fresh_pid("cdn");
        let mut row = BTreeMap::new();
        for pid in self.peers.values().flatten() {
            row.insert(pid.clone(), rng.cost());
        }
        self.rows.insert(src, row);
    }

    fn properties(&mut self, rng: &mut Rng) {
        for pid in self.prefixes.keys() {
            let props = self.props.entry(entity(pid)).or_default();
            match rng.below(6) {
                0 => {
                    props.insert(".priv:load".into(), Value::Null);
                }
                1 => {
                    props.remove(".priv:load");
                }
                2 | 3 => {
                    props.insert(".priv:load".into(), Value::from(rng.cost()));
                }
                _ => {}
            }
            props.insert(
                ".priv:kind".into(),
                Value::from(format!("k{}", rng.below(3))),
            );
        }
    }

    fn fresh_pid(&mut self, group: &str) -> String {
        self.next_name += 1;
        let pid = format!("{group}:d{}", self.next_name);
        let prefix = self.fresh_prefix();
        self.prefixes.insert(pid.clone(), prefix);
        pid
    }

    /// A /24 of 10.0.0.0/8 not used before.
    fn fresh_prefix(&mut self) -> Ipv4Net {
        self.next_prefix += 1;
        let [_, a, b, _] = (self.next_prefix << 8).to_be_bytes();
        Ipv4Net::new(Ipv4Addr::new(10, a, b, 0), 24).unwrap_or_default()
    }

    /// What the server publishes for this world.
    pub fn documents(&self) -> Documents {
        let net_tag = VersionTag::new(NET, format!("n{}", self.version));
        let network_map = NetworkMapDoc {
            meta: altofed_model::NetworkMapMeta {
                vtag: net_tag.clone(),
            },
            network_map: self
                .prefixes
                .iter()
                .map(|(pid, p)| {
                    let group = EndpointAddrGroup {
                        ipv4: vec![*p],
                        ipv6: Vec::new(),
                    };
                    (pid.clone(), group)
                })
                .collect(),
        };
        let mut rows: altofed_model::CostRows = self
            .rows
            .iter()
            .map(|(s, r)| {
                let row = r.iter().map(|(d, c)| (d.clone(), Cost(*c))).collect();
                (s.clone(), row)
            })
            .collect();
        if self.reverse {
            // Half the forward cost: derived, yet not the same numbers.
            for (s, r) in &self.rows {
                for (d, c) in r {
                    let row = rows.entry(d.clone()).or_default();
                    row.insert(s.clone(), Cost(c * 0.5));
                }
            }
        }
        let cost_map = CostTableDoc {
            meta: CostMapMeta {
                dependent_vtags: vec![net_tag.clone()],
                cost_type: CostType::routingcost(CostMode::Numerical),
                vtag: Some(VersionTag::new(NUM, format!("c{}", self.version))),
            },
            cost_map: in_blocks(&CostTable::from(&rows)),
        };
        let mut props = PropertyMapDoc::default();
        props.meta.dependent_vtags = vec![net_tag];
        props.property_map = self.props.clone();
        Documents {
            network_map: network_map.into(),
            cost_maps: vec![(NUM.to_owned(), cost_map)],
            property_maps: vec![(PROPS.to_owned(), props)],
        }
    }
}

fn entity(pid: &str) -> String {
    format!("{NET}.pid:{pid}")
}

/// `table` cut into one block per group of names (`p0:`, `p1:`, ...), as a
/// published table is cut per peer, with the blocks' digests computed as a
/// publish's vtag computes them: rows then span blocks, and the body's reuse
/// test meets blocks of equal digest.
fn in_blocks(table: &CostTable) -> CostTable {
    let names = table.names();
    let group = |n: &str| n.split_once(':').map_or("", |(g, _)| g).to_owned();
    let mut spans: Vec<std::ops::Range<u32>> = Vec::new();
    for (n, i) in names.iter().zip(0u32..) {
        match spans.last_mut() {
            Some(s) if group(&names[s.start as usize]) == group(n) => s.end = i + 1,
            _ => spans.push(i..i + 1),
        }
    }
    let blocks = spans
        .into_iter()
        .map(|span| {
            let (mut starts, mut dsts, mut costs) = (vec![0], Vec::new(), Vec::new());
            for r in 0..table.row_count() {
                for (d, c) in table.row_segments(r) {
                    for (&d, &c) in d.iter().zip(c).filter(|(d, _)| span.contains(d)) {
                        dsts.push(d);
                        costs.push(c);
                    }
                }
                starts.push(dsts.len());
            }
            std::sync::Arc::new(Block::new(span, starts, dsts, costs).unwrap())
        })
        .collect();
    let blocked = CostTable::from_blocks(names.to_vec(), table.sources().to_vec(), blocks).unwrap();
    let _ = blocked.content_tag(b"");
    blocked
}
