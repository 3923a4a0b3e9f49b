//! The realdata scenario with `output.direction = "both"` (and
//! `subscriber-to-cdn`): every published cost in both directions checked
//! against the independent oracle, and the oracle's reverse direction
//! checked by hand on Figure 5.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::path::Path;

use altofed_tests::conformance::assert_output_conforms;
use altofed_tests::fixtures::{self, copy_tree, scenario};
use altofed_tests::realdata::oracle::{self, Expected, Origin};

const BIN: &str = env!("CARGO_BIN_EXE_altofed");

/// The realdata scenario copied to a temporary directory, `config` given
/// `direction` in its [output] table.
fn scenario_with(config: &str, direction: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&scenario("realdata"), dir.path());
    let path = dir.path().join(config);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("[output]\n"),
        "{config} has an [output] table"
    );
    let text = text.replace(
        "[output]\n",
        &format!("[output]\ndirection = \"{direction}\"\n"),
    );
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// Runs the binary on `config`, checks conformance and the oracle.
fn run_and_check(config: &Path) -> Expected {
    let out = tempfile::tempdir().unwrap();
    fixtures::compute(BIN, config, out.path());
    assert_output_conforms(out.path());
    let expected = oracle::expected(config);
    let found = oracle::mismatches(&expected, out.path());
    assert!(
        found.is_empty(),
        "{}: {} mismatches with the oracle:\n{}",
        config.display(),
        found.len(),
        found.join("\n")
    );
    expected
}

fn is_cdn(expected: &Expected, pid: &str) -> bool {
    matches!(expected.origin.get(pid), Some(Origin::Cdn))
}

/// (CDN PID -> subscriber pairs, subscriber -> CDN PID pairs) published.
fn pair_counts(expected: &Expected) -> (usize, usize) {
    let forward = expected
        .costs
        .keys()
        .filter(|(s, _)| is_cdn(expected, s))
        .count();
    (forward, expected.costs.len() - forward)
}

#[test]
fn both_directions_match_the_oracle() {
    for config in ["altofed.toml", "altofed-single.toml"] {
        let (_dir, path) = scenario_with(config, "both");
        let both = run_and_check(&path);
        let forward_only = oracle::expected(&scenario("realdata").join(config));
        let (forward, backward) = pair_counts(&both);
        assert_eq!(
            forward,
            forward_only.costs.len(),
            "{config}: forward rows kept"
        );
        // The ISPs publish few subscriber -> border costs (495 pairs in
        // multipath); single path fills the rest with output.default-cost.
        assert!(backward > 400, "{config}: {backward} reverse pairs");
        for (pair, cost) in &forward_only.costs {
            assert_eq!(both.costs.get(pair), Some(cost), "{config}: {pair:?}");
        }
    }
}

#[test]
fn single_path_reverse_differs_from_the_transpose() {
    // The ISP picks the link in the reverse direction, the CDN forward:
    // somewhere the two disagree, so the reverse check has teeth.
    let (_dir, path) = scenario_with("altofed-single.toml", "both");
    let both = run_and_check(&path);
    let differs = both.costs.iter().any(|((s, d), cost)| {
        !is_cdn(&both, s)
            && both
                .costs
                .get(&(d.clone(), s.clone()))
                .is_some_and(|c| c != cost)
    });
    assert!(differs, "every reverse cost equals its forward one");
}

#[test]
fn subscriber_to_cdn_matches_the_oracle_with_reverse_rows_only() {
    let (_dir, path) = scenario_with("altofed-single.toml", "subscriber-to-cdn");
    let expected = run_and_check(&path);
    let (forward, backward) = pair_counts(&expected);
    assert_eq!(forward, 0);
    assert!(backward > 1000, "{backward} reverse pairs");
    assert!(expected.exits.is_empty(), "no CDN exits without CDN rows");
}

/// The oracle's reverse direction reproduces the Figure 5 tables worked
/// out in crates/altofed/tests/figure5_reverse.rs.
#[test]
fn the_oracle_reproduces_the_reverse_worked_example() {
    let table = [
        ("isp-a:pid1", [4.0, 5.0, 8.0], [4.0, 5.0, 8.0]),
        ("isp-a:pid2", [11.0, 12.0, 5.0], [11.0, 12.0, 5.0]),
        ("isp-a:pid3", [6.0, 7.0, 6.0], [6.0, 7.0, 10.0]),
    ];
    let multi = oracle::expected(&scenario("figure5").join("altofed-both.toml"));
    let single = oracle::expected(&scenario("figure5").join("altofed-single-both.toml"));
    for (sub, m, s) in table {
        for (i, pid) in ["pid8", "pid9", "pid10"].iter().enumerate() {
            let pair = (sub.to_owned(), (*pid).to_owned());
            assert_eq!(
                multi.costs.get(&pair),
                Some(&m[i]),
                "multipath {sub} -> {pid}"
            );
            assert_eq!(
                single.costs.get(&pair),
                Some(&s[i]),
                "single path {sub} -> {pid}"
            );
        }
    }
}
