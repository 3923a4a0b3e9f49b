//! The draft's Figure 5 scenario end to end through the binary: the exact
//! tables of design.md §1, conformance of every document written, and the
//! golden files in topologies/figure5/expected/ (regenerate on purpose with
//! UPDATE_EXPECT=1; not `ALTOFED_*`, which the binary reads as configuration).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use altofed_tests::conformance::assert_output_conforms;
use altofed_tests::fixtures::{self, compare_or_regenerate, cost, read_json, scenario, texts};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_altofed");
const OUTPUT_FILES: [&str; 4] = [
    "networkmap.json",
    "costmap.json",
    "costmap-ordinal.json",
    "propmap.json",
];

/// Runs `altofed compute` on `topologies/figure5/<config>` into a fresh directory.
fn compute(config: &str) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    fixtures::compute(BIN, &scenario("figure5").join(config), out.path());
    out
}

/// design.md §1 table, rows pid8, pid9, pid10; columns isp-a:pid1..3.
fn assert_table(dir: &Path, table: [[f64; 3]; 3]) {
    let doc = read_json(&dir.join("costmap.json"));
    for (row, src) in ["pid8", "pid9", "pid10"].iter().enumerate() {
        for (col, dst) in ["isp-a:pid1", "isp-a:pid2", "isp-a:pid3"]
            .iter()
            .enumerate()
        {
            assert_eq!(
                cost(&doc, src, dst),
                Some(table[row][col]),
                "{src} -> {dst}"
            );
        }
    }
}

const MULTIPATH: [[f64; 3]; 3] = [[4.0, 11.0, 6.0], [5.0, 12.0, 7.0], [8.0, 5.0, 6.0]];
const SINGLE_PATH: [[f64; 3]; 3] = [[4.0, 12.0, 6.0], [5.0, 13.0, 7.0], [8.0, 5.0, 6.0]];

#[test]
fn multipath_by_address_gives_the_design_table() {
    let out = compute("altofed.toml");
    assert_table(out.path(), MULTIPATH);
}

#[test]
fn single_path_gives_the_hot_potato_table() {
    let out = compute("altofed-single.toml");
    assert_table(out.path(), SINGLE_PATH);
}

#[test]
fn borders_by_attribute_give_the_same_documents_as_by_address() {
    let (by_address, by_attribute) = (compute("altofed.toml"), compute("altofed-attribute.toml"));
    assert_table(by_attribute.path(), MULTIPATH);
    for file in OUTPUT_FILES {
        assert_eq!(
            read_json(&by_address.path().join(file)),
            read_json(&by_attribute.path().join(file)),
            "{file}"
        );
    }
}

#[test]
fn every_document_conforms() {
    for config in [
        "altofed.toml",
        "altofed-single.toml",
        "altofed-attribute.toml",
    ] {
        assert_output_conforms(compute(config).path());
    }
}

#[test]
fn published_network_map_holds_cdn_and_subscriber_pids_but_no_border_pid() {
    let out = compute("altofed.toml");
    let map = read_json(&out.path().join("networkmap.json"));
    let pids: Vec<&str> = map["network-map"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        pids,
        [
            "default",
            "isp-a:pid1",
            "isp-a:pid2",
            "isp-a:pid3",
            "pid10",
            "pid8",
            "pid9"
        ]
    );
    // The ISP's catch-all moved to the aggregator's own catch-all PID.
    assert_eq!(
        map["network-map"]["default"],
        serde_json::json!({"ipv4": ["0.0.0.0/0"], "ipv6": ["::/0"]})
    );
    assert_eq!(
        map["network-map"]["isp-a:pid3"],
        serde_json::json!({"ipv4": ["192.0.2.128/25"], "ipv6": ["2001:db8:3::/48"]})
    );
}

#[test]
fn catch_all_pid_inherits_the_costs_of_the_isps_catch_all_pid() {
    let out = compute("altofed.toml");
    let doc = read_json(&out.path().join("costmap.json"));
    for src in ["pid8", "pid9", "pid10"] {
        assert_eq!(
            cost(&doc, src, "default"),
            cost(&doc, src, "isp-a:pid3"),
            "{src}"
        );
    }
}

#[test]
fn ordinal_map_ranks_every_entry_with_ties_sharing_a_rank() {
    let out = compute("altofed.toml");
    let (num, ord) = (
        read_json(&out.path().join("costmap.json")),
        read_json(&out.path().join("costmap-ordinal.json")),
    );
    let entries = |doc: &Value| -> Vec<(String, String, f64)> {
        let mut v = Vec::new();
        for (src, row) in doc["cost-map"].as_object().unwrap() {
            for (dst, c) in row.as_object().unwrap() {
                v.push((src.clone(), dst.clone(), c.as_f64().unwrap()));
            }
        }
        v
    };
    let (n, o) = (entries(&num), entries(&ord));
    assert_eq!(n.len(), o.len());
    for ((s1, d1, a), (s2, d2, ra)) in n.iter().zip(&o) {
        assert_eq!((s1, d1), (s2, d2));
        for ((_, _, b), (_, _, rb)) in n.iter().zip(&o) {
            assert_eq!(
                a.total_cmp(b),
                ra.total_cmp(rb),
                "ranks follow costs: {a} vs {b}"
            );
        }
    }
    // Multipath costs are {4,5,5,6,6,6,6,7,7,8,11,12} -> dense ranks 1..=7.
    assert_eq!(cost(&ord, "pid8", "isp-a:pid1"), Some(1.0));
    assert_eq!(cost(&ord, "pid9", "isp-a:pid2"), Some(7.0));
}

#[test]
fn golden_files_match() {
    for (config, expected) in [
        ("altofed.toml", "multipath"),
        ("altofed-single.toml", "single-path"),
        ("altofed-attribute.toml", "multipath"),
    ] {
        let out = compute(config);
        for file in OUTPUT_FILES {
            compare_or_regenerate(
                &out.path().join(file),
                &scenario("figure5")
                    .join("expected")
                    .join(expected)
                    .join(file),
            );
        }
    }
}

#[test]
fn without_the_ordinal_map_only_the_numerical_one_is_written_and_an_old_one_goes() {
    let out = compute("altofed.toml");
    let ordinal = out.path().join("costmap-ordinal.json");
    assert!(ordinal.exists());
    let config = scenario("figure5").join("altofed.toml");
    let output = std::process::Command::new(BIN)
        .args(["compute", "--config", config.to_str().unwrap(), "--out"])
        .arg(out.path())
        .env("ALTOFED_OUTPUT__ORDINAL_COST_MAP", "false")
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        !ordinal.exists(),
        "the ordinal map of the earlier run would be served as current"
    );
    assert_table(out.path(), MULTIPATH);
}
