//! Building a CDN network from a spec: graph, PIDs, borders, every build
//! error with its exact message, and warnings.
#![allow(clippy::unwrap_used)]

use altofed_core::topology::{
    build_network, import_topology, parse_rocketfuel, CdnSpec, Topology, TopologyWarning,
};
use altofed_model::NameError;

const FIGURE5: &str = include_str!("data/figure5-cdn.toml");

/// The build error message for a spec (which must parse).
fn err(text: &str) -> String {
    let spec = CdnSpec::from_toml(text).unwrap();
    build_network(&spec, None).unwrap_err().to_string()
}

const LINK_AB: &str = "[[link]]\nfrom = \"a\"\nto = \"b\"\ncost = 1\n";

#[test]
fn worked_example_network() {
    let spec = CdnSpec::from_toml(FIGURE5).unwrap();
    let (net, warnings) = build_network(&spec, None).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let topo = &net.topology;
    assert_eq!(topo.node_count(), 6);
    assert_eq!(topo.edge_count(), 16);
    assert_eq!(topo.cost("n8", "r6"), Some(2.0));
    assert_eq!(topo.cost("r6", "n8"), Some(2.0));
    assert_eq!(net.pids.len(), 3);
    assert_eq!(net.pids[0].attachments, [topo.node("n8").unwrap()]);
    assert_eq!(net.pids[0].prefixes.ipv4[0].to_string(), "203.0.113.0/26");
    assert_eq!(net.borders[0].router, topo.node("r6").unwrap());
    assert_eq!(net.border_index("pid7"), Some(1));
    assert_eq!(net.border_index("r6"), Some(0));
}

#[test]
fn directed_link_is_one_edge() {
    let spec =
        CdnSpec::from_toml("[[link]]\nfrom = \"a\"\nto = \"b\"\ncost = 0\ndirected = true\n")
            .unwrap();
    let (net, _) = build_network(&spec, None).unwrap();
    assert_eq!(net.topology.cost("a", "b"), Some(0.0));
    assert_eq!(net.topology.cost("b", "a"), None);
}

#[test]
fn spec_link_overrides_imported_edge_and_adds_routers() {
    let imported = parse_rocketfuel("a b 5\nb a 5\n").unwrap();
    let text = "[[link]]\nfrom = \"a\"\nto = \"b\"\ncost = 2\ndirected = true\n\
                [[link]]\nfrom = \"b\"\nto = \"c\"\ncost = 1\n";
    let (net, _) = build_network(&CdnSpec::from_toml(text).unwrap(), Some(imported)).unwrap();
    assert_eq!(net.topology.cost("a", "b"), Some(2.0));
    assert_eq!(net.topology.cost("b", "a"), Some(5.0));
    assert_eq!(net.topology.cost("c", "b"), Some(1.0));
    assert_eq!(net.topology.node_count(), 3);
}

#[test]
fn import_topology_dispatches_on_format() {
    let spec = CdnSpec::from_toml("[import]\nfile = \"x.intra\"\n").unwrap();
    let (topo, warnings) = import_topology(spec.import.as_ref().unwrap(), "a b 1.5\n").unwrap();
    assert_eq!(topo.cost("a", "b"), Some(1.5));
    assert!(warnings.is_empty());
    let spec = CdnSpec::from_toml("[import]\nfile = \"x.graphml\"\n").unwrap();
    let msg = import_topology(spec.import.as_ref().unwrap(), "a b 1")
        .unwrap_err()
        .to_string();
    assert!(msg.starts_with("GraphML: "), "{msg}");
}

#[test]
fn duplicate_attachments_are_merged() {
    let text = format!("{LINK_AB}[[pid]]\nname = \"p\"\nnodes = [\"a\", \"b\", \"a\"]\n");
    let (net, _) = build_network(&CdnSpec::from_toml(&text).unwrap(), None).unwrap();
    assert_eq!(net.pids[0].attachments.len(), 2);
}

#[test]
fn isolated_router_warning() {
    let mut imported = Topology::default();
    imported.ensure_node("lonely");
    let (_, warnings) =
        build_network(&CdnSpec::from_toml(LINK_AB).unwrap(), Some(imported)).unwrap();
    assert_eq!(
        warnings,
        [TopologyWarning::IsolatedRouter {
            router: "lonely".into()
        }]
    );
    assert_eq!(warnings[0].to_string(), "router `lonely` has no links");
}

#[test]
fn error_bad_cost() {
    let link = |cost: &str| format!("{LINK_AB}[[link]]\nfrom = \"b\"\nto = \"c\"\ncost = {cost}\n");
    assert_eq!(
        err(&link("-1")),
        "link[1].cost: cost must be finite and non-negative, got -1"
    );
    assert_eq!(
        err(&link("inf")),
        "link[1].cost: cost must be finite and non-negative, got inf"
    );
    assert_eq!(
        err(&link("nan")),
        "link[1].cost: cost must be finite and non-negative, got NaN"
    );
}

#[test]
fn error_self_loop() {
    assert_eq!(
        err("[[link]]\nfrom = \"a\"\nto = \"a\"\ncost = 1\n"),
        "link[0]: link from router `a` to itself"
    );
}

#[test]
fn error_duplicate_link() {
    let text = format!("{LINK_AB}[[link]]\nfrom = \"b\"\nto = \"a\"\ncost = 3\ndirected = true\n");
    assert_eq!(
        err(&text),
        "link[1]: `b` -> `a` is already given by link[0]"
    );
}

#[test]
fn error_unknown_node_in_pid() {
    let text = format!("{LINK_AB}[[pid]]\nname = \"p\"\nnodes = [\"a\"]\n[[pid]]\nname = \"q\"\nnodes = [\"b\", \"x\"]\n");
    assert_eq!(err(&text), "pid[1].nodes[1]: unknown router `x`");
}

#[test]
fn error_unknown_node_in_border() {
    let text = format!("{LINK_AB}[[border]]\nrouter = \"r9\"\n");
    assert_eq!(err(&text), "border[0].router: unknown router `r9`");
}

#[test]
fn error_invalid_pid_name() {
    // The reason is altofed-model's own message, quoted whole.
    let text = format!("{LINK_AB}[[pid]]\nname = \"cdn.eu\"\nnodes = [\"a\"]\n");
    let reason = NameError::ReservedDot {
        name: "cdn.eu".into(),
    };
    assert_eq!(
        err(&text),
        format!("pid[0].name: invalid PID name: {reason}")
    );
    let text = format!("{LINK_AB}[[border]]\nrouter = \"a\"\npid = \"\"\n");
    assert_eq!(
        err(&text),
        format!("border[0].pid: invalid PID name: {}", NameError::Empty)
    );
}

#[test]
fn error_duplicate_pid() {
    let pid = "[[pid]]\nname = \"p\"\nnodes = [\"a\"]\n";
    assert_eq!(
        err(&format!("{LINK_AB}{pid}{pid}")),
        "pid[1].name: duplicate PID name `p` (first at pid[0].name)"
    );
}

#[test]
fn error_duplicate_border() {
    let text = format!("{LINK_AB}[[border]]\nrouter = \"a\"\n[[border]]\nrouter = \"a\"\n");
    assert_eq!(
        err(&text),
        "border[1].router: `a` is already used by border[0].router"
    );
    let text = format!("{LINK_AB}[[border]]\nrouter = \"a\"\npid = \"x\"\n[[border]]\nrouter = \"b\"\npid = \"x\"\n");
    assert_eq!(
        err(&text),
        "border[1].pid: `x` is already used by border[0].pid"
    );
    let text =
        format!("{LINK_AB}[[border]]\nrouter = \"a\"\npid = \"b\"\n[[border]]\nrouter = \"b\"\n");
    assert_eq!(
        err(&text),
        "border[1].router: `b` is already used by border[0].pid"
    );
}

#[test]
fn error_no_attachment() {
    let text = format!("{LINK_AB}[[pid]]\nname = \"p\"\nnodes = []\n");
    assert_eq!(
        err(&text),
        "pid[0].nodes: a PID needs at least one attachment router"
    );
}
