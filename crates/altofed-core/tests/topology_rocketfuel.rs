//! Rocketfuel `weights.intra` import: facts about AS 1755 (data/README.md)
//! and every Rocketfuel error with its exact message.
#![allow(clippy::unwrap_used)]

use altofed_core::topology::parse_rocketfuel;

const AS1755: &str = include_str!("data/1755.weights.intra");

fn err(text: &str) -> String {
    parse_rocketfuel(text).unwrap_err().to_string()
}

#[test]
fn as1755_counts_and_weights() {
    let topo = parse_rocketfuel(AS1755).unwrap();
    assert_eq!(AS1755.lines().count(), 322);
    assert_eq!(topo.node_count(), 87);
    assert_eq!(topo.edge_count(), 322);
    let weights: Vec<f64> = topo.graph.edge_weights().copied().collect();
    assert_eq!(weights.iter().copied().fold(f64::INFINITY, f64::min), 1.0);
    assert_eq!(weights.iter().copied().fold(0.0, f64::max), 16.0);
    assert!(
        weights.iter().any(|w| w.fract() == 0.5),
        "some weights are .5"
    );
    // First line of the file, and its reverse.
    assert_eq!(
        topo.cost("London,+UnitedKingdom209", "London,+UnitedKingdom289"),
        Some(5.0)
    );
    assert_eq!(
        topo.cost("London,+UnitedKingdom289", "London,+UnitedKingdom209"),
        Some(5.0)
    );
    assert_eq!(
        topo.cost("London,+UnitedKingdom209", "Amsterdam,+Netherlands227"),
        Some(7.5)
    );
}

#[test]
fn as1755_is_symmetric() {
    let topo = parse_rocketfuel(AS1755).unwrap();
    for e in topo.graph.edge_indices() {
        let (a, b) = topo.graph.edge_endpoints(e).unwrap();
        assert_eq!(topo.cost(topo.name(b), topo.name(a)), Some(topo.graph[e]));
    }
}

#[test]
fn blank_lines_repeats_and_self_loops() {
    let topo = parse_rocketfuel("a b 3\n\n  \na b 2\na a 1\r\nb a 0\n").unwrap();
    assert_eq!(topo.cost("a", "b"), Some(2.0));
    assert_eq!(topo.cost("b", "a"), Some(0.0));
    assert_eq!(topo.cost("a", "a"), None);
    assert_eq!(topo.edge_count(), 2);
}

#[test]
fn error_field_count() {
    assert_eq!(
        err("a b 1\na b\n"),
        "Rocketfuel line 2: expected 3 fields `<src> <dst> <metric>`, found 2"
    );
    assert_eq!(
        err("a b 1 x\n"),
        "Rocketfuel line 1: expected 3 fields `<src> <dst> <metric>`, found 4"
    );
}

#[test]
fn error_bad_metric() {
    assert_eq!(
        err("\na b 1\na c two\n"),
        "Rocketfuel line 3: metric `two` is not a number"
    );
}

#[test]
fn error_metric_range() {
    assert_eq!(
        err("a b -1\n"),
        "Rocketfuel line 1: metric -1 must be finite and non-negative"
    );
    assert_eq!(
        err("a b inf\n"),
        "Rocketfuel line 1: metric inf must be finite and non-negative"
    );
    assert_eq!(
        err("a b NaN\n"),
        "Rocketfuel line 1: metric NaN must be finite and non-negative"
    );
}
