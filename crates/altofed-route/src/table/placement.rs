//! Where things are in the network map: the prefix lookup, which PIDs are
//! the catch-all, and each node's PID. It depends on the network map, the
//! PIDs' `.priv:kind` in the property map and the nodes, not on costs or
//! node status, so a rebuild for new costs or statuses keeps it.

use std::collections::HashSet;
use std::sync::Arc;

use altofed_core::peer::PeerMaps;
use altofed_model::lookup::{LookupBuildError, PidLookup};
use altofed_model::{EndpointAddrGroup, PropertyMapDoc};

use super::Node;

/// The lookup and what it says about the nodes.
#[derive(Debug)]
pub(crate) struct Placement {
    pub lookup: Arc<PidLookup>,
    /// Per PID (lookup index): the catch-all (`.priv:kind = "catch-all"`,
    /// or a PID holding `0.0.0.0/0` or `::/0`).
    pub catch_all: Vec<bool>,
    /// Each node's PID (lookup index): that of its first address in a PID
    /// other than the catch-all; `None` for a node in no PID.
    pub node_pids: Vec<Option<usize>>,
    /// Per PID: a subscriber PID (neither a node's PID nor the catch-all).
    pub subscriber: Vec<bool>,
}

impl Placement {
    /// Builds the placement for `maps`; the lookup of `previous` is taken
    /// over when it was built from an equal network map (`previous_maps`).
    pub fn build(
        maps: &PeerMaps,
        nodes: &[Node],
        previous: Option<(&Placement, &PeerMaps)>,
    ) -> Result<Placement, LookupBuildError> {
        let netmap = &maps.network_map;
        let lookup = match previous {
            Some((p, m)) if m.network_map == *netmap => p.lookup.clone(),
            _ => Arc::new(PidLookup::build(&netmap.network_map)?),
        };
        let props = maps.property_map.as_ref();
        let kind_prefix = format!("{}.pid:", netmap.meta.vtag.resource_id);
        let catch_all: Vec<bool> = (lookup.pids().iter())
            .map(|pid| is_catch_all(pid, netmap.network_map.get(pid), props, &kind_prefix))
            .collect();
        // A node in the catch-all is in no PID of its own.
        let node_pids: Vec<Option<usize>> = nodes
            .iter()
            .map(|n| {
                (n.addresses.iter())
                    .filter_map(|a| lookup.lookup_index(*a))
                    .find(|&i| !catch_all[i])
            })
            .collect();
        let is_node_pid: HashSet<usize> = node_pids.iter().flatten().copied().collect();
        let subscriber = (0..lookup.pids().len())
            .map(|i| !catch_all[i] && !is_node_pid.contains(&i))
            .collect();
        Ok(Placement {
            lookup,
            catch_all,
            node_pids,
            subscriber,
        })
    }

    /// No maps: every address is in no PID.
    pub fn empty(nodes: usize) -> Placement {
        Placement {
            lookup: Arc::default(),
            catch_all: Vec::new(),
            node_pids: vec![None; nodes],
            subscriber: Vec::new(),
        }
    }

    /// The same PIDs in the same roles: rankings made for one hold for the
    /// other (given the same costs).
    pub fn same_roles(&self, other: &Placement) -> bool {
        Arc::ptr_eq(&self.lookup, &other.lookup)
            && self.catch_all == other.catch_all
            && self.node_pids == other.node_pids
    }

    pub fn pid(&self, index: usize) -> &str {
        &self.lookup.pids()[index]
    }
}

fn is_catch_all(
    pid: &str,
    group: Option<&EndpointAddrGroup>,
    props: Option<&PropertyMapDoc>,
    kind_prefix: &str,
) -> bool {
    let by_kind = props
        .and_then(|p| p.property_map.get(&format!("{kind_prefix}{pid}")))
        .and_then(|p| p.get(".priv:kind").or_else(|| p.get("priv:kind")))
        .is_some_and(|k| k == "catch-all");
    by_kind || group.is_some_and(|g| g.prefixes().any(|p| p.prefix_len() == 0))
}
