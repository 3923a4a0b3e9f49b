//! C_cdn(r, P), the border-to-PID costs of the reverse direction: equal to
//! the forward costs on the symmetric Figure 5, and different exactly where
//! a directed link makes the topology asymmetric.
#![allow(clippy::unwrap_used)]

use altofed_core::cdn_cost::{cdn_costs, cdn_costs_for, costs_from_borders};
use altofed_core::compose::Direction;
use altofed_core::topology::{build_network, CdnSpec, TopologyWarning};

const FIGURE5: &str = include_str!("data/figure5-cdn.toml");

#[test]
fn figure5_reverse_is_the_transpose_of_forward() {
    let (net, _) = build_network(&CdnSpec::from_toml(FIGURE5).unwrap(), None).unwrap();
    let reverse = costs_from_borders(&net);
    // Rows r6, r7; columns pid8, pid9, pid10: every link goes both ways at
    // the same cost, so dist(r -> n) = dist(n -> r).
    assert_eq!(reverse.row(0), [2.0, 3.0, 6.0]);
    assert_eq!(reverse.row(1), [7.0, 8.0, 1.0]);
}

#[test]
fn a_directed_link_is_only_walked_its_way() {
    // a -> r costs 1 and r -> b costs 1, one way each.
    let text = "[[link]]\nfrom = \"a\"\nto = \"r\"\ncost = 1\ndirected = true\n\
                [[link]]\nfrom = \"r\"\nto = \"b\"\ncost = 1\ndirected = true\n\
                [[pid]]\nname = \"pa\"\nnodes = [\"a\"]\n[[pid]]\nname = \"pb\"\nnodes = [\"b\"]\n\
                [[pid]]\nname = \"pr\"\nnodes = [\"r\"]\n[[border]]\nrouter = \"r\"\n";
    let (net, _) = build_network(&CdnSpec::from_toml(text).unwrap(), None).unwrap();
    // Forward C_cdn(P, r): pa 1, pb none, pr 0.
    assert_eq!(cdn_costs(&net).0.as_slice(), [1.0, f64::INFINITY, 0.0]);
    // Reverse C_cdn(r, P): pa none, pb 1, pr 0.
    assert_eq!(
        costs_from_borders(&net).as_slice(),
        [f64::INFINITY, 1.0, 0.0]
    );
    // Each direction reports the pairs without a path it publishes.
    let no_path = TopologyWarning::NoPath {
        pid: "pb".into(),
        border: "r".into(),
    };
    let no_path_from = TopologyWarning::NoPathFromBorder {
        border: "r".into(),
        pid: "pa".into(),
    };
    let warnings = |d| cdn_costs_for(&net, d).1;
    assert_eq!(
        warnings(Direction::CdnToSubscriber),
        std::slice::from_ref(&no_path)
    );
    assert_eq!(
        warnings(Direction::SubscriberToCdn),
        std::slice::from_ref(&no_path_from)
    );
    assert_eq!(
        no_path_from.to_string(),
        "no path from border router `r` to CDN PID `pa`"
    );
    assert_eq!(warnings(Direction::Both), [no_path, no_path_from]);
}

#[test]
fn reverse_costs_are_computed_only_for_a_direction_that_needs_them() {
    let (net, _) = build_network(&CdnSpec::from_toml(FIGURE5).unwrap(), None).unwrap();
    let only = |d| cdn_costs_for(&net, d).0.from_borders().cloned();
    assert_eq!(only(Direction::CdnToSubscriber), None);
    let want = Some(costs_from_borders(&net));
    assert_eq!(only(Direction::SubscriberToCdn), want);
    assert_eq!(only(Direction::Both), want);
    // And the forward matrix only for a direction that publishes it.
    let forward_rows = |d| cdn_costs_for(&net, d).0.pids();
    assert_eq!(forward_rows(Direction::SubscriberToCdn), 0);
    assert_eq!(forward_rows(Direction::Both), net.pids.len());
}
