//! The routing table (draft-penno-alto-cdn §4.1.1: "indexed by source PID
//! with values being the closest CDN nodes"): pure code, no IO, built from
//! the maps an ALTO client holds and swapped in whole, so answering a query
//! is a longest-prefix match and a slice (read skipping the nodes that are
//! not usable), with no allocation and no lock.
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
//!
//! A table is rebuilt for every new set of maps, from the table before it
//! ([`RoutingTable::rebuild`]): what depends on the network map (the
//! prefix lookup, each node's PID) is kept while it is the same, each
//! PID's ranking of every placed node while its costs are the same; node
//! statuses are not in the rankings (answers skip the nodes that are not
//! usable), so a status change ranks nothing again.

mod placement;
mod rankings;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use altofed_core::peer::PeerMaps;
use altofed_model::lookup::LookupBuildError;
use thiserror::Error;

use crate::config::RoutingSection;
pub use crate::node::{Node, NodeStatus};
use placement::Placement;
use rankings::Rankings;

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
    /// The PID's ranking of every placed node, best first, or the
    /// fallback ranking; read through [`Route::nodes`], which skips the
    /// nodes that are not usable.
    ranked: &'a [Ranked],
    usable: &'a [bool],
    /// The client's PID, if any.
    pub pid: Option<&'a str>,
    /// The length of the network map prefix that matched; `None` for no
    /// PID and for the catch-all (whose answer holds for no one prefix).
    pub prefix_len: Option<u8>,
    /// The fallback ranking was used.
    pub fallback: bool,
}

impl<'a> Route<'a> {
    /// The usable nodes, best first; none when no node is usable at all.
    pub fn nodes(&self) -> impl Iterator<Item = &'a Ranked> + 'a {
        let usable = self.usable;
        self.ranked.iter().filter(move |r| usable[r.node])
    }

    /// The best usable node.
    pub fn best(&self) -> Option<&'a Ranked> {
        self.nodes().next()
    }
}

/// What a rebuild took over from the table before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reuse {
    /// Nothing: a first build, a new network map, or costs of a new shape.
    Nothing,
    /// The prefix lookup (same network map); every PID ranked again.
    Lookup,
    /// The lookup, and the rankings of every PID whose costs are the
    /// same; `ranked_again` PIDs were ranked from their new costs.
    Rankings { ranked_again: usize },
    /// The lookup and every ranking (same costs): node statuses only.
    Everything,
}

/// The table: PID ranking by client address.
#[derive(Debug)]
pub struct RoutingTable {
    nodes: Arc<[Node]>,
    placement: Arc<Placement>,
    /// Every placed node, whatever its status: statuses never reorder a
    /// ranking, so a status change keeps the rankings and only `usable`
    /// changes; answers skip the nodes that are not usable.
    all: Arc<Rankings>,
    fallback: Vec<Ranked>,
    status: Vec<NodeStatus>,
    /// Per node: usable (up, not drained, loaded below `max-load`).
    usable: Vec<bool>,
    node_pids: Vec<Option<String>>,
    reuse: Reuse,
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
        let placement = Arc::new(Placement::build(maps, &nodes, None)?);
        let tie = crate::node::tie_ranks(&nodes);
        let all = Rankings::build(&placement, &maps.cost_map.cost_map, &tie);
        Ok(Self::assemble(
            maps,
            nodes,
            routing,
            placement,
            Arc::new(all),
            Reuse::Nothing,
        ))
    }

    /// The table for `maps`, taking over from `previous` (built from
    /// `previous_maps` for the same nodes) what the change leaves valid:
    /// the lookup when the network map is the same, the rankings of the
    /// PIDs whose costs are the same. A node status change ranks nothing
    /// again.
    pub fn rebuild(
        previous: &RoutingTable,
        previous_maps: &PeerMaps,
        maps: &PeerMaps,
        routing: &RoutingSection,
    ) -> Result<RoutingTable, TableError> {
        let nodes = previous.nodes.clone();
        let placement = Placement::build(maps, &nodes, Some((&previous.placement, previous_maps)))?;
        let placement = Arc::new(placement);
        let (old, new) = (&previous_maps.cost_map.cost_map, &maps.cost_map.cost_map);
        let tie = crate::node::tie_ranks(&nodes);
        let (all, reuse) = if !placement.same_roles(&previous.placement) {
            let lookup = Arc::ptr_eq(&placement.lookup, &previous.placement.lookup);
            let reuse = if lookup {
                Reuse::Lookup
            } else {
                Reuse::Nothing
            };
            (Arc::new(Rankings::build(&placement, new, &tie)), reuse)
        } else if old == new {
            (previous.all.clone(), Reuse::Everything)
        } else {
            match previous.all.update(&placement, old, new, &tie) {
                Some((all, ranked_again)) => (Arc::new(all), Reuse::Rankings { ranked_again }),
                None => (
                    Arc::new(Rankings::build(&placement, new, &tie)),
                    Reuse::Lookup,
                ),
            }
        };
        Ok(Self::assemble(maps, nodes, routing, placement, all, reuse))
    }

    /// The table from its status-free parts, with the node statuses of
    /// `maps` and the fallback ranking.
    fn assemble(
        maps: &PeerMaps,
        nodes: Arc<[Node]>,
        routing: &RoutingSection,
        placement: Arc<Placement>,
        all: Arc<Rankings>,
        reuse: Reuse,
    ) -> RoutingTable {
        let props = maps.property_map.as_ref();
        let status: Vec<NodeStatus> = (nodes.iter())
            .map(|n| NodeStatus::read(props, &n.addresses))
            .collect();
        let usable: Vec<bool> = status.iter().map(|s| s.usable(routing.max_load)).collect();
        let fallback = fallback(&nodes, routing, |n| usable[n]);
        let node_pids = (placement.node_pids.iter())
            .map(|p| p.map(|i| placement.pid(i).to_owned()))
            .collect();
        RoutingTable {
            nodes,
            placement,
            all,
            fallback,
            status,
            usable,
            node_pids,
            reuse,
            built: Instant::now(),
        }
    }

    /// A table without maps: every client gets the fallback ranking (no
    /// status is known, so every fallback node counts as usable). Served
    /// when the maps were withdrawn after `alto.max-age` without contact.
    pub fn fallback_only(nodes: Arc<[Node]>, routing: &RoutingSection) -> RoutingTable {
        RoutingTable {
            status: vec![NodeStatus::default(); nodes.len()],
            usable: vec![true; nodes.len()],
            node_pids: vec![None; nodes.len()],
            fallback: fallback(&nodes, routing, |_| true),
            placement: Arc::new(Placement::empty(nodes.len())),
            nodes,
            all: Arc::default(),
            reuse: Reuse::Nothing,
            built: Instant::now(),
        }
    }

    /// The ranking for a client at `addr`.
    pub fn route(&self, addr: IpAddr) -> Route<'_> {
        let mut route = Route {
            ranked: &self.fallback,
            usable: &self.usable,
            pid: None,
            prefix_len: None,
            fallback: true,
        };
        if let Some((idx, len)) = self.placement.lookup.lookup_index_len(addr) {
            route.pid = self.placement.lookup.pids().get(idx).map(String::as_str);
            route.prefix_len = (!self.placement.catch_all[idx]).then_some(len);
            // A PID whose every ranked node is unusable gets the fallback.
            let ranked = self.all.get(idx).unwrap_or_default();
            if ranked.iter().any(|r| self.usable[r.node]) {
                (route.ranked, route.fallback) = (ranked, false);
            }
        }
        route
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
        self.all.reverse
    }

    /// What this table took over from the one before it.
    pub fn reuse(&self) -> Reuse {
        self.reuse
    }

    pub fn built(&self) -> Instant {
        self.built
    }
}

/// The usable `routing.fallback` nodes, in configuration order.
fn fallback(
    nodes: &[Node],
    routing: &RoutingSection,
    usable: impl Fn(usize) -> bool,
) -> Vec<Ranked> {
    (routing.fallback.iter())
        .filter_map(|name| nodes.iter().position(|n| &n.name == name))
        .filter(|&n| usable(n))
        .map(|node| Ranked { node, cost: None })
        .collect()
}

#[cfg(test)]
mod rebuild_tests;
#[cfg(test)]
pub(crate) mod tests;
