//! `ALTOFED_*` environment overrides through the binary: an override
//! changes what is computed, and a mistyped variable stops the command
//! with the file, the variable and the key, before anything is written.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use altofed_tests::fixtures::{copy_tree, read_json, scenario, texts};

const BIN: &str = env!("CARGO_BIN_EXE_altofed");

fn compute(dir: &std::path::Path, env: &[(&str, &str)]) -> Output {
    Command::new(BIN)
        .arg("compute")
        .arg("--config")
        .arg(dir.join("altofed.toml"))
        .arg("--out")
        .arg(dir.join("out"))
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

#[test]
fn an_override_changes_the_published_resources() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&scenario("figure5"), dir.path());
    let out = compute(
        dir.path(),
        &[
            ("ALTOFED_OUTPUT__RESOURCE_PREFIX", "cdn"),
            ("ALTOFED_PEER__ISP_A__LINK__0__COST", "100"),
        ],
    );
    assert!(out.status.success(), "{}", texts(&out).1);
    let costs = read_json(&dir.path().join("out/costmap.json"));
    assert_eq!(costs["meta"]["vtag"]["resource-id"], "cdn-routingcost-num");
    // Link 0 (to r6) now costs 100: pid8 -> isp-a:pid1 leaves through r7,
    // C_cdn(pid8, r7) + c + C_isp(pid5, pid1) = 7 + 2 + 5 = 14 (was 4).
    assert_eq!(costs["cost-map"]["pid8"]["isp-a:pid1"], 14.0);
}

#[test]
fn a_mistyped_variable_fails_with_its_name_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&scenario("figure5"), dir.path());
    let out = compute(dir.path(), &[("ALTOFED_OUTPUT__RESOURCE_PREFX", "cdn")]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = texts(&out).1;
    let want = "altofed.toml: environment variable ALTOFED_OUTPUT__RESOURCE_PREFX: \
                output.resource-prefx: unknown field `resource-prefx`";
    assert!(stderr.contains(want), "{stderr}");
    assert!(!dir.path().join("out").exists());
}
