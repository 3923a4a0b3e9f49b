//! A rebuild from the previous table gives the table a full build gives,
//! whatever changed: costs (with ties and missing entries), node statuses,
//! the network map, the orientation of the cost map.

#![allow(clippy::unwrap_used)]

use altofed_model::{CostMapDoc, CostTableDoc, NetworkMapDoc, PropertyMapDoc};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::tests::routing;
use super::*;
use crate::config::NodeConfig;

const NODE_PIDS: usize = 4;
const SUBSCRIBERS: usize = 6;
/// n0..n3 in cdn0..cdn3, and n4 also in cdn1 (two nodes, one PID).
const NODES: usize = 5;

/// The maps of one moment.
#[derive(Debug, Clone)]
struct World {
    /// `costs[k][s]`: cdn k <-> subscriber s; 0 is no entry.
    costs: Vec<Vec<u8>>,
    /// Rows subscriber -> node PID instead of node PID -> subscriber.
    reverse: bool,
    /// One more subscriber PID in the network map (no costs).
    extra: bool,
    /// Per node: 0 up, 1 down, 2 drained, 3 loaded.
    status: Vec<u8>,
}

#[derive(Debug, Clone)]
enum Change {
    Cost(usize, usize, u8),
    Status(usize, u8),
    Extra,
    Flip,
}

fn nodes() -> Arc<[Node]> {
    let node = |n: usize| {
        let pid = if n == 4 { 1 } else { n };
        Node::from_config(&NodeConfig {
            name: format!("n{n}"),
            addresses: vec![format!("10.{pid}.0.{}", n + 1).parse().unwrap()],
            hostname: None,
            weight: if n == 4 { 2 } else { 1 },
        })
    };
    (0..NODES).map(node).collect::<Vec<_>>().into()
}

fn subscriber_addr(s: usize) -> String {
    format!("100.64.{s}.9")
}

fn maps(w: &World) -> PeerMaps {
    let mut netmap = Map::new();
    netmap.insert("default".into(), json!({"ipv4": ["0.0.0.0/0"]}));
    for k in 0..NODE_PIDS {
        netmap.insert(
            format!("cdn{k}"),
            json!({"ipv4": [format!("10.{k}.0.0/16")]}),
        );
    }
    let subscribers = SUBSCRIBERS + usize::from(w.extra);
    for s in 0..subscribers {
        netmap.insert(
            format!("sub{s}"),
            json!({"ipv4": [format!("100.64.{s}.0/24")]}),
        );
    }
    let tag = if w.extra { "b" } else { "a" };
    let vtag = json!({"resource-id": "net", "tag": tag});
    let netmap: NetworkMapDoc =
        serde_json::from_value(json!({"meta": {"vtag": vtag}, "network-map": netmap})).unwrap();
    let mut rows: Map<String, Value> = Map::new();
    for (k, row) in w.costs.iter().enumerate() {
        for (s, &c) in row.iter().enumerate().filter(|(_, &c)| c > 0) {
            let (src, dst) = if w.reverse {
                (format!("sub{s}"), format!("cdn{k}"))
            } else {
                (format!("cdn{k}"), format!("sub{s}"))
            };
            let row = rows.entry(src).or_insert_with(|| json!({}));
            row[dst] = json!(c);
        }
    }
    let meta = json!({"dependent-vtags": [vtag],
        "cost-type": {"cost-mode": "numerical", "cost-metric": "routingcost"}});
    let costs: CostMapDoc =
        serde_json::from_value(json!({"meta": meta, "cost-map": rows})).unwrap();
    let mut props = Map::new();
    for (n, &st) in w.status.iter().enumerate() {
        let pid = if n == 4 { 1 } else { n };
        let (health, drained, load) = (
            ["up", "down"][usize::from(st == 1)],
            st == 2,
            if st == 3 { 0.95 } else { 0.1 },
        );
        let entity = format!("ipv4:10.{pid}.0.{}", n + 1);
        props.insert(
            entity,
            json!({".priv:health": health, ".priv:drained": drained, ".priv:load": load}),
        );
    }
    let props: PropertyMapDoc =
        serde_json::from_value(json!({"meta": {"dependent-vtags": [vtag]}, "property-map": props}))
            .unwrap();
    PeerMaps {
        network_map: netmap,
        cost_map: CostTableDoc::from(&costs),
        property_map: Some(props),
    }
}

fn apply(w: &mut World, change: &Change) {
    match *change {
        Change::Cost(k, s, c) => w.costs[k][s] = c,
        Change::Status(n, st) => w.status[n] = st,
        Change::Extra => w.extra = !w.extra,
        Change::Flip => w.reverse = !w.reverse,
    }
}

/// What a client sees for one address: PID, fallback, (node, cost)s.
type Answer = (Option<String>, bool, Vec<(usize, Option<f64>)>);

/// Everything a client can see of a table.
fn answers(t: &RoutingTable) -> Vec<Answer> {
    let mut addrs: Vec<String> = (0..=SUBSCRIBERS).map(subscriber_addr).collect();
    addrs.extend(["10.1.0.2".into(), "8.8.8.8".into()]);
    (addrs.iter())
        .map(|a| {
            let r = t.route(a.parse().unwrap());
            let ranked = r.nodes().map(|x| (x.node, x.cost)).collect();
            (r.pid.map(str::to_owned), r.fallback, ranked)
        })
        .collect()
}

fn world() -> impl Strategy<Value = World> {
    let costs = prop::collection::vec(prop::collection::vec(0u8..4, SUBSCRIBERS), NODE_PIDS);
    (costs, any::<bool>()).prop_map(|(costs, reverse)| World {
        costs,
        reverse,
        extra: false,
        status: vec![0; NODES],
    })
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        6 => (0..NODE_PIDS, 0..SUBSCRIBERS, 1u8..4).prop_map(|(k, s, c)| Change::Cost(k, s, c)),
        1 => (0..NODE_PIDS, 0..SUBSCRIBERS).prop_map(|(k, s)| Change::Cost(k, s, 0)),
        6 => (0..NODES, 0u8..4).prop_map(|(n, st)| Change::Status(n, st)),
        1 => Just(Change::Extra),
        1 => Just(Change::Flip),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn a_rebuild_answers_as_a_full_build(
        start in world(),
        steps in prop::collection::vec(prop::collection::vec(change(), 0..4), 1..8),
    ) {
        let routing = routing_for_tests();
        let mut w = start;
        let mut old_maps = maps(&w);
        let mut table = RoutingTable::build(&old_maps, nodes(), &routing).unwrap();
        for step in steps {
            step.iter().for_each(|c| apply(&mut w, c));
            let new_maps = maps(&w);
            let rebuilt = RoutingTable::rebuild(&table, &old_maps, &new_maps, &routing).unwrap();
            let full = RoutingTable::build(&new_maps, nodes(), &routing).unwrap();
            prop_assert_eq!(answers(&rebuilt), answers(&full), "after {:?}", step);
            prop_assert_eq!(rebuilt.status(), full.status());
            prop_assert_eq!(rebuilt.reverse(), full.reverse());
            if step.iter().all(|c| matches!(c, Change::Status(..))) {
                prop_assert_eq!(rebuilt.reuse(), Reuse::Everything);
            }
            if step.iter().filter(|c| matches!(c, Change::Extra)).count() % 2 == 1 {
                prop_assert_eq!(rebuilt.reuse(), Reuse::Nothing);
            }
            (table, old_maps) = (rebuilt, new_maps);
        }
    }
}

fn routing_for_tests() -> RoutingSection {
    RoutingSection {
        fallback: vec!["n2".into(), "n0".into()],
        ..routing()
    }
}

#[test]
fn one_changed_cost_ranks_one_pid_again_and_a_status_ranks_none() {
    let mut w = World {
        costs: vec![vec![1, 2, 3, 1, 2, 3]; NODE_PIDS],
        reverse: false,
        extra: false,
        status: vec![0; NODES],
    };
    let routing = routing_for_tests();
    let before = maps(&w);
    let table = RoutingTable::build(&before, nodes(), &routing).unwrap();
    w.costs[2][4] = 1;
    let after = maps(&w);
    let rebuilt = RoutingTable::rebuild(&table, &before, &after, &routing).unwrap();
    assert_eq!(rebuilt.reuse(), Reuse::Rankings { ranked_again: 1 });
    w.status[2] = 2;
    let drained = maps(&w);
    let again = RoutingTable::rebuild(&rebuilt, &after, &drained, &routing).unwrap();
    assert_eq!(again.reuse(), Reuse::Everything);
    let first = |t: &RoutingTable| {
        t.node(t.route(subscriber_addr(4).parse().unwrap()).best().unwrap())
            .name
            .clone()
    };
    assert_eq!((first(&rebuilt), first(&again)), ("n2".into(), "n4".into()));
}
