//! `altofed check` and `altofed compute` on broken inputs: each class of
//! mistake a user can make is reported with the file, the key and the
//! reason, and the command exits non-zero. A failed `compute` leaves what
//! an earlier run wrote untouched.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use altofed_tests::fixtures::{copy_tree, read_json, run, scenario, texts};

const BIN: &str = env!("CARGO_BIN_EXE_altofed");

/// A writable copy of topologies/figure5.
fn figure5_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&scenario("figure5"), dir.path());
    dir
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.contains(from),
        "{} does not contain {from:?}",
        path.display()
    );
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Runs `altofed check` on the copy's altofed.toml; returns stderr, asserting failure.
fn check_fails(dir: &Path) -> String {
    let config = dir.join("altofed.toml");
    let output = run(BIN, &["check", "--config", config.to_str().unwrap()]);
    let (stdout, stderr) = texts(&output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "check should fail:\n{stdout}\n{stderr}"
    );
    stderr
}

fn assert_mentions(stderr: &str, parts: &[&str]) {
    for part in parts {
        assert!(stderr.contains(part), "expected {part:?} in:\n{stderr}");
    }
}

#[test]
fn check_passes_on_the_scenario_and_summarises_it() {
    let dir = figure5_copy();
    let config = dir.path().join("altofed.toml");
    let output = run(BIN, &["check", "--config", config.to_str().unwrap()]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stdout.ends_with("altofed.toml: ok: 3 CDN PIDs, 2 border routers, 1 peers, 7 published PIDs, 12 cost pairs\n"),
        "{stdout}"
    );
}

#[test]
fn unknown_config_key() {
    let dir = figure5_copy();
    edit(
        &dir.path().join("altofed.toml"),
        "mode = \"multipath\"",
        "mode = \"multipath\"\ncolour = \"blue\"",
    );
    let stderr = check_fails(dir.path());
    assert_mentions(
        &stderr,
        &[
            "altofed.toml: TOML parse error at line 10",
            "unknown field `colour`",
        ],
    );
}

#[test]
fn unknown_topology_key() {
    let dir = figure5_copy();
    edit(
        &dir.path().join("cdn.toml"),
        "cost = 2\n",
        "cost = 2\nweight = 7\n",
    );
    let stderr = check_fails(dir.path());
    assert_mentions(&stderr, &["cdn.toml", "unknown field `weight`"]);
}

#[test]
fn bad_prefix_in_topology() {
    let dir = figure5_copy();
    edit(
        &dir.path().join("cdn.toml"),
        "203.0.113.0/26",
        "203.0.113.0/33",
    );
    let stderr = check_fails(dir.path());
    assert_mentions(
        &stderr,
        &[
            "cdn.toml",
            "line 51",
            "203.0.113.0/33",
            "invalid IP address syntax",
        ],
    );
}

#[test]
fn bad_prefix_in_peer_network_map() {
    let dir = figure5_copy();
    edit(
        &dir.path().join("isp-a/networkmap.json"),
        "198.51.100.0/25",
        "198.51.100.0/40",
    );
    let stderr = check_fails(dir.path());
    assert_mentions(
        &stderr,
        &[
            "peer `isp-a`",
            "isp-a/networkmap.json",
            "network-map.pid1.ipv4",
            "198.51.100.0/40",
        ],
    );
}

#[test]
fn unknown_node_in_topology() {
    let dir = figure5_copy();
    edit(
        &dir.path().join("cdn.toml"),
        "nodes = [\"n9\"]",
        "nodes = [\"n99\"]",
    );
    let stderr = check_fails(dir.path());
    assert_mentions(
        &stderr,
        &["cdn.toml: pid[1].nodes[0]: unknown router `n99`"],
    );
}

#[test]
fn negative_link_cost() {
    let dir = figure5_copy();
    edit(&dir.path().join("cdn.toml"), "cost = 2\n", "cost = -2\n");
    let stderr = check_fails(dir.path());
    assert_mentions(&stderr, &["cdn.toml: link[0].cost"]);
}

#[test]
fn link_to_unknown_border_router() {
    let dir = figure5_copy();
    edit(
        &dir.path().join("altofed.toml"),
        "router = \"r7\"",
        "router = \"r9\"",
    );
    let stderr = check_fails(dir.path());
    assert_mentions(
        &stderr,
        &["peer `isp-a` link `r9`: router `r9` is not a border router"],
    );
}

#[test]
fn missing_peer_file() {
    let dir = figure5_copy();
    std::fs::remove_file(dir.path().join("isp-a/costmap.json")).unwrap();
    let stderr = check_fails(dir.path());
    assert_mentions(
        &stderr,
        &[
            "peer `isp-a`",
            "isp-a/costmap.json: cannot read: No such file or directory",
        ],
    );
}

#[test]
fn malformed_peer_json() {
    let dir = figure5_copy();
    edit(
        &dir.path().join("isp-a/costmap.json"),
        "\"pid5\": 2 }",
        "\"pid5\": [2] }",
    );
    let stderr = check_fails(dir.path());
    assert_mentions(
        &stderr,
        &[
            "peer `isp-a`",
            "isp-a/costmap.json: not a valid cost map: at `cost-map.pid2.pid5`",
            "line 9 column",
        ],
    );
}

#[test]
fn truncated_peer_json() {
    let dir = figure5_copy();
    std::fs::write(dir.path().join("isp-a/networkmap.json"), "{\"meta\":").unwrap();
    let stderr = check_fails(dir.path());
    assert_mentions(
        &stderr,
        &[
            "isp-a/networkmap.json: not a valid network map",
            "EOF while parsing",
        ],
    );
}

#[test]
fn published_pid_name_too_long() {
    let dir = figure5_copy();
    let long = "subscribers-of-the-northern-region-of-the-country-x-and-more";
    assert_eq!(
        long.len(),
        60,
        "valid for the ISP, too long once namespaced"
    );
    for file in ["networkmap.json", "costmap.json"] {
        let path = dir.path().join("isp-a").join(file);
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\"pid1\"", &format!("\"{long}\""));
        std::fs::write(path, text).unwrap();
    }
    let stderr = check_fails(dir.path());
    assert_mentions(
        &stderr,
        &[
            "altofed.toml: peer `isp-a`: PID `subscribers-of-the-northern-region-of-the-country-x-and-more` cannot be published",
            "is 66 characters long; at most 64",
        ],
    );
}

#[test]
fn cost_map_for_another_network_map_version() {
    let dir = figure5_copy();
    edit(
        &dir.path().join("isp-a/costmap.json"),
        "figure5-netmap-v1",
        "figure5-netmap-v0",
    );
    let stderr = check_fails(dir.path());
    assert_mentions(
        &stderr,
        &["peer `isp-a`: cost map depends on network map isp-a-netmap/figure5-netmap-v0"],
    );
}

#[test]
fn border_address_in_no_pid() {
    let dir = figure5_copy();
    // Without the ISP's catch-all, 192.0.2.200 is in no PID.
    edit(
        &dir.path().join("isp-a/networkmap.json"),
        ", \"0.0.0.0/0\"",
        "",
    );
    edit(&dir.path().join("altofed.toml"), "192.0.2.5", "10.0.0.1");
    let stderr = check_fails(dir.path());
    assert_mentions(
        &stderr,
        &["peer `isp-a` link `r7`: address 10.0.0.1 matches no PID of the ISP network map"],
    );
}

#[test]
fn a_prefix_in_two_pids_of_a_peers_network_map() {
    let dir = figure5_copy();
    edit(
        &dir.path().join("isp-a/networkmap.json"),
        "\"pid2\": { \"ipv4\": [\"198.51.100.128/25\"]",
        "\"pid2\": { \"ipv4\": [\"198.51.100.128/25\", \"198.51.100.1/25\"]",
    );
    let stderr = check_fails(dir.path());
    assert_mentions(
        &stderr,
        &["peer `isp-a`: the network map is unusable: prefix 198.51.100.0/25 is in PID `pid1` and in PID `pid2`; a prefix must not be in two PIDs (RFC 7285 §11.2.2)"],
    );
}

#[test]
fn border_methods_disagree() {
    let dir = figure5_copy();
    edit(
        &dir.path().join("altofed.toml"),
        "border-by = \"address\"",
        "border-by = \"both\"",
    );
    edit(
        &dir.path().join("isp-a/propmap.json"),
        "\".priv:border-for\": \"pid7\"",
        "\".priv:border-for\": \"r7\"",
    );
    edit(&dir.path().join("altofed.toml"), "192.0.2.5", "192.0.2.4");
    let stderr = check_fails(dir.path());
    assert_mentions(
        &stderr,
        &["peer `isp-a` link `r7`: by address the ISP border is PID `pid4`, by attribute `pid5`"],
    );
}

#[test]
fn every_problem_is_reported_not_only_the_first() {
    let dir = figure5_copy();
    edit(
        &dir.path().join("cdn.toml"),
        "nodes = [\"n9\"]",
        "nodes = [\"n99\"]",
    );
    std::fs::remove_file(dir.path().join("isp-a/costmap.json")).unwrap();
    let stderr = check_fails(dir.path());
    assert_mentions(
        &stderr,
        &[
            "unknown router `n99`",
            "isp-a/costmap.json: cannot read",
            "2 problem(s) found",
        ],
    );
}

#[test]
fn failed_compute_leaves_earlier_output_untouched() {
    let dir = figure5_copy();
    let out = dir.path().join("out");
    let config = dir.path().join("altofed.toml");
    let args = [
        "compute",
        "--config",
        config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    assert!(run(BIN, &args).status.success());
    let before = read_json(&out.join("costmap.json"));

    std::fs::write(dir.path().join("isp-a/costmap.json"), "not json").unwrap();
    let output = run(BIN, &args);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.starts_with("error: peer `isp-a`: "), "{stderr}");
    assert_eq!(read_json(&out.join("costmap.json")), before);
}

#[test]
fn missing_config_file() {
    let output = run(BIN, &["check", "--config", "/nonexistent/altofed.toml"]);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr,
        "error: /nonexistent/altofed.toml: cannot read: No such file or directory (os error 2)\n"
    );
}

#[test]
fn border_address_only_in_the_catch_all() {
    let dir = figure5_copy();
    edit(&dir.path().join("altofed.toml"), "192.0.2.5", "10.0.0.1");
    let stderr = check_fails(dir.path());
    assert_mentions(
        &stderr,
        &["peer `isp-a` link `r7`: address 10.0.0.1 matches only the catch-all prefix of PID `pid3`"],
    );
}

#[test]
fn an_emptied_or_cut_topology_is_refused() {
    let dir = figure5_copy();
    let topology = dir.path().join("cdn.toml");
    std::fs::write(&topology, "").unwrap();
    let stderr = check_fails(dir.path());
    assert_mentions(
        &stderr,
        &[
            "cdn.toml: no CDN PID ([[pid]] tables): the published map would hold no CDN PID; \
             no border router ([[border]] tables): no peer could be composed",
            "1 problem(s) found",
        ],
    );
    let full = std::fs::read_to_string(scenario("figure5").join("cdn.toml")).unwrap();
    let cut = &full[..full.find("[[border]]").unwrap()];
    std::fs::write(&topology, cut).unwrap();
    let stderr = check_fails(dir.path());
    assert_mentions(
        &stderr,
        &["cdn.toml: no border router ([[border]] tables): no peer could be composed"],
    );
    assert!(!stderr.contains("no CDN PID"), "{stderr}");
    // Borders that no peer link uses leave every peer un-composed.
    std::fs::write(
        &topology,
        full.replace("router = \"r6\"", "router = \"c1\"")
            .replace("router = \"r7\"", "router = \"n9\""),
    )
    .unwrap();
    edit(
        &dir.path().join("cdn.toml"),
        "pid = \"pid6\"",
        "pid = \"pid60\"",
    );
    edit(
        &dir.path().join("cdn.toml"),
        "pid = \"pid7\"",
        "pid = \"pid70\"",
    );
    let stderr = check_fails(dir.path());
    assert_mentions(
        &stderr,
        &[
            "cdn.toml: no peer link's router is a border router of this topology (c1, n9): \
           every peer would be left un-composed",
        ],
    );
}
