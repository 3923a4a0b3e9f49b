//! Locating scenarios, running the binary, and comparing with expected
//! output (holo-style fixture directories: input + `expected/`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// Set to regenerate `expected/` files on purpose instead of comparing.
pub const REGENERATE_ENV: &str = "UPDATE_EXPECT";

/// The repository root (this crate lives in `<root>/tests`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// `<root>/topologies/<name>`.
pub fn scenario(name: &str) -> PathBuf {
    repo_root().join("topologies").join(name)
}

/// Runs `bin` (the `altofed` executable) with `args`.
pub fn run(bin: &str, args: &[&str]) -> Output {
    Command::new(bin)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("altofed binary runs")
}

/// Runs `bin compute --config config --out out`; panics with its output
/// if it fails.
pub fn compute(bin: &str, config: &Path, out: &Path) {
    let path = |p: &Path| p.to_str().expect("a UTF-8 path").to_owned();
    let (config_arg, out_arg) = (path(config), path(out));
    let args = ["compute", "--config", &config_arg, "--out", &out_arg];
    let output = run(bin, &args);
    let (stdout, stderr) = texts(&output);
    assert!(
        output.status.success(),
        "altofed compute --config {} failed:\n{stdout}\n{stderr}",
        config.display()
    );
}

/// stdout and stderr of a finished command, as text.
pub fn texts(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Reads and parses a JSON file.
pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Compares `actual` with the file `expected` as JSON values, or writes it
/// there when [`REGENERATE_ENV`] is set.
pub fn compare_or_regenerate(actual: &Path, expected: &Path) {
    if std::env::var_os(REGENERATE_ENV).is_some() {
        std::fs::create_dir_all(expected.parent().expect("expected file has a parent"))
            .expect("create expected dir");
        std::fs::copy(actual, expected).expect("write expected file");
        return;
    }
    let (got, want) = (read_json(actual), read_json(expected));
    assert!(
        got == want,
        "{} differs from {} (set {REGENERATE_ENV}=1 to regenerate on purpose)\n--- got:\n{}",
        actual.display(),
        expected.display(),
        serde_json::to_string_pretty(&got).unwrap_or_default()
    );
}

/// Copies a directory tree (scenario inputs) so a test may edit the copy.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create copy dir");
    for entry in std::fs::read_dir(from).expect("read scenario dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy file");
        }
    }
}

/// The cost from `src` to `dst` in a cost map document, if present.
pub fn cost(doc: &Value, src: &str, dst: &str) -> Option<f64> {
    doc["cost-map"][src][dst].as_f64()
}
