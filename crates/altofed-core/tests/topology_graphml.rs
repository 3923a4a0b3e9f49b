//! GraphML import: facts about real Topology Zoo files (data/README.md),
//! the three weight modes, and every GraphML error with its exact message.
#![allow(clippy::unwrap_used)]

use altofed_core::topology::{
    graphml_labels, parse_graphml, GraphmlWeight, Topology, TopologyWarning,
};

const ABILENE: &str = include_str!("data/Abilene.graphml");
const GEANT: &str = include_str!("data/Geant2012.graphml");

fn parse(text: &str, weight: GraphmlWeight) -> (Topology, Vec<TopologyWarning>) {
    parse_graphml(text, weight).unwrap()
}

fn costs(topo: &Topology) -> Vec<f64> {
    topo.graph.edge_weights().copied().collect()
}

/// A small GraphML document with key ids unlike the Zoo's, to show that
/// data is resolved by `attr.name`. `body` goes inside `<graph>`.
fn doc(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n\
         <key attr.name=\"Latitude\" for=\"node\" id=\"lat\"/>\n\
         <key attr.name=\"Longitude\" for=\"node\" id=\"lon\"/>\n\
         <key attr.name=\"label\" for=\"node\" id=\"name\"/>\n\
         <key attr.name=\"LinkSpeedRaw\" for=\"edge\" id=\"bw\"/>\n\
         <graph edgedefault=\"undirected\">\n{body}</graph>\n</graphml>\n"
    )
}

fn err(body: &str) -> String {
    parse_graphml(&doc(body), GraphmlWeight::Hops)
        .unwrap_err()
        .to_string()
}

#[test]
fn abilene_counts_and_hops() {
    let (topo, warnings) = parse(ABILENE, GraphmlWeight::Hops);
    assert!(warnings.is_empty());
    assert_eq!(topo.node_count(), 11);
    assert_eq!(topo.edge_count(), 28);
    assert!(costs(&topo).iter().all(|c| *c == 1.0));
    assert!(topo.isolated().next().is_none());
}

#[test]
fn abilene_distance_new_york_chicago() {
    let labels = graphml_labels(ABILENE).unwrap();
    assert_eq!(labels.len(), 11);
    assert_eq!(labels[0], ("0".to_owned(), "New York".to_owned()));
    assert_eq!(labels[1], ("1".to_owned(), "Chicago".to_owned()));
    let (topo, warnings) = parse(ABILENE, GraphmlWeight::Distance);
    assert!(warnings.is_empty());
    // New York - Chicago is about 1,145 km great-circle.
    let km = topo.cost("0", "1").unwrap();
    assert!((1140.0..1150.0).contains(&km), "{km}");
    assert_eq!(topo.cost("1", "0"), Some(km));
    assert!(costs(&topo).iter().all(|c| (100.0..5000.0).contains(c)));
}

#[test]
fn abilene_has_no_capacity_data() {
    assert_eq!(
        parse_graphml(ABILENE, GraphmlWeight::InverseCapacity).unwrap_err().to_string(),
        "GraphML: weight `inverse-capacity` needs LinkSpeedRaw, and no edge has it; use weight \"hops\""
    );
}

#[test]
fn geant_counts() {
    let (topo, warnings) = parse(GEANT, GraphmlWeight::Hops);
    assert!(warnings.is_empty());
    assert_eq!(topo.node_count(), 40);
    assert_eq!(topo.edge_count(), 122);
}

#[test]
fn geant_distance_uses_median_for_nodes_without_coordinates() {
    // UA (10), MD (11) and BY (19) have no coordinates; 3 edges touch them.
    let (topo, warnings) = parse(GEANT, GraphmlWeight::Distance);
    let [TopologyWarning::MissingCoordinates { edges, median_km }] = warnings[..] else {
        panic!("{warnings:?}");
    };
    assert_eq!(edges, 3);
    assert!((median_km - 531.489).abs() < 0.01, "{median_km}");
    let to_ua = topo
        .graph
        .edges(topo.node("10").unwrap())
        .map(|e| *e.weight())
        .collect::<Vec<_>>();
    assert!(!to_ua.is_empty() && to_ua.iter().all(|c| *c == median_km));
    assert_eq!(
        warnings[0].to_string(),
        "GraphML distance: 3 edge(s) touch a node without Latitude/Longitude; they get the median distance 531.5 km"
    );
}

#[test]
fn geant_inverse_capacity() {
    let (topo, warnings) = parse(GEANT, GraphmlWeight::InverseCapacity);
    // 39 of 61 edges carry LinkSpeedRaw, 26 of them 10 Gbit/s: median cost 10.
    assert_eq!(
        warnings,
        [TopologyWarning::MissingCapacity {
            edges: 22,
            median_cost: 10.0
        }]
    );
    // NL - UK is 2.5 Gbit/s.
    assert_eq!(topo.cost("0", "34"), Some(40.0));
    assert_eq!(
        warnings[0].to_string(),
        "GraphML inverse-capacity: 22 edge(s) have no LinkSpeedRaw; they get the median cost 10"
    );
}

#[test]
fn parallel_edges_keep_cheapest_and_self_loops_are_dropped() {
    let body = "<node id=\"a\"/><node id=\"b\"/>\n\
                <edge source=\"a\" target=\"b\"><data key=\"bw\">1e9</data></edge>\n\
                <edge source=\"b\" target=\"a\"><data key=\"bw\">1e10</data></edge>\n\
                <edge source=\"a\" target=\"a\"><data key=\"bw\">1e11</data></edge>\n";
    let (topo, warnings) = parse(&doc(body), GraphmlWeight::InverseCapacity);
    assert!(warnings.is_empty());
    assert_eq!(topo.edge_count(), 2);
    assert_eq!(topo.cost("a", "b"), Some(10.0));
    assert_eq!(topo.cost("b", "a"), Some(10.0));
}

#[test]
fn directed_edges() {
    let body = "<node id=\"a\"/><node id=\"b\"/><node id=\"c\"/>\n\
                <edge source=\"a\" target=\"b\" directed=\"true\"/>\n<edge source=\"b\" target=\"c\"/>\n";
    let (topo, _) = parse(&doc(body), GraphmlWeight::Hops);
    assert_eq!(
        (topo.cost("a", "b"), topo.cost("b", "a")),
        (Some(1.0), None)
    );
    assert_eq!(topo.cost("c", "b"), Some(1.0));
    let directed = doc(body).replace("edgedefault=\"undirected\"", "edgedefault=\"directed\"");
    let (topo, _) = parse(&directed, GraphmlWeight::Hops);
    assert_eq!(
        (topo.cost("b", "c"), topo.cost("c", "b")),
        (Some(1.0), None)
    );
}

#[test]
fn coordinates_at_the_same_place_cost_zero() {
    let node = |id| {
        format!("<node id=\"{id}\"><data key=\"lat\">10</data><data key=\"lon\">20</data></node>\n")
    };
    let body = format!(
        "{}{}<edge source=\"a\" target=\"b\"/>\n",
        node("a"),
        node("b")
    );
    let (topo, _) = parse(&doc(&body), GraphmlWeight::Distance);
    assert_eq!(topo.cost("a", "b"), Some(0.0));
}

#[test]
fn error_xml() {
    assert_eq!(
        parse_graphml("<graphml><graph></graphml>", GraphmlWeight::Hops)
            .unwrap_err()
            .to_string(),
        "GraphML: expected 'graph' tag, not 'graphml' at 1:17"
    );
}

#[test]
fn error_no_graph() {
    let text = "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\"/>";
    assert_eq!(
        parse_graphml(text, GraphmlWeight::Hops)
            .unwrap_err()
            .to_string(),
        "GraphML: no <graph> element"
    );
}

#[test]
fn error_missing_attr() {
    assert_eq!(
        err("<node/>\n"),
        "GraphML line 8: <node> has no `id` attribute"
    );
    assert_eq!(
        err("<node id=\"a\"/>\n<edge source=\"a\"/>\n"),
        "GraphML line 9: <edge> has no `target` attribute"
    );
}

#[test]
fn error_duplicate_node() {
    assert_eq!(
        err("<node id=\"a\"/>\n<node id=\"a\"/>\n"),
        "GraphML line 9: node id `a` is declared twice"
    );
}

#[test]
fn error_unknown_node() {
    assert_eq!(
        err("<node id=\"a\"/>\n<edge source=\"a\" target=\"z\"/>\n"),
        "GraphML line 9: edge refers to undeclared node `z`"
    );
}

#[test]
fn error_bad_number() {
    assert_eq!(
        err("<node id=\"a\">\n<data key=\"lat\">north</data></node>\n"),
        "GraphML line 9: Latitude `north` is not a finite number"
    );
    assert_eq!(
        err("<node id=\"a\"/><node id=\"b\"/>\n<edge source=\"a\" target=\"b\"><data key=\"bw\">0</data></edge>\n"),
        "GraphML line 9: LinkSpeedRaw `0` is not a positive number"
    );
}
