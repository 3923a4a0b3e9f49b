//! A directory peer's files (issue #12): only regular files are read (a
//! FIFO is refused at once instead of blocking the reader forever), and a
//! document that parses is not yet accepted: a repeated key or bytes after
//! the JSON value are refused with an error naming file and key.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use altofed_peers::{DirectorySource, PeerSource};
use altofed_tests::fixtures::{copy_tree, scenario};

/// Figure 5's isp-a in a fresh directory.
fn isp_a() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&scenario("figure5").join("isp-a"), dir.path());
    dir
}

fn fetch_error(dir: &Path) -> String {
    let started = Instant::now();
    let error = DirectorySource::new(dir).fetch().unwrap_err().to_string();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the read blocked for {:?}",
        started.elapsed()
    );
    error
}

fn rewrite(path: &Path, change: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    let changed = change(text.clone());
    assert_ne!(text, changed);
    std::fs::write(path, changed).unwrap();
}

#[test]
fn a_fifo_a_directory_or_a_device_is_refused_at_once_naming_the_file() {
    let dir = isp_a();
    let propmap = dir.path().join("propmap.json");

    std::fs::remove_file(&propmap).unwrap();
    let made = Command::new("mkfifo").arg(&propmap).status().unwrap();
    assert!(made.success());
    assert_eq!(
        fetch_error(dir.path()),
        format!(
            "{}: cannot read: it is a FIFO; only regular files are read",
            propmap.display()
        )
    );

    std::fs::remove_file(&propmap).unwrap();
    std::fs::create_dir(&propmap).unwrap();
    assert_eq!(
        fetch_error(dir.path()),
        format!(
            "{}: cannot read: it is a directory; only regular files are read",
            propmap.display()
        )
    );

    std::fs::remove_dir(&propmap).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &propmap).unwrap();
    assert_eq!(
        fetch_error(dir.path()),
        format!(
            "{}: cannot read: it is a device; only regular files are read",
            propmap.display()
        )
    );

    // A symlink to a regular file is a regular file.
    std::fs::remove_file(&propmap).unwrap();
    let original = scenario("figure5").join("isp-a").join("propmap.json");
    std::os::unix::fs::symlink(original, &propmap).unwrap();
    let maps = DirectorySource::new(dir.path()).fetch().unwrap();
    assert!(maps.property_map.is_some());
}

#[test]
fn a_repeated_key_is_refused_naming_file_and_key() {
    let dir = isp_a();
    let netmap = dir.path().join("networkmap.json");
    rewrite(&netmap, |t| {
        t.replace(
            "\"pid4\": { \"ipv4\": [\"192.0.2.4/32\"] },",
            "\"pid4\": { \"ipv4\": [\"192.0.2.4/32\"] },\n    \"pid1\": { \"ipv4\": [\"192.0.2.6/32\"] },",
        )
    });
    assert_eq!(
        fetch_error(dir.path()),
        format!(
            "{}: not a valid network map: at `network-map`: duplicate key `pid1` at line 10 column 10",
            netmap.display()
        )
    );

    let dir = isp_a();
    let costmap = dir.path().join("costmap.json");
    rewrite(&costmap, |t| {
        t.replace(
            "\"pid1\": { \"pid4\": 1, \"pid5\": 5 }",
            "\"pid1\": { \"pid4\": 1, \"pid5\": 5, \"pid4\": 0 }",
        )
    });
    let error = fetch_error(dir.path());
    assert!(
        error.starts_with(&format!(
            "{}: not a valid cost map: at `cost-map.pid1`: duplicate key `pid4` at line",
            costmap.display()
        )),
        "{error}"
    );
}

#[test]
fn bytes_after_the_json_value_are_refused() {
    let dir = isp_a();
    let costmap = dir.path().join("costmap.json");
    rewrite(&costmap, |t| format!("{t}\n{{\"cost-map\": {{}}}}\n"));
    let error = fetch_error(dir.path());
    assert!(
        error.starts_with(&format!(
            "{}: not a valid cost map: at `.`: trailing characters at line",
            costmap.display()
        )),
        "{error}"
    );

    // Whitespace after the value is not garbage.
    let dir = isp_a();
    let costmap = dir.path().join("costmap.json");
    rewrite(&costmap, |t| format!("{t}\n\n  \t\n"));
    DirectorySource::new(dir.path()).fetch().unwrap();
}
