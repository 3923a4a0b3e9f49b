//! The maps `altofed route` gets at production scale, for the `route`
//! bench: the [`e2e_scenario`] (300 CDN PIDs x 10 ISPs x 1,700 PIDs)
//! through a real engine, and the documents it publishes (network map,
//! numerical cost map, property map) taken as a router's ALTO client
//! would hold them: the cost map parsed back from the served JSON.
//!
//! One node per CDN PID, at the first address of the PID's /24
//! (`e2e_scenario` gives CDN PID `i` 198.18.0.0/15's `i`-th /24); clients
//! are one address per subscriber PID, so that queries spread over all
//! 17,000 of them.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use altofed_core::peer::PeerMaps;
use altofed_model::CostTableDoc;
use altofed_peers::parse_document;
use altofed_route::config::{NodeConfig, RoutingSection};
use altofed_route::{Node, RoutingTable};
use altofed_server::Snapshot;

use crate::e2e_scenario::{build, publish_all};

/// The aggregator's numerical `routingcost` cost map.
const NUMERICAL: &str = "agg-routingcost-num";

/// What the route bench serves from.
#[derive(Debug)]
pub struct RouteScenario {
    pub maps: PeerMaps,
    pub nodes: Arc<[Node]>,
    pub routing: RoutingSection,
    /// One address in each subscriber PID that the table ranks nodes for.
    pub clients: Vec<Ipv4Addr>,
    /// Pairs of the cost map (CDN PIDs x subscriber PIDs).
    pub pairs: usize,
}

/// Builds the scenario: about a minute (writing and parsing the ISPs'
/// maps, one full publish, parsing the 218 MB cost map back).
pub fn scenario() -> RouteScenario {
    let mut s = build();
    // Only the numerical map is read by the router.
    s.config.output.ordinal_cost_map = false;
    let cdn_pids = s.cdn.pids.len();
    let published = publish_all(&s);
    let snapshot: Arc<Snapshot> =
        (published.snapshots.borrow().clone()).unwrap_or_else(|| panic!("no snapshot"));
    let body = snapshot.resources[NUMERICAL].body.identity.to_bytes();
    let cost_map: CostTableDoc =
        parse_document(&body).unwrap_or_else(|(k, e)| panic!("cost map at {k}: {e}"));
    let maps = PeerMaps {
        network_map: (*snapshot.network_map).clone(),
        cost_map,
        property_map: snapshot
            .property_maps
            .values()
            .next()
            .map(|p| (**p).clone()),
    };
    drop(snapshot);
    drop(published);
    let nodes: Arc<[Node]> = (0..cdn_pids).map(node).collect();
    let routing = RoutingSection::default();
    let pairs = maps.cost_map.cost_map.len();
    let clients = clients(&maps, &nodes, &routing);
    RouteScenario {
        maps,
        nodes,
        routing,
        clients,
        pairs,
    }
}

/// The node of CDN PID `i`.
fn node(i: usize) -> Node {
    let [hi, lo] = u16::try_from(i).unwrap_or(u16::MAX).to_be_bytes();
    Node::from_config(&NodeConfig {
        name: format!("n{i:03}"),
        addresses: vec![IpAddr::V4(Ipv4Addr::new(198, 18 + hi, lo, 1))],
        hostname: None,
        weight: 1,
    })
}

/// An address inside the first IPv4 prefix of every PID, kept where the
/// table ranks nodes for it (not a node's PID, not the catch-all, not a
/// more specific prefix of another PID's that the table does not rank).
fn clients(maps: &PeerMaps, nodes: &Arc<[Node]>, routing: &RoutingSection) -> Vec<Ipv4Addr> {
    let table = RoutingTable::build(maps, nodes.clone(), routing)
        .unwrap_or_else(|e| panic!("routing table: {e}"));
    let placed = table.node_pids().iter().filter(|p| p.is_some()).count();
    assert_eq!(placed, nodes.len(), "every node is in a CDN PID");
    maps.network_map
        .network_map
        .values()
        .filter_map(|group| group.ipv4.first())
        .map(|net| {
            let first = u32::from(net.network());
            let inside = if net.prefix_len() < 32 {
                first + 1
            } else {
                first
            };
            Ipv4Addr::from(inside)
        })
        .filter(|a| !table.route(IpAddr::V4(*a)).fallback)
        .collect()
}
