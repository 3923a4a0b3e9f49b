//! An independent oracle for `altofed compute`: reads a scenario's files
//! and computes the documents altofed must write, by brute force and
//! without altofed-core's border, composition or output code (only its
//! CDN topology parser is used). See design.md §1–§2 for the rules.

mod borders;
pub mod compare;
mod compose;
pub mod input;
mod netmap;
mod paths;
mod reverse;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use ipnet::IpNet;
use serde_json::Value;

pub use borders::{longest_match, Link};
pub use compose::{Decision, Exit};
pub use netmap::{GivenUp, Origin};
pub use paths::floyd_warshall;

/// What `altofed compute --config <config>` must publish, and how the
/// oracle got there (so a test can check the scenario exercises things).
#[derive(Debug)]
pub struct Expected {
    pub network_map: BTreeMap<String, BTreeSet<IpNet>>,
    pub origin: BTreeMap<String, Origin>,
    /// (source, destination) -> cost: CDN PID -> published PID rows, and
    /// published PID -> CDN PID rows, as `output.direction` says.
    pub costs: BTreeMap<(String, String), f64>,
    /// Single-path exits (empty in multipath mode).
    pub exits: Vec<Exit>,
    pub given_up: Vec<GivenUp>,
    /// Pairs with no composed value that got `output.default-cost`.
    pub defaulted: usize,
    /// Pairs with no composed value that are left out.
    pub omitted: usize,
    /// The links of each peer with their ISP border PIDs.
    pub links: Vec<Vec<Link>>,
    /// Every non-catch-all prefix of every peer's non-border PIDs.
    pub subscriber_prefixes: Vec<IpNet>,
    pub netmap_id: String,
    pub peer_names: Vec<String>,
}

/// Computes the expected output for a configuration file.
pub fn expected(config_path: &Path) -> Expected {
    let scenario = input::load(config_path);
    let config = &scenario.config;
    let single = match config.output.mode.as_str() {
        "multipath" => false,
        "single-path" => true,
        other => panic!("unknown output.mode `{other}`"),
    };
    let (forward, backward) = match config.output.direction.as_str() {
        "cdn-to-subscriber" => (true, false),
        "subscriber-to-cdn" => (false, true),
        "both" => (true, true),
        other => panic!("unknown output.direction `{other}`"),
    };
    let c = paths::cdn_costs(&scenario.cdn);
    let c_rev = paths::cdn_costs_from_borders(&scenario.cdn);
    let cdn_pids: Vec<String> = scenario.cdn.pids.iter().map(|p| p.name.clone()).collect();
    let (mut links, mut subscribers, mut composed, mut reversed, mut exits) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (peer, maps) in config.peers.iter().zip(&scenario.peers) {
        let peer_links = borders::resolve(peer, maps, &scenario.cdn);
        let subs: Vec<String> = maps
            .network_map
            .keys()
            .filter(|pid| !peer_links.iter().any(|l| &l.isp_pid == *pid))
            .cloned()
            .collect();
        let inputs = (peer, maps, &peer_links[..]);
        let (values, peer_exits) = compose::compose(single, &c, &cdn_pids, inputs, &subs);
        reversed.push(reverse::compose(
            single,
            &c_rev,
            cdn_pids.len(),
            inputs,
            &subs,
        ));
        links.push(peer_links);
        subscribers.push(subs);
        composed.push(values);
        if forward {
            exits.extend(peer_exits);
        }
    }
    let merged = netmap::merge(&scenario, &subscribers);
    let catch_all_source = config.output.catch_all_costs_from.as_ref().map(|name| {
        let p = config
            .peers
            .iter()
            .position(|peer| &peer.name == name)
            .unwrap_or_else(|| panic!("no peer {name}"));
        let map = &scenario.peers[p].network_map;
        let holds = |v4: bool| {
            map.iter().find(|(_, g)| {
                g.iter()
                    .any(|n| n.prefix_len() == 0 && n.addr().is_ipv4() == v4)
            })
        };
        let pid = holds(true)
            .or_else(|| holds(false))
            .map(|(pid, _)| pid.clone())
            .unwrap_or_default();
        (p, pid)
    });
    let mut expected = Expected {
        network_map: merged.map,
        origin: merged.origin,
        costs: BTreeMap::new(),
        exits,
        given_up: merged.given_up,
        defaulted: 0,
        omitted: 0,
        links,
        subscriber_prefixes: Vec::new(),
        netmap_id: format!("{}-netmap", config.output.resource_prefix),
        peer_names: config.peers.iter().map(|p| p.name.clone()).collect(),
    };
    for (maps, subs) in scenario.peers.iter().zip(&subscribers) {
        let prefixes = subs
            .iter()
            .flat_map(|s| maps.network_map[s].iter().filter(|n| n.prefix_len() > 0));
        expected.subscriber_prefixes.extend(prefixes);
    }
    let default = config.output.default_cost;
    for (p, cdn_pid) in cdn_pids.iter().enumerate() {
        for (published, origin) in expected.origin.clone() {
            let source = match origin {
                Origin::Cdn => continue,
                Origin::CatchAll => catch_all_source.clone(),
                Origin::Subscriber { peer, pid } => Some((peer, pid)),
            };
            if forward {
                let value = source
                    .clone()
                    .and_then(|(peer, pid)| composed[peer].get(&(p, pid)).copied());
                expected.publish((cdn_pid.clone(), published.clone()), value, default);
            }
            if backward {
                let value = source.and_then(|(peer, pid)| reversed[peer].get(&(pid, p)).copied());
                expected.publish((published, cdn_pid.clone()), value, default);
            }
        }
    }
    expected
}

impl Expected {
    /// One pair: its composed value, else `default`, else left out.
    fn publish(&mut self, pair: (String, String), value: Option<f64>, default: Option<f64>) {
        match (value, default) {
            (Some(v), _) => {
                self.costs.insert(pair, v);
            }
            (None, Some(d)) => {
                self.defaulted += 1;
                self.costs.insert(pair, d);
            }
            (None, None) => self.omitted += 1,
        }
    }
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Everything in which the output directory `out` differs from `expected`.
pub fn mismatches(expected: &Expected, out: &Path) -> Vec<String> {
    let netmap = read_json(&out.join("networkmap.json"));
    let costmap = read_json(&out.join("costmap.json"));
    let mut found = compare::network_map(&expected.network_map, &netmap);
    found.extend(compare::each_once(&expected.subscriber_prefixes, &netmap));
    found.extend(compare::costs(&expected.costs, &costmap));
    found.extend(compare::ordinal(
        &costmap,
        &read_json(&out.join("costmap-ordinal.json")),
    ));
    let origins: BTreeMap<String, BTreeMap<&str, String>> = expected
        .origin
        .iter()
        .map(|(pid, origin)| {
            let props = match origin {
                Origin::CatchAll => BTreeMap::from([(".priv:kind", "catch-all".to_owned())]),
                Origin::Cdn => BTreeMap::from([(".priv:kind", "cdn".to_owned())]),
                Origin::Subscriber { peer, pid } => BTreeMap::from([
                    (".priv:kind", "subscriber".to_owned()),
                    (".priv:origin-peer", expected.peer_names[*peer].clone()),
                    (".priv:origin-pid", pid.clone()),
                ]),
            };
            (pid.clone(), props)
        })
        .collect();
    found.extend(compare::properties(
        &origins,
        &expected.netmap_id,
        &read_json(&out.join("propmap.json")),
    ));
    found
}
