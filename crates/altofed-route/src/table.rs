//! The routing table (draft-penno-alto-cdn §4.1.1: "indexed by source PID
//! with values being the closest CDN nodes"): pure code, no IO, built from
//! the maps an ALTO client holds and swapped in whole, so answering a query
//! is a longest-prefix match and a slice, with no allocation and no lock.
//!
//! Ranking, for each subscriber PID (a PID of the network map that holds no
//! node): the usable nodes (see [`NodeStatus::usable`]) that have a cost,
//! lower cost first, then higher weight, then node name ascending. Costs
//! come from rows subscriber PID -> node PID when the cost map has them
//! (what an aggregator publishes with `output.direction = both` or
//! `subscriber-to-cdn`), else from rows node PID -> subscriber PID (its
//! default). Clients in no PID, in the catch-all PID (`.priv:kind =
//! "catch-all"`, or a PID holding `0.0.0.0/0` or `::/0`), or in a PID no
//! usable node has a cost to get the fallback ranking: the usable
//! `routing.fallback` nodes in configuration order.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use altofed_core::peer::PeerMaps;
use altofed_model::lookup::{LookupBuildError, PidLookup};
use altofed_model::PropertyMapDoc;
use thiserror::Error;

use crate::config::RoutingSection;
pub use crate::node::{Node, NodeStatus};

/// One node of a ranking; `cost` is `None` in the fallback ranking.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranked {
    /// Index into [`RoutingTable::nodes`].
    pub node: usize,
    pub cost: Option<f64>,
}

/// Maps that cannot be made a table.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TableError {
    #[error("network map: {0}")]
    Lookup(#[from] LookupBuildError),
}

/// What the table says for one client address.
#[derive(Debug, Clone, Copy)]
pub struct Route<'a> {
    /// Best first; empty when no node is usable at all.
    pub ranked: &'a [Ranked],
    /// The client's PID, if any.
    pub pid: Option<&'a str>,
    /// The length of the network map prefix that matched; `None` for no
    /// PID and for the catch-all (whose answer holds for no one prefix).
    pub prefix_len: Option<u8>,
    /// The fallback ranking was used.
    pub fallback: bool,
}

/// The table: PID ranking by client address.
#[derive(Debug)]
pub struct RoutingTable {
    nodes: Arc<[Node]>,
    lookup: PidLookup,
    /// Per PID (lookup index): its ranking in `ranked`, or `None` for the
    /// fallback (node PIDs, the catch-all, PIDs without ranked nodes).
    spans: Vec<Option<(usize, usize)>>,
    catch_all: Vec<bool>,
    ranked: Vec<Ranked>,
    fallback: Vec<Ranked>,
    status: Vec<NodeStatus>,
    node_pids: Vec<Option<String>>,
    reverse: bool,
    built: Instant,
}

impl RoutingTable {
    /// Builds the table from `maps` for `nodes` (a node's PID: the PID of
    /// its first address that is in one).
    pub fn build(
        maps: &PeerMaps,
        nodes: Arc<[Node]>,
        routing: &RoutingSection,
    ) -> Result<RoutingTable, TableError> {
        let netmap = &maps.network_map.network_map;
        let lookup = PidLookup::build(netmap)?;
        let props = maps.property_map.as_ref();
        let status: Vec<NodeStatus> = nodes
            .iter()
            .map(|n| NodeStatus::read(props, &n.addresses))
            .collect();
        let kind_prefix = format!("{}.pid:", maps.network_map.meta.vtag.resource_id);
        let catch_all: Vec<bool> = lookup
            .pids()
            .iter()
            .map(|pid| is_catch_all(pid, netmap.get(pid), props, &kind_prefix))
            .collect();
        // A node in the catch-all is in no PID of its own.
        let node_pids: Vec<Option<String>> = nodes
            .iter()
            .map(|n| {
                n.addresses
                    .iter()
                    .filter_map(|a| lookup.lookup_index(*a))
                    .find(|&i| !catch_all[i])
                    .map(|i| lookup.pids()[i].clone())
            })
            .collect();
        let is_node_pid: HashSet<&str> = node_pids.iter().flatten().map(String::as_str).collect();
        let costs = &maps.cost_map.cost_map;
        // Subscriber -> node PID rows, if the map has any.
        let reverse = costs.rows().any(|(src, row)| {
            !is_node_pid.contains(src) && row.iter().any(|(d, _)| is_node_pid.contains(d))
        });
        let usable: Vec<usize> = (0..nodes.len())
            .filter(|&n| status[n].usable(routing.max_load) && node_pids[n].is_some())
            .collect();
        // Subscriber PIDs by name: every PID but node PIDs and the catch-all.
        let subscribers: HashMap<&str, usize> = lookup
            .pids()
            .iter()
            .enumerate()
            .filter(|(i, pid)| !catch_all[*i] && !is_node_pid.contains(pid.as_str()))
            .map(|(i, pid)| (pid.as_str(), i))
            .collect();
        // One pass over the cost entries that matter, never a lookup per
        // (subscriber, node) pair: O(entries), not O(PIDs x nodes x log).
        let mut per_pid: Vec<Vec<Ranked>> = vec![Vec::new(); lookup.pids().len()];
        let ranked_at = |node: usize, cost: altofed_model::Cost| Ranked {
            node,
            cost: Some(cost.0),
        };
        if reverse {
            let mut by_pid: HashMap<&str, Vec<usize>> = HashMap::new();
            for &n in &usable {
                if let Some(pid) = node_pids[n].as_deref() {
                    by_pid.entry(pid).or_default().push(n);
                }
            }
            for (src, row) in costs.rows() {
                let Some(&i) = subscribers.get(src) else {
                    continue;
                };
                for (dst, cost) in row.iter() {
                    for &n in by_pid.get(dst).map_or(&[][..], Vec::as_slice) {
                        per_pid[i].push(ranked_at(n, cost));
                    }
                }
            }
        } else {
            // Rows hold the same interned names in the same order: a column's
            // PID is looked up by name once, then known by the name's address
            // (hashing each entry's name was most of the build).
            let mut columns: Vec<((usize, usize), Option<usize>)> = Vec::new();
            for &n in &usable {
                let Some(row) = node_pids[n].as_deref().and_then(|p| costs.row(p)) else {
                    continue;
                };
                for (j, (dst, cost)) in row.iter().enumerate() {
                    let key = (dst.as_ptr() as usize, dst.len());
                    if columns.get(j).is_none_or(|c| c.0 != key) {
                        columns.truncate(j);
                        columns.push((key, subscribers.get(dst).copied()));
                    }
                    if let Some(i) = columns[j].1 {
                        // Every usable node may rank here: one allocation.
                        per_pid[i].reserve(usable.len());
                        per_pid[i].push(ranked_at(n, cost));
                    }
                }
            }
        }
        let tie = crate::node::tie_ranks(&nodes);
        let mut spans = Vec::with_capacity(per_pid.len());
        let mut ranked = Vec::with_capacity(per_pid.iter().map(Vec::len).sum());
        for mut list in per_pid {
            list.sort_unstable_by(|a, b| crate::node::order(&tie, a, b));
            let start = ranked.len();
            ranked.extend(list);
            spans.push((ranked.len() > start).then_some((start, ranked.len())));
        }
        let fallback = routing
            .fallback
            .iter()
            .filter_map(|name| nodes.iter().position(|n| &n.name == name))
            .filter(|&n| status[n].usable(routing.max_load))
            .map(|node| Ranked { node, cost: None })
            .collect();
        Ok(RoutingTable {
            nodes,
            lookup,
            spans,
            catch_all,
            ranked,
            fallback,
            status,
            node_pids,
            reverse,
            built: Instant::now(),
        })
    }

    /// A table without maps: every client gets the fallback ranking (no
    /// status is known, so every fallback node counts as usable). Served
    /// when the maps were withdrawn after `alto.max-age` without contact.
    pub fn fallback_only(nodes: Arc<[Node]>, routing: &RoutingSection) -> RoutingTable {
        let fallback = routing
            .fallback
            .iter()
            .filter_map(|name| nodes.iter().position(|n| &n.name == name))
            .map(|node| Ranked { node, cost: None })
            .collect();
        RoutingTable {
            status: vec![NodeStatus::default(); nodes.len()],
            node_pids: vec![None; nodes.len()],
            nodes,
            lookup: PidLookup::default(),
            spans: Vec::new(),
            catch_all: Vec::new(),
            ranked: Vec::new(),
            fallback,
            reverse: false,
            built: Instant::now(),
        }
    }

    /// The ranking for a client at `addr`.
    pub fn route(&self, addr: IpAddr) -> Route<'_> {
        let hit = self.lookup.lookup_index_len(addr);
        if let Some((idx, len)) = hit {
            let pid = self.lookup.pids().get(idx).map(String::as_str);
            let prefix_len = (!self.catch_all[idx]).then_some(len);
            if let Some((start, end)) = self.spans[idx] {
                return Route {
                    ranked: &self.ranked[start..end],
                    pid,
                    prefix_len,
                    fallback: false,
                };
            }
            return Route {
                ranked: &self.fallback,
                pid,
                prefix_len,
                fallback: true,
            };
        }
        Route {
            ranked: &self.fallback,
            pid: None,
            prefix_len: None,
            fallback: true,
        }
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    pub fn node(&self, ranked: &Ranked) -> &Node {
        &self.nodes[ranked.node]
    }

    /// Each node's status as last read.
    pub fn status(&self) -> &[NodeStatus] {
        &self.status
    }

    /// Each node's PID, `None` for a node in no PID (it is never ranked).
    pub fn node_pids(&self) -> &[Option<String>] {
        &self.node_pids
    }

    /// Costs were read subscriber -> node PID.
    pub fn reverse(&self) -> bool {
        self.reverse
    }

    pub fn built(&self) -> Instant {
        self.built
    }
}

fn is_catch_all(
    pid: &str,
    group: Option<&altofed_model::EndpointAddrGroup>,
    props: Option<&PropertyMapDoc>,
    kind_prefix: &str,
) -> bool {
    let by_kind = props
        .and_then(|p| p.property_map.get(&format!("{kind_prefix}{pid}")))
        .and_then(|p| p.get(".priv:kind").or_else(|| p.get("priv:kind")))
        .is_some_and(|k| k == "catch-all");
    by_kind || group.is_some_and(|g| g.prefixes().any(|p| p.prefix_len() == 0))
}

#[cfg(test)]
#[path = "table_tests.rs"]
pub(crate) mod tests;
