//! Figure 5 with `output.direction`: the subscriber -> CDN PID rows an HTTP
//! redirector asks for, worked out by hand, beside (or instead of) the CDN
//! PID rows; golden files in topologies/figure5/expected/both-* (regenerate
//! on purpose with UPDATE_EXPECT=1).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use altofed_tests::conformance::assert_output_conforms;
use altofed_tests::fixtures::{self, compare_or_regenerate, cost, read_json, scenario};

const BIN: &str = env!("CARGO_BIN_EXE_altofed");

/// Runs `altofed compute` on `topologies/figure5/<config>` into a fresh directory.
fn compute(config: &str) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    fixtures::compute(BIN, &scenario("figure5").join(config), out.path());
    out
}

const CDN: [&str; 3] = ["pid8", "pid9", "pid10"];
const SUBSCRIBERS: [&str; 3] = ["isp-a:pid1", "isp-a:pid2", "isp-a:pid3"];

/// Every `src -> dst` of `table` (rows `srcs`, columns `dsts`) in costmap.json.
fn assert_rows(dir: &Path, srcs: &[&str], dsts: &[&str], table: &[[f64; 3]]) {
    let doc = read_json(&dir.join("costmap.json"));
    for (src, row) in srcs.iter().zip(table) {
        for (dst, want) in dsts.iter().zip(row) {
            assert_eq!(cost(&doc, src, dst), Some(*want), "{src} -> {dst}");
        }
    }
}

/// The sources of costmap.json's rows, in order.
fn sources(dir: &Path) -> Vec<String> {
    let doc = read_json(&dir.join("costmap.json"));
    doc["cost-map"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

// Forward (design.md §1), rows pid8, pid9, pid10.
const MULTIPATH: [[f64; 3]; 3] = [[4.0, 11.0, 6.0], [5.0, 12.0, 7.0], [8.0, 5.0, 6.0]];
const SINGLE_PATH: [[f64; 3]; 3] = [[4.0, 12.0, 6.0], [5.0, 13.0, 7.0], [8.0, 5.0, 6.0]];

// Reverse, rows pid1, pid2, pid3 (and `default`, which inherits pid3's:
// the ISP's catch-all), columns pid8, pid9, pid10. C_isp(s, b) + c(l) via
// r6 (border pid4, c 1) / via r7 (pid5, c 2): pid1 1+1=2 / 5+2=7,
// pid2 9+1=10 / 2+2=4, pid3 3+1=4 / 3+2=5. C_cdn(r6, P) = 2 3 6,
// C_cdn(r7, P) = 7 8 1 (the topology is symmetric).
// Multipath, the minimum over both links:
// pid1 min(4,14) min(5,15) min(8,8); pid2 min(12,11) min(13,12) min(16,5);
// pid3 min(6,12) min(7,13) min(10,6).
const REVERSE_MULTIPATH: [[f64; 3]; 4] = [
    [4.0, 5.0, 8.0],
    [11.0, 12.0, 5.0],
    [6.0, 7.0, 6.0],
    [6.0, 7.0, 6.0],
];
// Single path, the ISP's hot potato: pid1 r6 (2 < 7), pid2 r7 (4 < 10),
// pid3 r6 (4 < 5): pid1 2 + (2 3 6), pid2 4 + (7 8 1), pid3 4 + (2 3 6).
const REVERSE_SINGLE_PATH: [[f64; 3]; 4] = [
    [4.0, 5.0, 8.0],
    [11.0, 12.0, 5.0],
    [6.0, 7.0, 10.0],
    [6.0, 7.0, 10.0],
];
const REVERSE_SOURCES: [&str; 4] = ["isp-a:pid1", "isp-a:pid2", "isp-a:pid3", "default"];

#[test]
fn both_directions_multipath() {
    let out = compute("altofed-both.toml");
    assert_rows(out.path(), &CDN, &SUBSCRIBERS, &MULTIPATH);
    assert_rows(out.path(), &REVERSE_SOURCES, &CDN, &REVERSE_MULTIPATH);
    let doc = read_json(&out.path().join("costmap.json"));
    // Subscriber rows hold CDN PIDs only: nothing between subscribers.
    assert_eq!(cost(&doc, "isp-a:pid1", "isp-a:pid2"), None);
    assert_eq!(sources(out.path()).len(), 7);
}

#[test]
fn both_directions_single_path() {
    let out = compute("altofed-single-both.toml");
    assert_rows(out.path(), &CDN, &SUBSCRIBERS, &SINGLE_PATH);
    assert_rows(out.path(), &REVERSE_SOURCES, &CDN, &REVERSE_SINGLE_PATH);
}

#[test]
fn subscriber_to_cdn_publishes_only_the_reverse_rows() {
    let out = compute("altofed-reverse.toml");
    assert_rows(out.path(), &REVERSE_SOURCES, &CDN, &REVERSE_SINGLE_PATH);
    assert_eq!(
        sources(out.path()),
        ["default", "isp-a:pid1", "isp-a:pid2", "isp-a:pid3"]
    );
    // Ranks over the whole map: costs {4,5,5,6,6,7,7,8,10,10,11,12} -> 1..=8.
    let ord = read_json(&out.path().join("costmap-ordinal.json"));
    assert_eq!(cost(&ord, "isp-a:pid1", "pid8"), Some(1.0));
    assert_eq!(cost(&ord, "isp-a:pid2", "pid9"), Some(8.0));
}

#[test]
fn every_document_conforms() {
    for config in [
        "altofed-both.toml",
        "altofed-single-both.toml",
        "altofed-reverse.toml",
    ] {
        assert_output_conforms(compute(config).path());
    }
}

#[test]
fn golden_files_match() {
    for (config, expected) in [
        ("altofed-both.toml", "both-multipath"),
        ("altofed-single-both.toml", "both-single-path"),
    ] {
        let out = compute(config);
        for file in [
            "networkmap.json",
            "costmap.json",
            "costmap-ordinal.json",
            "propmap.json",
        ] {
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
