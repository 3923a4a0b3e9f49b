//! The table on the maps the aggregator publishes for Figure 5
//! (topologies/figure5/expected/): nodes one per CDN PID.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use altofed_model::{CostMapDoc, CostTableDoc, NetworkMapDoc, PropertyMapDoc};
use serde_json::{json, Value};

use crate::config::NodeConfig;

use super::*;

fn expected(variant: &str, file: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../topologies/figure5/expected");
    std::fs::read_to_string(dir.join(variant).join(file)).unwrap()
}

pub(crate) fn figure5(variant: &str) -> PeerMaps {
    let netmap: NetworkMapDoc =
        serde_json::from_str(&expected(variant, "networkmap.json")).unwrap();
    let costs: CostMapDoc = serde_json::from_str(&expected(variant, "costmap.json")).unwrap();
    let props: PropertyMapDoc = serde_json::from_str(&expected(variant, "propmap.json")).unwrap();
    PeerMaps {
        network_map: netmap,
        cost_map: CostTableDoc::from(&costs),
        property_map: Some(props),
    }
}

fn node(name: &str, addresses: &[&str], weight: u32) -> Node {
    Node::from_config(&NodeConfig {
        name: name.to_owned(),
        addresses: addresses.iter().map(|a| a.parse().unwrap()).collect(),
        hostname: None,
        weight,
    })
}

/// n8 in pid8, n9 in pid9, n10 in pid10 (cdn.toml's prefixes).
pub(crate) fn nodes(weight8: u32) -> Arc<[Node]> {
    vec![
        node("n8", &["203.0.113.1", "2001:db8:8::1"], weight8),
        node("n9", &["203.0.113.65"], 1),
        node("n10", &["203.0.113.129", "2001:db8:10::1"], 1),
    ]
    .into()
}

pub(crate) fn routing() -> RoutingSection {
    RoutingSection {
        fallback: vec!["n9".into(), "n8".into()],
        ..RoutingSection::default()
    }
}

/// Node names of the ranking for `addr`, and their costs.
fn ranking(table: &RoutingTable, addr: &str) -> Vec<(String, Option<f64>)> {
    let route = table.route(addr.parse().unwrap());
    let named = |r: &Ranked| (table.node(r).name.clone(), r.cost);
    route.nodes().map(named).collect()
}

fn names(table: &RoutingTable, addr: &str) -> Vec<String> {
    ranking(table, addr).into_iter().map(|(n, _)| n).collect()
}

const PID1: &str = "198.51.100.1";
const PID2: &str = "198.51.100.200";
const PID3: &str = "192.0.2.130";

#[test]
fn each_subscriber_pid_gets_the_nodes_by_cost_from_their_cdn_pid() {
    let table = RoutingTable::build(&figure5("multipath"), nodes(1), &routing()).unwrap();
    assert!(!table.reverse());
    let pids: Vec<_> = table.node_pids().iter().map(|p| p.as_deref()).collect();
    assert_eq!(pids, [Some("pid8"), Some("pid9"), Some("pid10")]);
    // Figure 5: pid1 (pid8 4, pid9 5, pid10 8), pid2 (pid10 5, pid8 11, pid9 12).
    let s = |n: &str, c: f64| (n.to_owned(), Some(c));
    assert_eq!(
        ranking(&table, PID1),
        [s("n8", 4.0), s("n9", 5.0), s("n10", 8.0)]
    );
    assert_eq!(
        ranking(&table, PID2),
        [s("n10", 5.0), s("n8", 11.0), s("n9", 12.0)]
    );
    let route = table.route(PID1.parse().unwrap());
    assert_eq!(route.pid, Some("isp-a:pid1"));
    assert_eq!(route.prefix_len, Some(25));
    assert!(!route.fallback);
    let v6 = table.route("2001:db8:2::77".parse().unwrap());
    assert_eq!((v6.pid, v6.prefix_len), (Some("isp-a:pid2"), Some(48)));
}

#[test]
fn a_cost_tie_goes_to_the_higher_weight_then_the_lower_name() {
    // pid3: pid8 6, pid10 6, pid9 7. Same weight: "n10" < "n8".
    let table = RoutingTable::build(&figure5("multipath"), nodes(1), &routing()).unwrap();
    assert_eq!(names(&table, PID3), ["n10", "n8", "n9"]);
    let table = RoutingTable::build(&figure5("multipath"), nodes(2), &routing()).unwrap();
    assert_eq!(names(&table, PID3), ["n8", "n10", "n9"]);
}

#[test]
fn subscriber_to_cdn_rows_are_used_when_published() {
    let table = RoutingTable::build(&figure5("both-multipath"), nodes(1), &routing()).unwrap();
    assert!(table.reverse());
    assert_eq!(names(&table, PID1)[0], "n8");
    assert_eq!(names(&table, PID2)[0], "n10");
}

#[test]
fn the_catch_all_node_pids_and_unknown_addresses_get_the_fallback() {
    let table = RoutingTable::build(&figure5("multipath"), nodes(1), &routing()).unwrap();
    for addr in ["8.8.8.8", "203.0.113.2", "2001:db8:ffff::1"] {
        let route = table.route(addr.parse().unwrap());
        assert!(route.fallback, "{addr}");
        assert_eq!(names(&table, addr), ["n9", "n8"], "{addr}");
    }
    let catch_all = table.route("8.8.8.8".parse().unwrap());
    assert_eq!(
        (catch_all.pid, catch_all.prefix_len),
        (Some("default"), None)
    );
    let empty = RoutingTable::fallback_only(nodes(1), &routing());
    let route = empty.route(PID1.parse().unwrap());
    assert!(route.fallback && route.pid.is_none());
    assert_eq!(names(&empty, PID1), ["n9", "n8"]);
}

fn with_status(entity: &str, status: Value) -> PeerMaps {
    let mut maps = figure5("multipath");
    let props = maps.property_map.as_mut().unwrap();
    let status: altofed_model::Properties = serde_json::from_value(status).unwrap();
    props.property_map.insert(entity.to_owned(), status);
    maps
}

#[test]
fn drained_down_and_overloaded_nodes_are_skipped() {
    let cases = [
        json!({".priv:health": "up", ".priv:load": 0.0, ".priv:drained": true}),
        json!({".priv:health": "down", ".priv:load": 0.0, ".priv:drained": false}),
        json!({".priv:health": "up", ".priv:load": 0.95, ".priv:drained": false}),
        json!({"priv:health": "up", "priv:load": 0.9, "priv:drained": false}),
    ];
    for status in cases {
        let maps = with_status("ipv4:203.0.113.1", status.clone());
        let table = RoutingTable::build(&maps, nodes(1), &routing()).unwrap();
        assert_eq!(names(&table, PID1), ["n9", "n10"], "{status}");
        assert_eq!(names(&table, "8.8.8.8"), ["n9"], "{status}");
        assert!(!table.status()[0].usable(0.9));
    }
    let fine = json!({".priv:health": "up", ".priv:load": 0.5, ".priv:drained": false});
    let table =
        RoutingTable::build(&with_status("ipv4:203.0.113.1", fine), nodes(1), &routing()).unwrap();
    assert_eq!(names(&table, PID1), ["n8", "n9", "n10"]);
    assert_eq!(table.status()[0].load, 0.5);
}

#[test]
fn a_node_in_no_pid_is_never_ranked() {
    let maps = figure5("multipath");
    let mut list: Vec<Node> = nodes(1).to_vec();
    // Outside every CDN PID: in the catch-all, which is no node's PID.
    list.push(node("far", &["100.64.0.1"], 9));
    let table = RoutingTable::build(&maps, list.into(), &routing()).unwrap();
    assert_eq!(table.node_pids()[3], None);
    assert!(!names(&table, PID1).contains(&"far".to_owned()));
}

#[test]
fn redirect_authority_is_the_hostname_or_the_bracketed_address() {
    let mut config = NodeConfig {
        name: "x".into(),
        addresses: vec!["2001:db8::1".parse().unwrap()],
        hostname: None,
        weight: 1,
    };
    assert_eq!(Node::from_config(&config).authority, "[2001:db8::1]");
    config.hostname = Some("x.cdn.example".into());
    assert_eq!(Node::from_config(&config).authority, "x.cdn.example");
}

#[test]
fn a_network_map_with_a_prefix_in_two_pids_is_refused() {
    let mut maps = figure5("multipath");
    let pid1 = maps.network_map.network_map["isp-a:pid1"].clone();
    maps.network_map
        .network_map
        .insert("isp-a:pid9".into(), pid1);
    let error = RoutingTable::build(&maps, nodes(1), &routing()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "network map: prefix 198.51.100.0/25 is in PID `isp-a:pid1` and in PID `isp-a:pid9`; \
         a prefix must not be in two PIDs (RFC 7285 §11.2.2)"
    );
}

#[test]
fn a_pid_whose_every_node_is_unusable_gets_the_fallback() {
    let drained = json!({".priv:health": "up", ".priv:drained": true});
    let mut maps = with_status("ipv4:203.0.113.1", drained.clone());
    let props = maps.property_map.as_mut().unwrap();
    let status: altofed_model::Properties = serde_json::from_value(drained).unwrap();
    props
        .property_map
        .insert("ipv4:203.0.113.129".into(), status);
    let fallback = RoutingSection {
        fallback: vec!["n10".into(), "n9".into()],
        ..routing()
    };
    let table = RoutingTable::build(&maps, nodes(1), &fallback).unwrap();
    assert!(!table.route(PID1.parse().unwrap()).fallback);
    assert_eq!(names(&table, PID1), ["n9"]);
    let down = json!({".priv:health": "down"});
    let props = maps.property_map.as_mut().unwrap();
    let status: altofed_model::Properties = serde_json::from_value(down).unwrap();
    props
        .property_map
        .insert("ipv4:203.0.113.65".into(), status);
    let table = RoutingTable::build(&maps, nodes(1), &fallback).unwrap();
    let route = table.route(PID1.parse().unwrap());
    assert!(route.fallback && route.best().is_none());
    assert_eq!(route.pid, Some("isp-a:pid1"));
}
