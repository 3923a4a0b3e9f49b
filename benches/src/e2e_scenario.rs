//! The end-to-end scenario of issue #6 (items 4 and 6), deterministic from
//! fixed seeds: a CDN of 300 PIDs and 32 border routers on the Rocketfuel
//! AS1239 backbone ([`cdn_scenario`]) peering with 10 ISPs of production
//! size ([`isp_scenario`]: 1,700 PIDs, a cost map of 1,700 x 765), so that
//! 300 x 10 x 1,700 = 5.1M pairs are published.
//!
//! What is added to the ISPs of [`isp_scenario`] so that every one of
//! their 1,700 PIDs is published with a cost from every CDN PID:
//!
//! - 4 to 8 border PIDs per ISP (`border-<location>-<k>`), each holding the
//!   /32 of the ISP router at the far end of one peering link, taken from
//!   100.64.0.0/10 (shared address space, RFC 6598, in no BGP table), so
//!   border PIDs are extra PIDs and all 1,700 others are subscribers;
//! - the border PIDs' cost map rows reach every PID
//!   ([`IspPlan::full_rows`]); other rows keep their 765 destinations;
//! - a PID whose origin ASes drew no prefix (about 6% of them once the
//!   table is split ten ways) gets one prefix of the largest PID, since the
//!   merge publishes no PID without a prefix.
//!
//! The maps are written as JSON and parsed back with the peers' real parser
//! (`altofed_peers::parse_document`); the text is dropped once parsed.

use std::fmt::Write;
use std::net::Ipv4Addr;
use std::ops::Range;
use std::sync::Arc;

use altofed_core::config::Config;
use altofed_core::peer::PeerMaps;
use altofed_core::topology::{parse_rocketfuel, BorderRouter, CdnNetwork};
use altofed_engine::{Engine, Trigger};
use altofed_model::{CostTableDoc, NetworkMapDoc};
use altofed_peers::{parse_document, PeerEvent};
use altofed_server::{AppState, ServerConfig, Snapshot};
use ipnet::Ipv4Net;
use serde::de::DeserializeOwned;
use tokio::runtime::Runtime;

use crate::cdn_scenario::{self, place, shared_topologies, synthetic};
use crate::isp_scenario::prefixes::{prefix_table, Route};
use crate::isp_scenario::{json, plan, IspPlan, Pid, ScenarioConfig};
use crate::rng::{mix, SplitMix64};

/// The ISPs: the real BGP table split ten ways, 1,700 PIDs each.
pub const ISPS: ScenarioConfig = ScenarioConfig {
    seed: 7285,
    isps: 10,
    pids: 1700,
    destinations: 765,
};
/// The ISP whose maps change in the incremental case.
pub const CHANGED_ISP: usize = 3;
/// Peering links per ISP.
const LINKS: Range<usize> = 4..9;
/// Seed of links and cost perturbation (the CDN and ISPs keep their own).
const SEED: u64 = 1239;

/// Everything the engine is given.
#[derive(Debug)]
pub struct E2eScenario {
    pub config: Config,
    pub cdn: CdnNetwork,
    /// Each ISP's maps as parsed, in `config.peers` order.
    pub peers: Vec<Arc<PeerMaps>>,
    /// ISP [`CHANGED_ISP`] again: same PIDs and prefixes, every cost changed
    /// (new access latencies), new vtags.
    pub changed: Arc<PeerMaps>,
    /// Bytes of JSON parsed for `peers` (network and cost maps).
    pub json_bytes: usize,
    /// Pairs in the ISPs' cost maps.
    pub isp_pairs: usize,
    /// Shared data that was missing and what stood in for it.
    pub notes: Vec<String>,
}

/// A peering link as written into the configuration.
#[derive(Debug, Clone)]
struct Link {
    router: String,
    address: Ipv4Addr,
    cost: u64,
}

/// How the scenario's costs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Costs {
    /// ISP costs in hundredths of ms, Rocketfuel's half-unit link weights:
    /// published costs like `41.37` (the default).
    Decimal,
    /// ISP costs in whole ms, CDN link weights rounded up: every published
    /// cost an integer, the compact JSON of issue #16's memory figures.
    Integer,
}

impl Costs {
    /// `E2E_COSTS=integer` selects [`Costs::Integer`]; anything else, or
    /// nothing, [`Costs::Decimal`].
    pub fn from_env() -> Self {
        match std::env::var("E2E_COSTS").as_deref() {
            Ok("integer") => Costs::Integer,
            _ => Costs::Decimal,
        }
    }
}

/// Builds the scenario; takes a few seconds (mostly writing and parsing
/// 10 x 52 MB of JSON).
pub fn build() -> E2eScenario {
    build_with(Costs::Decimal)
}

/// [`build`] with the costs written as `costs` says.
pub fn build_with(costs: Costs) -> E2eScenario {
    let mut notes = Vec::new();
    let mut cdn = cdn_network(&mut notes);
    if costs == Costs::Integer {
        cdn.topology
            .graph
            .edge_weights_mut()
            .for_each(|w| *w = w.ceil());
    }
    let table = prefix_table(ISPS.seed);
    let mut rng = SplitMix64::new(SEED);
    let (mut peers, mut all_links) = (Vec::new(), Vec::new());
    let (mut json_bytes, mut isp_pairs) = (0, 0);
    let mut changed = None;
    for i in 0..ISPS.isps {
        let (mut plan, links) = isp_plan(i, &table, &cdn.borders, &mut rng);
        plan.whole_ms = costs == Costs::Integer;
        let (maps, bytes) = parse_maps(&plan);
        json_bytes += bytes;
        isp_pairs += plan.pairs();
        if i == CHANGED_ISP {
            perturb(&mut plan, &mut rng);
            changed = Some(Arc::new(parse_maps(&plan).0));
        }
        peers.push(Arc::new(maps));
        all_links.push(links);
    }
    let config = Config::from_toml(&config_toml(&all_links))
        .unwrap_or_else(|e| panic!("the scenario's configuration: {e}"));
    E2eScenario {
        config,
        cdn,
        peers,
        changed: changed.unwrap_or_else(|| panic!("ISP {CHANGED_ISP} is not in the scenario")),
        json_bytes,
        isp_pairs,
        notes,
    }
}

/// The scenario before any map is written: configuration, CDN, and each
/// ISP's plan; [`isp_json`] writes one ISP's maps. For measuring what one
/// ISP's maps cost to hold (`peer_rss`), with nothing parsed before.
pub fn plans() -> (Config, CdnNetwork, Vec<IspPlan>) {
    let mut notes = Vec::new();
    let cdn = cdn_network(&mut notes);
    let table = prefix_table(ISPS.seed);
    let mut rng = SplitMix64::new(SEED);
    let (mut plans, mut all_links) = (Vec::new(), Vec::new());
    for i in 0..ISPS.isps {
        let (plan, links) = isp_plan(i, &table, &cdn.borders, &mut rng);
        plans.push(plan);
        all_links.push(links);
    }
    let config = Config::from_toml(&config_toml(&all_links))
        .unwrap_or_else(|e| panic!("the scenario's configuration: {e}"));
    (config, cdn, plans)
}

/// The network map and cost map JSON of one ISP of [`plans`].
pub fn isp_json(plan: &IspPlan) -> (String, String) {
    (json::network_map(plan), json::cost_map(plan))
}

/// Rocketfuel AS1239 with the placement of the C_cdn bench, or the
/// synthetic ring of the same size when `../shared` is absent. Each CDN PID
/// gets a /24 of 198.18.0.0/15 (benchmarking space, RFC 2544), as a cache
/// site has addresses of its own.
fn cdn_network(notes: &mut Vec<String>) -> CdnNetwork {
    let path = shared_topologies().join("rocketfuel/1239.weights.intra");
    let topology = std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|text| parse_rocketfuel(&text).map_err(|e| e.to_string()))
        .unwrap_or_else(|e| {
            notes.push(format!(
                "{}: {e}; using a synthetic ring of 315 routers",
                path.display()
            ));
            synthetic::ring_with_chords(315, cdn_scenario::SEED)
        });
    let mut cdn = place(
        topology,
        cdn_scenario::PIDS,
        cdn_scenario::BORDERS,
        cdn_scenario::SEED,
    );
    for (i, pid) in cdn.pids.iter_mut().enumerate() {
        let [hi, lo] = u16::try_from(i).unwrap_or(u16::MAX).to_be_bytes();
        let net = Ipv4Net::new(Ipv4Addr::new(198, 18 + hi, lo, 0), 24);
        pid.prefixes
            .ipv4
            .push(net.expect("a /24 is a valid prefix"));
    }
    cdn
}

/// ISP `i` of [`ISPS`] with its border PIDs and links (module docs).
fn isp_plan(
    i: usize,
    table: &[Route],
    borders: &[BorderRouter],
    rng: &mut SplitMix64,
) -> (IspPlan, Vec<Link>) {
    let mut plan = plan(&ISPS, i, table);
    fill_empty(&mut plan);
    let destinations: Vec<String> = plan
        .destinations
        .iter()
        .map(|&d| plan.pids[d].name.clone())
        .collect();
    let count = LINKS.start + rng.below(LINKS.len());
    let pops = rng.permutation(plan.pops.locations.len());
    let routers = rng.permutation(borders.len());
    let mut links = Vec::new();
    let mut border_names = Vec::new();
    for k in 0..count {
        let pop = pops[k % pops.len()];
        let third = u8::try_from(i).unwrap_or(u8::MAX);
        let address = Ipv4Addr::new(100, 64, third, u8::try_from(k + 1).unwrap_or(u8::MAX));
        let name = format!("border-{}-{k}", plan.pops.locations[pop]);
        plan.pids.push(Pid {
            name: name.clone(),
            pop,
            access: 1 + rng.below_u64(10),
            prefixes: vec![Ipv4Net::from(address)],
        });
        border_names.push(name);
        links.push(Link {
            router: borders[routers[k % routers.len()]].name.clone(),
            address,
            cost: 1 + rng.below_u64(20),
        });
    }
    // The PIDs must stay sorted by name (the documents' order), which moves
    // the indices that `destinations` and `full_rows` hold.
    plan.pids.sort_by(|a, b| a.name.cmp(&b.name));
    let index = |names: &[String]| -> Vec<usize> {
        let mut out: Vec<usize> = names
            .iter()
            .filter_map(|n| plan.pids.iter().position(|p| &p.name == n))
            .collect();
        out.sort_unstable();
        out
    };
    plan.destinations = index(&destinations);
    plan.full_rows = index(&border_names);
    (plan, links)
}

/// Moves one prefix of the largest PID into each PID that has none but
/// `0.0.0.0/0` (which the merge gives to the catch-all PID).
fn fill_empty(plan: &mut IspPlan) {
    let routable = |p: &Pid| p.prefixes.iter().any(|n| n.prefix_len() > 0);
    while let Some(empty) = plan.pids.iter().position(|p| !routable(p)) {
        let Some(donor) = (0..plan.pids.len()).max_by_key(|&d| plan.pids[d].prefixes.len()) else {
            return;
        };
        match plan.pids[donor].prefixes.pop() {
            Some(prefix) if prefix.prefix_len() > 0 => plan.pids[empty].prefixes.push(prefix),
            _ => return, // nothing left to share: too few prefixes for this many PIDs
        }
    }
}

/// Every access latency moved by 0.01 to 0.50 ms (1 to 50 ms with whole-ms
/// costs), and new vtags: the ISP republished its maps with every cost
/// changed.
fn perturb(plan: &mut IspPlan, rng: &mut SplitMix64) {
    // Whole ms when costs are written in whole ms, or most would not move.
    let unit = if plan.whole_ms { 100 } else { 1 };
    for pid in &mut plan.pids {
        pid.access += unit * (1 + rng.below_u64(50));
    }
    plan.seed = mix(plan.seed);
}

/// The ISP's documents written as JSON and parsed as a peer's are; the
/// bytes parsed.
fn parse_maps(plan: &IspPlan) -> (PeerMaps, usize) {
    let name = format!("isp{}", plan.index);
    let net_text = json::network_map(plan);
    let network_map: NetworkMapDoc = parse(&name, "network map", &net_text);
    let cost_text = json::cost_map(plan);
    let cost_map: CostTableDoc = parse(&name, "cost map", &cost_text);
    let maps = PeerMaps {
        network_map,
        cost_map,
        property_map: None,
    };
    if let Err(e) = maps.check(&name) {
        panic!("{e}");
    }
    (maps, net_text.len() + cost_text.len())
}

fn parse<T: DeserializeOwned>(isp: &str, what: &str, text: &str) -> T {
    parse_document(text.as_bytes())
        .unwrap_or_else(|(key, e)| panic!("{isp}: {what} at `{key}`: {e}"))
}

/// `altofed.toml` for the scenario. `cdn.topology` and `peer.dir` are
/// never read: the bench hands the engine the network and the maps.
fn config_toml(links: &[Vec<Link>]) -> String {
    let mut out = String::from("[cdn]\ntopology = \"cdn.toml\"\n");
    for (i, links) in links.iter().enumerate() {
        let _ = write!(
            out,
            "\n[[peer]]\nname = \"isp{i}\"\ndir = \"isp{i}\"\nborder-by = \"address\"\n"
        );
        for (k, link) in links.iter().enumerate() {
            // A JSON string literal is a TOML basic string for these names.
            let router = serde_json::to_string(&link.router).unwrap_or_default();
            let _ = write!(
                out,
                "\n[[peer.link]]\nname = \"l{k}\"\nrouter = {router}\naddress = \"{}\"\ncost = {}.0\n",
                link.address, link.cost
            );
        }
    }
    out
}

/// The service as the e2e benches run it: a runtime with two workers (the
/// machine's cores), a server state and an engine over `config` and `cdn`
/// publishing to it, not yet started (`Engine::run`).
pub fn engine(config: Config, cdn: CdnNetwork) -> std::io::Result<(Runtime, AppState, Engine)> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let state = AppState::new(ServerConfig::default());
    let engine = Engine::new(config, cdn, state.clone(), None);
    Ok((rt, state, engine))
}

/// The scenario's engine running with every ISP's maps published: the
/// snapshot holding them all is current in `snapshots`.
#[derive(Debug)]
pub struct Published {
    pub rt: Runtime,
    pub state: AppState,
    /// The engine's triggers (a change: `Trigger::Peer`).
    pub triggers: tokio::sync::mpsc::Sender<Trigger>,
    pub snapshots: tokio::sync::watch::Receiver<Option<Arc<Snapshot>>>,
}

/// Starts the engine over `s.config` and publishes every ISP's maps; returns
/// once they are all served. Panics if the engine cannot start or stops.
pub fn publish_all(s: &E2eScenario) -> Published {
    let (rt, state, engine) =
        engine(s.config.clone(), s.cdn.clone()).unwrap_or_else(|e| panic!("engine runtime: {e}"));
    let (triggers, rx) = tokio::sync::mpsc::channel(64);
    rt.spawn(engine.run(rx));
    let mut snapshots = state.subscribe();
    let want = 1 + s.cdn.pids.len() + s.peers.len() * ISPS.pids;
    rt.block_on(async {
        for (peer, maps) in s.peers.iter().enumerate() {
            let maps = maps.clone();
            let sent = triggers.send(Trigger::Peer(PeerEvent::Updated { peer, maps }));
            sent.await.unwrap_or_else(|_| panic!("engine stopped"));
        }
        let all = |s: &Option<Arc<Snapshot>>| {
            s.as_ref()
                .is_some_and(|s| s.network_map.network_map.len() >= want)
        };
        let published = snapshots.wait_for(all).await;
        published
            .map(|_| ())
            .unwrap_or_else(|e| panic!("engine stopped: {e}"));
    });
    Published {
        rt,
        state,
        triggers,
        snapshots,
    }
}

impl Published {
    /// Serves the state over HTTP (`altofed_server::run`) on 127.0.0.1:0,
    /// until the runtime is dropped; the base URL.
    pub fn serve(&self) -> String {
        let listener = (self.rt)
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let stop = std::future::pending::<()>();
        self.rt
            .spawn(altofed_server::run(listener, self.state.clone(), stop));
        format!("http://{addr}")
    }
}
