//! The CDN topology TOML format: parsing, defaults, rejected keys and the
//! `[import]` table.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use altofed_core::topology::{CdnSpec, GraphmlWeight, ImportFormat};

const FIGURE5: &str = include_str!("data/figure5-cdn.toml");

fn err(text: &str) -> String {
    CdnSpec::from_toml(text).unwrap_err().to_string()
}

#[test]
fn parses_the_worked_example() {
    let spec = CdnSpec::from_toml(FIGURE5).unwrap();
    assert!(spec.import.is_none());
    assert_eq!(spec.links.len(), 8);
    let link = &spec.links[0];
    assert_eq!(
        (
            link.from.as_str(),
            link.to.as_str(),
            link.cost,
            link.directed
        ),
        ("n8", "r6", 2.0, false)
    );
    assert_eq!(spec.pids.len(), 3);
    assert_eq!(spec.pids[2].name, "pid10");
    assert_eq!(spec.pids[2].nodes, ["n10"]);
    assert_eq!(spec.pids[2].ipv4[0].to_string(), "203.0.113.128/26");
    assert_eq!(spec.pids[2].ipv6[0].to_string(), "2001:db8:10::/48");
    assert!(spec.pids[0].ipv6.is_empty());
    assert_eq!(spec.borders.len(), 2);
    assert_eq!(spec.borders[1].router, "r7");
    assert_eq!(spec.borders[1].pid.as_deref(), Some("pid7"));
}

#[test]
fn empty_file_is_an_empty_spec() {
    assert_eq!(CdnSpec::from_toml("").unwrap(), CdnSpec::default());
}

#[test]
fn directed_links_and_float_costs() {
    let spec =
        CdnSpec::from_toml("[[link]]\nfrom = \"a\"\nto = \"b\"\ncost = 2.5\ndirected = true\n")
            .unwrap();
    assert!(spec.links[0].directed);
    assert_eq!(spec.links[0].cost, 2.5);
}

#[test]
fn unknown_key_is_rejected_naming_the_key() {
    let text = "[[link]]\nfrom = \"a\"\nto = \"b\"\ncost = 1\ncolour = \"red\"\n";
    assert_eq!(
        err(text),
        "TOML parse error at line 5, column 1\n  |\n5 | colour = \"red\"\n  | ^^^^^^\n\
         unknown field `colour`, expected one of `from`, `to`, `cost`, `directed`\n"
    );
}

#[test]
fn unknown_top_level_table_is_rejected() {
    let msg = err("[[router]]\nname = \"a\"\n");
    assert!(msg.contains("unknown field `router`"), "{msg}");
}

#[test]
fn missing_key_and_bad_prefix_are_rejected() {
    let msg = err("[[pid]]\nname = \"p\"\n");
    assert!(msg.contains("missing field `nodes`"), "{msg}");
    let msg = err("[[pid]]\nname = \"p\"\nnodes = [\"a\"]\nipv4 = [\"10.0.0.0/33\"]\n");
    assert!(msg.contains("line 4"), "{msg}");
}

#[test]
fn import_format_from_extension_or_given() {
    let spec = CdnSpec::from_toml("[import]\nfile = \"zoo/Abilene.GraphML\"\n").unwrap();
    let import = spec.import.unwrap();
    assert_eq!(import.format().unwrap(), ImportFormat::Graphml);
    assert_eq!(import.graphml_weight(), GraphmlWeight::Hops);
    assert_eq!(
        import.path_from(Path::new("/etc/altofed")),
        Path::new("/etc/altofed/zoo/Abilene.GraphML")
    );

    let spec = CdnSpec::from_toml("[import]\nfile = \"1755.weights.intra\"\n").unwrap();
    assert_eq!(
        spec.import.unwrap().format().unwrap(),
        ImportFormat::Rocketfuel
    );

    let text =
        "[import]\nfile = \"topo.xml\"\nformat = \"graphml\"\nweight = \"inverse-capacity\"\n";
    let import = CdnSpec::from_toml(text).unwrap().import.unwrap();
    assert_eq!(import.format().unwrap(), ImportFormat::Graphml);
    assert_eq!(import.graphml_weight(), GraphmlWeight::InverseCapacity);
}

#[test]
fn unknown_weight_mode_is_rejected() {
    let msg = err("[import]\nfile = \"a.graphml\"\nweight = \"latency\"\n");
    assert!(msg.contains("unknown variant `latency`"), "{msg}");
}

#[test]
fn error_unknown_import_format() {
    assert_eq!(
        err("[import]\nfile = \"topo.txt\"\n"),
        "import.file `topo.txt`: cannot infer the format from the extension; \
         set import.format to \"graphml\" or \"rocketfuel\""
    );
}

#[test]
fn error_weight_not_applicable() {
    assert_eq!(
        err("[import]\nfile = \"1755.weights.intra\"\nweight = \"distance\"\n"),
        "import.weight: only applies to graphml imports, not rocketfuel"
    );
}
