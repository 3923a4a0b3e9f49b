//! Borders by attribute match the peer's property name with or without the
//! leading dot (RFC 9240 §5.2.2 writes a self-defined property `.priv:x`;
//! peers following RFC 7285 §10.8 or an old draft write `priv:x`): the
//! default `.priv:border-for` and a configured `priv:border-for` both find
//! the Figure 5 border PIDs whichever form the ISP publishes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use altofed_tests::fixtures::{copy_tree, read_json, run, scenario, texts};

const BIN: &str = env!("CARGO_BIN_EXE_altofed");
const CONFIG: &str = "altofed-attribute.toml";

/// The Figure 5 scenario with the ISP's border property spelt `published`
/// and `border-property` set to `configured` (`None`: the default).
fn scenario_with(published: &str, configured: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&scenario("figure5"), dir.path());
    let propmap = dir.path().join("isp-a/propmap.json");
    let text = std::fs::read_to_string(&propmap).unwrap();
    let text = text.replace("\".priv:border-for\"", &format!("\"{published}\""));
    std::fs::write(&propmap, text).unwrap();
    let config = dir.path().join(CONFIG);
    let line = "border-property = \"priv:border-for\"\n";
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains(line), "{text}");
    let setting = configured.map_or(String::new(), |c| format!("border-property = \"{c}\"\n"));
    std::fs::write(&config, text.replace(line, &setting)).unwrap();
    dir
}

/// `altofed compute` on the edited scenario: its exit status, stderr and
/// the cost map it wrote.
fn compute(dir: &Path) -> (bool, String, Option<serde_json::Value>) {
    let out = dir.join("out");
    let config = dir.join(CONFIG);
    let args = ["compute", "--config", config.to_str().unwrap()];
    let output = run(
        BIN,
        &[&args[..], &["--out", out.to_str().unwrap()]].concat(),
    );
    let (_, stderr) = texts(&output);
    let costs = out.join("costmap.json");
    let costs = costs.exists().then(|| read_json(&costs));
    (output.status.success(), stderr, costs)
}

fn by_address() -> serde_json::Value {
    read_json(&scenario("figure5").join("expected/multipath/costmap.json"))
}

#[test]
fn dotted_and_undotted_peer_names_match_the_default_and_an_undotted_setting() {
    for published in [".priv:border-for", "priv:border-for"] {
        for configured in [None, Some("priv:border-for"), Some(".priv:border-for")] {
            let dir = scenario_with(published, configured);
            let (ok, stderr, costs) = compute(dir.path());
            let case = format!("peer `{published}`, configured {configured:?}");
            assert!(ok, "{case}: {stderr}");
            assert_eq!(costs.unwrap(), by_address(), "{case}");
        }
    }
}

#[test]
fn another_property_name_does_not_match() {
    let dir = scenario_with(".priv:border-of", None);
    let (ok, stderr, costs) = compute(dir.path());
    assert!(!ok && costs.is_none(), "{stderr}");
    assert!(stderr.contains(".priv:border-for"), "{stderr}");
}
