//! The realdata scenario (topologies/realdata: a CDN on GÉANT 2012 peering
//! with Sprint AS1239 and Tiscali AS3257, built from real data) run through
//! the `altofed` binary and checked against an independent oracle
//! (`altofed_tests::realdata::oracle`): every published cost, every
//! published prefix, the ordinal map and the property map.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]
#![allow(clippy::print_stderr, reason = "says why the drift check is skipped")]

use std::path::Path;

use altofed_tests::conformance::assert_output_conforms;
use altofed_tests::fixtures::{copy_tree, read_json, scenario};
use altofed_tests::realdata::generate::{default_data_dir, generate};
use altofed_tests::realdata::oracle::{self, compare, Decision, Expected, Origin};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_altofed");

fn compute(config: &Path, out: &Path) {
    altofed_tests::fixtures::compute(BIN, config, out);
}

/// Runs the binary on `config`, checks conformance and the oracle.
fn run_and_check(config: &Path) -> (Expected, tempfile::TempDir) {
    let out = tempfile::tempdir().unwrap();
    compute(config, out.path());
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
    (expected, out)
}

fn cost(expected: &Expected, src: &str, dst: &str) -> f64 {
    *expected
        .costs
        .get(&(src.to_owned(), dst.to_owned()))
        .unwrap_or_else(|| panic!("no cost {src} -> {dst}"))
}

#[test]
fn multipath_matches_the_oracle() {
    let (expected, _out) = run_and_check(&scenario("realdata").join("altofed.toml"));
    let count = |f: fn(&Origin) -> bool| expected.origin.values().filter(|o| f(o)).count();
    assert_eq!(count(|o| matches!(o, Origin::Cdn)), 11, "CDN PIDs");
    assert!(
        count(|o| matches!(o, Origin::Subscriber { peer: 0, .. })) >= 40,
        "Sprint PIDs published"
    );
    assert!(
        count(|o| matches!(o, Origin::Subscriber { peer: 1, .. })) >= 45,
        "Tiscali PIDs published"
    );
    assert!(expected.subscriber_prefixes.len() > 700, "real prefixes");
    // Tiscali's horizon leaves some pairs without any cost: they are omitted.
    assert!(expected.omitted > 0, "no pair is omitted");
    // The duplicated prefix goes to Tiscali (priority 20), not Sprint (10, listed first).
    let lost: Vec<_> = expected
        .given_up
        .iter()
        .filter(|g| g.prefix.prefix_len() > 0)
        .collect();
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert!(
        lost[0].loser.starts_with("as1239:") && lost[0].winner.starts_with("as3257:"),
        "{lost:?}"
    );
    // By hand: cdn-fra-ams sits on the Frankfurt border router (C_cdn 0),
    // c(fra) = 5, Sprint's Frankfurt border to its Frankfurt PID costs 0.
    assert_eq!(cost(&expected, "cdn-fra-ams", "as1239:frankfurt"), 5.0);
    assert_eq!(
        expected.links[0]
            .iter()
            .map(|l| l.isp_pid.as_str())
            .collect::<Vec<_>>(),
        ["border-london", "border-frankfurt", "border-amsterdam"]
    );
}

#[test]
fn single_path_matches_the_oracle() {
    let (expected, out) = run_and_check(&scenario("realdata").join("altofed-single.toml"));
    for decision in [Decision::Preference, Decision::HotPotato, Decision::Name] {
        assert!(
            expected.exits.iter().any(|e| e.decided_by == decision),
            "no exit decided by {decision:?}"
        );
    }
    // Equal cost over Sprint's `ams` and `fra` from cdn-fra-ams: the name decides.
    let exit = expected
        .exits
        .iter()
        .find(|e| e.cdn_pid == "cdn-fra-ams" && e.peer == "as1239")
        .unwrap();
    assert_eq!(
        (exit.link.as_str(), exit.decided_by),
        ("ams", Decision::Name)
    );
    // Pairs the chosen exit has no cost for get output.default-cost.
    assert!(expected.defaulted > 0, "no pair gets the default cost");
    // The two modes differ on this scenario, so each check has teeth.
    let multi = oracle::expected(&scenario("realdata").join("altofed.toml"));
    let costmap = read_json(&out.path().join("costmap.json"));
    assert!(
        !compare::costs(&multi.costs, &costmap).is_empty(),
        "multipath and single path agree everywhere"
    );
}

/// Lowers one Sprint cost in a copy of the scenario: the binary and the
/// oracle must both move, and the old expectation must be caught as wrong.
#[test]
fn a_changed_isp_cost_is_seen_by_both() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&scenario("realdata"), dir.path());
    let config = dir.path().join("altofed.toml");
    let before = oracle::expected(&config);
    let border = &before.links[0]
        .iter()
        .find(|l| l.name == "lon")
        .unwrap()
        .isp_pid;
    // The Sprint PID farthest from cdn-lon.
    let (target, old) = before
        .costs
        .iter()
        .filter(|((src, dst), _)| {
            src == "cdn-lon" && dst.starts_with("as1239:") && !dst.ends_with(":catch-all")
        })
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|((_, dst), c)| (dst.clone(), *c))
        .unwrap();
    let path = dir.path().join("as1239").join("costmap.json");
    let mut doc: Value = read_json(&path);
    doc["cost-map"][border][target.trim_start_matches("as1239:")] = 0.0.into();
    std::fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();

    let (after, out) = run_and_check(&config);
    // By hand: cdn-lon is on the London border router, c(lon) = 10, ISP cost now 0.
    assert_eq!(cost(&after, "cdn-lon", &target), 10.0);
    assert!(old > 10.0, "{old}");
    let stale = oracle::mismatches(&before, out.path());
    assert!(
        stale
            .iter()
            .any(|m| m.starts_with(&format!("cdn-lon -> {target}:"))),
        "old expectation not caught: {stale:?}"
    );
}

/// The oracle itself reproduces the worked example of design.md §1.
#[test]
fn the_oracle_reproduces_the_worked_example() {
    let table = [
        ("pid8", [4.0, 11.0, 6.0], [4.0, 12.0, 6.0]),
        ("pid9", [5.0, 12.0, 7.0], [5.0, 13.0, 7.0]),
        ("pid10", [8.0, 5.0, 6.0], [8.0, 5.0, 6.0]),
    ];
    let multi = oracle::expected(&scenario("figure5").join("altofed.toml"));
    let single = oracle::expected(&scenario("figure5").join("altofed-single.toml"));
    for (pid, m, s) in table {
        for (i, sub) in ["isp-a:pid1", "isp-a:pid2", "isp-a:pid3"]
            .iter()
            .enumerate()
        {
            assert_eq!(cost(&multi, pid, sub), m[i], "multipath {pid} -> {sub}");
            assert_eq!(cost(&single, pid, sub), s[i], "single path {pid} -> {sub}");
        }
    }
}

/// The committed files are what the generator makes of ../shared/data
/// (skipped on a clone without it).
#[test]
fn the_committed_scenario_is_up_to_date() {
    let data = default_data_dir();
    if !data.join("prefixes").is_dir() {
        eprintln!("skipped: {} is not there", data.display());
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let summary = generate(&data, tmp.path()).unwrap();
    for (file, _) in &summary.files {
        let committed = std::fs::read(scenario("realdata").join(file)).unwrap_or_default();
        let fresh = std::fs::read(tmp.path().join(file)).unwrap();
        assert!(
            committed == fresh,
            "topologies/realdata/{} is stale: run `cargo run -p altofed-tests --bin gen-realdata`",
            file.display()
        );
    }
}
