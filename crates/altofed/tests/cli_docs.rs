//! What a packager and a log pipeline get from the binary: man pages and
//! shell completions generated from the command line (every subcommand of
//! `altofed --help` has its page and its completion), and JSON log lines.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use altofed_tests::fixtures::{copy_tree, run, scenario, texts};
use altofed_tests::process::serve_ready;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_altofed");

/// (name, one-line description) of every subcommand in `altofed --help`
/// but `help`: what the user sees, independent of how pages are made.
fn subcommands() -> Vec<(String, String)> {
    let (help, _) = texts(&run(BIN, &["--help"]));
    let section = help.split("Commands:").nth(1).unwrap();
    let section = section.split("Options:").next().unwrap();
    let found: Vec<(String, String)> = section
        .lines()
        .filter_map(|l| l.trim().split_once(' '))
        .map(|(name, about)| (name.to_owned(), about.trim().to_owned()))
        .filter(|(name, _)| name != "help")
        .collect();
    assert!(found.len() >= 9, "{help}");
    found
}

/// A page as roff source, with the hyphen escapes taken out.
fn page(dir: &std::path::Path, file: &str) -> String {
    let text = std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    text.replace("\\-", "-")
}

#[test]
fn every_subcommand_has_a_man_page_listed_in_altofed_1() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man");
    let output = run(BIN, &["manpages", "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{:?}", texts(&output));
    let main = page(&out, "altofed.1");
    assert!(main.starts_with(".ie"), "roff source: {main}");
    assert!(main.contains(".TH altofed 1"), "{main}");
    for (name, about) in subcommands() {
        assert!(
            main.contains(&format!("altofed-{name}(1)")),
            "altofed.1 lists {name}"
        );
        let own = page(&out, &format!("altofed-{name}.1"));
        assert!(own.contains(&format!(".TH altofed-{name} 1")), "{own}");
        assert!(
            own.contains(&format!("altofed {name}")),
            "synopsis of {name}: {own}"
        );
        // The first words of its description (roff may wrap the rest).
        let start: String = about
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(own.contains(&start), "{name}: {start:?} in {own}");
    }
}

#[test]
fn manpages_into_an_unwritable_place_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let out = file.join("man");
    let output = run(BIN, &["manpages", "--out", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let (_, stderr) = texts(&output);
    assert!(
        stderr.starts_with(&format!("error: creating {}: ", out.display())),
        "{stderr}"
    );
}

#[test]
fn completions_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let output = run(BIN, &["completions", shell]);
        assert!(output.status.success(), "{shell}: {:?}", texts(&output));
        let (script, _) = texts(&output);
        assert!(script.contains("altofed"), "{shell}");
        for (name, _) in subcommands() {
            assert!(script.contains(&name), "{shell} completes {name}");
        }
        assert!(
            script.contains("log-format"),
            "{shell} completes --log-format"
        );
    }
    let output = run(BIN, &["completions", "tcsh"]);
    assert_eq!(output.status.code(), Some(2));
    let (_, stderr) = texts(&output);
    assert!(
        stderr.starts_with("error: invalid value 'tcsh' for '<SHELL>'"),
        "{stderr}"
    );
}

#[tokio::test]
async fn log_format_json_writes_one_object_per_line() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&scenario("figure5"), dir.path());
    let log = dir.path().join("serve.log");
    let config = dir.path().join("altofed.toml");
    let (server, _base) = serve_ready(BIN, &config, &["--log-format", "json"], &log).await;
    let text = server.log_text();
    let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    assert!(!lines.is_empty(), "no log line");
    let records: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect();
    let warning = records
        .iter()
        .find(|r| r["fields"]["message"] == "the admin API is served without authentication")
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(warning["level"], "WARN");
    assert_eq!(warning["target"], "altofed_server::server");
    assert!(warning["timestamp"].is_string(), "{warning}");

    let output = run(BIN, &["--log-format", "xml", "check", "--config", "x"]);
    assert_eq!(output.status.code(), Some(2));
    let (_, stderr) = texts(&output);
    assert!(
        stderr.starts_with(
            "error: invalid value 'xml' for '--log-format <LOG_FORMAT>'\n  [possible values: text, json]"
        ),
        "{stderr}"
    );
}
