//! The table against a brute-force oracle on synthetic maps: many CDN
//! PIDs and subscriber PIDs, costs with many ties, some pairs missing,
//! weights, both cost orientations (CDN -> subscriber rows, subscriber ->
//! CDN rows).

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use altofed_core::peer::PeerMaps;
use altofed_model::{
    Cost, CostMapDoc, CostMapMeta, CostMode, CostRows, CostTableDoc, CostType, EndpointAddrGroup,
    NetworkMapDoc, NetworkMapMeta, VersionTag,
};
use altofed_route::config::{NodeConfig, RoutingSection};
use altofed_route::{Node, RoutingTable};

const CDN: usize = 40;
const SUBSCRIBERS: usize = 600;

fn cdn_pid(c: usize) -> String {
    format!("cdn{c}")
}

fn sub_pid(s: usize) -> String {
    format!("isp:s{s}")
}

/// A cost with plenty of ties, or none for about one pair in nine.
fn cost(c: usize, s: usize) -> Option<Cost> {
    let x = (c * 7919 + s * 104_729) % 97;
    (!x.is_multiple_of(9)).then_some(Cost((x % 11) as f64))
}

fn maps(reverse: bool) -> PeerMaps {
    let mut net = BTreeMap::new();
    let group = |prefix: String| EndpointAddrGroup {
        ipv4: vec![prefix.parse().unwrap()],
        ipv6: vec![],
    };
    for c in 0..CDN {
        net.insert(cdn_pid(c), group(format!("10.0.{c}.0/24")));
    }
    for s in 0..SUBSCRIBERS {
        net.insert(
            sub_pid(s),
            group(format!("100.{}.{}.0/24", s / 256, s % 256)),
        );
    }
    let mut rows = CostRows::new();
    for c in 0..CDN {
        for s in 0..SUBSCRIBERS {
            if let Some(k) = cost(c, s) {
                let (src, dst) = if reverse {
                    (sub_pid(s), cdn_pid(c))
                } else {
                    (cdn_pid(c), sub_pid(s))
                };
                rows.entry(src).or_default().insert(dst, k);
            }
        }
    }
    let vtag = VersionTag {
        resource_id: "net".into(),
        tag: "1".into(),
    };
    let doc = CostMapDoc {
        meta: CostMapMeta {
            dependent_vtags: vec![vtag.clone()],
            cost_type: CostType::routingcost(CostMode::Numerical),
            vtag: None,
        },
        cost_map: rows,
    };
    PeerMaps {
        network_map: NetworkMapDoc {
            meta: NetworkMapMeta { vtag },
            network_map: net,
        },
        cost_map: CostTableDoc::from(&doc),
        property_map: None,
    }
}

/// One node per CDN PID, weights 1..=3.
fn nodes() -> Arc<[Node]> {
    (0..CDN)
        .map(|c| {
            Node::from_config(&NodeConfig {
                name: format!("n{c}"),
                addresses: vec![format!("10.0.{c}.1").parse().unwrap()],
                hostname: None,
                weight: 1 + (c % 3) as u32,
            })
        })
        .collect()
}

/// Every node with a cost to `s`, by cost, then weight (higher first),
/// then name.
fn oracle(nodes: &[Node], s: usize) -> Vec<(String, f64)> {
    let mut list: Vec<(f64, u32, String)> = (0..CDN)
        .filter_map(|c| cost(c, s).map(|k| (k.0, nodes[c].weight, nodes[c].name.clone())))
        .collect();
    list.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    list.into_iter().map(|(k, _, n)| (n, k)).collect()
}

#[test]
fn rankings_match_the_oracle_in_both_orientations() {
    let nodes = nodes();
    for reverse in [false, true] {
        let table =
            RoutingTable::build(&maps(reverse), nodes.clone(), &RoutingSection::default()).unwrap();
        assert_eq!(table.reverse(), reverse);
        for s in 0..SUBSCRIBERS {
            let addr = format!("100.{}.{}.9", s / 256, s % 256).parse().unwrap();
            let route = table.route(addr);
            assert_eq!(route.pid, Some(sub_pid(s).as_str()));
            let got: Vec<(String, f64)> = route
                .nodes()
                .map(|r| (table.node(r).name.clone(), r.cost.unwrap()))
                .collect();
            assert_eq!(got, oracle(&nodes, s), "subscriber {s}, reverse {reverse}");
        }
    }
}
