//! The nodes answers name, and their status as the ALTO server's property
//! map says (set through the aggregator's admin API, so one `PUT
//! /admin/nodes/...` reaches every router, draft-penno-alto-cdn §4.1.3.2).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use altofed_model::PropertyMapDoc;
use serde_json::Value;

use crate::config::NodeConfig;
use crate::table::Ranked;

/// A node as answers use it.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub name: String,
    pub addresses: Vec<IpAddr>,
    pub v4: Vec<Ipv4Addr>,
    pub v6: Vec<Ipv6Addr>,
    /// What a redirect names: the hostname, else the first address (an
    /// IPv6 address in brackets, RFC 3986 §3.2.2).
    pub authority: String,
    pub weight: u32,
}

impl Node {
    pub fn from_config(config: &NodeConfig) -> Node {
        let first = config.addresses.first().copied();
        let authority = match (&config.hostname, first) {
            (Some(h), _) => h.clone(),
            (None, Some(IpAddr::V6(a))) => format!("[{a}]"),
            (None, Some(a)) => a.to_string(),
            (None, None) => String::new(),
        };
        Node {
            name: config.name.clone(),
            addresses: config.addresses.clone(),
            v4: config.addresses.iter().filter_map(as_v4).collect(),
            v6: config.addresses.iter().filter_map(as_v6).collect(),
            authority,
            weight: config.weight,
        }
    }
}

/// Each node's place in the tie rule (higher weight first, then name
/// ascending), so that ranking compares two numbers, not two names.
pub fn tie_ranks(nodes: &[Node]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    order.sort_by(|&a, &b| {
        let (na, nb) = (&nodes[a], &nodes[b]);
        nb.weight.cmp(&na.weight).then(na.name.cmp(&nb.name))
    });
    let mut rank = vec![0; nodes.len()];
    for (place, &n) in order.iter().enumerate() {
        rank[n] = place;
    }
    rank
}

/// The documented order: lower cost, then the tie rule (`tie`: each
/// node's rank by higher weight, then name). A node is at most once in a
/// ranking, so no two entries compare equal and an unstable sort is exact.
pub(crate) fn order(tie: &[usize], a: &Ranked, b: &Ranked) -> std::cmp::Ordering {
    let cost = |r: &Ranked| r.cost.unwrap_or(f64::INFINITY);
    cost(a)
        .total_cmp(&cost(b))
        .then(tie[a.node].cmp(&tie[b.node]))
}

fn as_v4(a: &IpAddr) -> Option<Ipv4Addr> {
    match a {
        IpAddr::V4(a) => Some(*a),
        IpAddr::V6(_) => None,
    }
}

fn as_v6(a: &IpAddr) -> Option<Ipv6Addr> {
    match a {
        IpAddr::V6(a) => Some(*a),
        IpAddr::V4(_) => None,
    }
}

/// A node's status as the property map says (RFC 9240 entities
/// `ipv4:<addr>` / `ipv6:<addr>`, set through the aggregator's admin API).
/// A node the map says nothing about is up, unloaded and not drained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodeStatus {
    pub up: bool,
    pub load: f64,
    pub drained: bool,
}

impl Default for NodeStatus {
    fn default() -> Self {
        Self {
            up: true,
            load: 0.0,
            drained: false,
        }
    }
}

impl NodeStatus {
    /// Up, not drained, and loaded below `max_load`.
    pub fn usable(&self, max_load: f64) -> bool {
        self.up && !self.drained && self.load < max_load
    }

    /// The status of the first of `addresses` that has one in `map`.
    pub fn read(map: Option<&PropertyMapDoc>, addresses: &[IpAddr]) -> NodeStatus {
        let Some(map) = map else {
            return NodeStatus::default();
        };
        let entity = |a: &IpAddr| match a {
            IpAddr::V4(a) => format!("ipv4:{a}"),
            IpAddr::V6(a) => format!("ipv6:{a}"),
        };
        let Some(props) = addresses
            .iter()
            .find_map(|a| map.property_map.get(&entity(a)))
        else {
            return NodeStatus::default();
        };
        // RFC 9240 names private properties `priv:...`; altofed's own
        // start with a dot (entity-less, §6.2). Both are read.
        let get = |name: &str| {
            props
                .get(&format!(".priv:{name}"))
                .or_else(|| props.get(&format!("priv:{name}")))
        };
        let mut status = NodeStatus::default();
        if let Some(Value::String(h)) = get("health") {
            status.up = h != "down";
        }
        if let Some(load) = get("load").and_then(Value::as_f64) {
            status.load = load;
        }
        if let Some(Value::Bool(d)) = get("drained") {
            status.drained = *d;
        }
        status
    }
}
