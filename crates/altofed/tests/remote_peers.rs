//! `altofed compute` and `altofed check` with a peer pulled over HTTP
//! (issue #12): each pulls it once, as `serve` would; `check --offline`
//! says what it skipped; an unreachable peer is reported by URL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use altofed_tests::fixtures::{copy_tree, read_json, run, scenario, texts};
use altofed_tests::process::{start_announcing, Running};

const BIN: &str = env!("CARGO_BIN_EXE_altofed");

/// `altofed publish` serving Figure 5's ISP; its IRD URL.
fn isp(dir: &Path) -> (Running, String) {
    let maps = dir.join("isp-served");
    copy_tree(&scenario("figure5").join("isp-a"), &maps);
    let args = [
        "publish",
        "--dir",
        maps.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ];
    let (running, rest) = start_announcing(BIN, &args, &dir.join("isp.log"), "publishing ");
    (running, rest.rsplit(' ').next().unwrap().to_owned())
}

/// Figure 5 with its peer at `url` instead of in a directory.
fn remote_config(dir: &Path, url: &str) -> String {
    copy_tree(&scenario("figure5"), dir);
    let config = dir.join("altofed.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let remote = text.replace("dir = \"isp-a\"", &format!("url = \"{url}\""));
    assert_ne!(remote, text);
    std::fs::write(&config, remote).unwrap();
    config.to_str().unwrap().to_owned()
}

#[test]
fn compute_and_check_pull_an_http_peer_once() {
    let dir = tempfile::tempdir().unwrap();
    let (_isp, url) = isp(dir.path());
    let config = remote_config(&dir.path().join("remote"), &url);

    let out = dir.path().join("out");
    let output = run(
        BIN,
        &[
            "compute",
            "--config",
            &config,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{:?}", texts(&output));
    let expected = scenario("figure5").join("expected/multipath");
    for file in ["networkmap.json", "costmap.json", "propmap.json"] {
        assert_eq!(
            read_json(&out.join(file)),
            read_json(&expected.join(file)),
            "{file}"
        );
    }

    let output = run(BIN, &["check", "--config", &config]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.ends_with("altofed.toml: ok: 3 CDN PIDs, 2 border routers, 1 peers, 7 published PIDs, 12 cost pairs\n"), "{stdout}");

    let output = run(BIN, &["check", "--offline", "--config", &config]);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("note: --offline: peer(s) `isp-a` not fetched; their maps and the composition are not checked"), "{stderr}");
    assert!(
        stdout.ends_with(
            "altofed.toml: ok (offline): 3 CDN PIDs, 2 border routers, 0 of 1 peers read\n"
        ),
        "{stdout}"
    );
}

#[test]
fn an_unreachable_http_peer_fails_compute_and_check_naming_its_url() {
    let dir = tempfile::tempdir().unwrap();
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/directory");
    let config = remote_config(dir.path(), &url);
    let out = dir.path().join("out");
    let output = run(
        BIN,
        &[
            "compute",
            "--config",
            &config,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let (_, stderr) = texts(&output);
    assert!(!output.status.success());
    assert!(
        stderr.contains(&format!("GET {url}: cannot connect")),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing is written");

    let output = run(BIN, &["check", "--config", &config]);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("error: peer `isp-a`: GET {url}: cannot connect")),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("altofed.toml: 1 problem(s) found\n"),
        "{stderr}"
    );
}
