//! C_cdn by hand: the worked example of design §1, unreachable pairs,
//! multiple attachments, and a real topology.
#![allow(clippy::unwrap_used)]

use altofed_core::cdn_cost::{cdn_costs, CdnCosts};
use altofed_core::topology::{
    build_network, parse_graphml, CdnSpec, GraphmlWeight, TopologyWarning,
};

const FIGURE5: &str = include_str!("data/figure5-cdn.toml");
const ABILENE: &str = include_str!("data/Abilene.graphml");

#[test]
fn worked_example() {
    let (net, _) = build_network(&CdnSpec::from_toml(FIGURE5).unwrap(), None).unwrap();
    let (costs, warnings) = cdn_costs(&net);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!((costs.pids(), costs.borders()), (3, 2));
    // Rows pid8, pid9, pid10; columns r6, r7.
    assert_eq!(costs.row(0), [2.0, 7.0]);
    assert_eq!(costs.row(1), [3.0, 8.0]);
    assert_eq!(costs.row(2), [6.0, 1.0]);
    assert_eq!(costs.as_slice(), [2.0, 7.0, 3.0, 8.0, 6.0, 1.0]);
    assert_eq!(costs.get(2, net.border_index("pid7").unwrap()), 1.0);
}

#[test]
fn directed_paths_only_count_towards_the_border() {
    // a -> r costs 1 one way only; r -> b exists but not b -> r.
    let text = "[[link]]\nfrom = \"a\"\nto = \"r\"\ncost = 1\ndirected = true\n\
                [[link]]\nfrom = \"r\"\nto = \"b\"\ncost = 1\ndirected = true\n\
                [[pid]]\nname = \"pa\"\nnodes = [\"a\"]\n[[pid]]\nname = \"pb\"\nnodes = [\"b\"]\n\
                [[pid]]\nname = \"pr\"\nnodes = [\"r\"]\n[[border]]\nrouter = \"r\"\n";
    let (net, _) = build_network(&CdnSpec::from_toml(text).unwrap(), None).unwrap();
    let (costs, warnings) = cdn_costs(&net);
    assert_eq!(costs.as_slice(), [1.0, f64::INFINITY, 0.0]);
    assert_eq!(
        warnings,
        [TopologyWarning::NoPath {
            pid: "pb".into(),
            border: "r".into()
        }]
    );
    assert_eq!(
        warnings[0].to_string(),
        "no path from CDN PID `pb` to border router `r`"
    );
}

#[test]
fn cheapest_attachment_wins() {
    let text = "[[link]]\nfrom = \"a\"\nto = \"r\"\ncost = 10\n[[link]]\nfrom = \"b\"\nto = \"r\"\ncost = 4\n\
                [[pid]]\nname = \"p\"\nnodes = [\"a\", \"b\"]\n[[border]]\nrouter = \"r\"\n";
    let (net, _) = build_network(&CdnSpec::from_toml(text).unwrap(), None).unwrap();
    assert_eq!(cdn_costs(&net).0.as_slice(), [4.0]);
}

#[test]
fn empty_network() {
    let (net, _) = build_network(&CdnSpec::default(), None).unwrap();
    let (costs, warnings) = cdn_costs(&net);
    assert_eq!((costs.pids(), costs.borders(), warnings.len()), (0, 0, 0));
}

#[test]
fn abilene_hops_from_new_york() {
    let (topo, _) = parse_graphml(ABILENE, GraphmlWeight::Hops).unwrap();
    // New York (0) to Seattle (3), Los Angeles (5) and itself.
    let text = "[[pid]]\nname = \"nyc\"\nnodes = [\"0\"]\n\
                [[border]]\nrouter = \"3\"\n[[border]]\nrouter = \"5\"\n[[border]]\nrouter = \"0\"\n";
    let (net, _) = build_network(&CdnSpec::from_toml(text).unwrap(), Some(topo)).unwrap();
    let (costs, warnings) = cdn_costs(&net);
    assert!(warnings.is_empty());
    // NY-Chicago-Indianapolis-Kansas City-Denver-Seattle; NY-DC-Atlanta-Houston-LA.
    assert_eq!(costs.row(0), [5.0, 4.0, 0.0]);
}

#[test]
fn cdn_costs_new_and_accessors() {
    let costs = CdnCosts::new(2, 3, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(costs.get(1, 0), 4.0);
    assert_eq!(costs.row(0), [1.0, 2.0, 3.0]);
}

#[test]
#[should_panic(expected = "pids × borders")]
fn cdn_costs_new_checks_shape() {
    let _ = CdnCosts::new(2, 2, vec![0.0; 3]);
}
