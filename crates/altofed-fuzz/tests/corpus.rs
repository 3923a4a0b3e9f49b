//! Replays the committed corpora (`fuzz/corpus/<target>/`) and crash
//! reproducers (`fuzz/regressions/<target>/`) through the targets on the
//! stable toolchain, so `cargo test` keeps every fixed crash fixed and
//! every seed passing. The corpus directories and `TARGETS` must name the
//! same targets. Only the files directly in a directory are replayed:
//! `fuzz/regressions/<target>/unfixed/` keeps reproducers of bugs not
//! fixed yet (docs/fuzzing.md).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use altofed_fuzz::{target, TARGETS};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The names of the subdirectories of `dir` (none if it does not exist).
fn subdirs(dir: &Path) -> BTreeSet<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return BTreeSet::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect()
}

/// The files of `dir`, sorted (none if it does not exist).
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

#[test]
fn every_target_has_a_corpus_and_every_corpus_a_target() {
    let names: BTreeSet<String> = TARGETS.iter().map(|(n, _)| (*n).to_owned()).collect();
    assert_eq!(subdirs(&fuzz_dir().join("corpus")), names);
    let regressions = subdirs(&fuzz_dir().join("regressions"));
    let unknown: Vec<_> = regressions.difference(&names).collect();
    assert!(unknown.is_empty(), "regressions for no target: {unknown:?}");
    for name in &names {
        let source = fuzz_dir().join("fuzz_targets").join(format!("{name}.rs"));
        assert!(source.is_file(), "{} is missing", source.display());
    }
}

#[test]
fn corpora_and_regressions_replay_without_panic() {
    let mut replayed = 0;
    let mut panicked = Vec::new();
    for (name, run) in TARGETS {
        for kind in ["corpus", "regressions"] {
            for file in files(&fuzz_dir().join(kind).join(name)) {
                let data = fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
                // Every file is run, so one failure names all that fail.
                if std::panic::catch_unwind(|| run(&data)).is_err() {
                    panicked.push(format!("{name}: {}", file.display()));
                }
                replayed += 1;
            }
        }
        assert!(target(name).is_some());
    }
    assert!(panicked.is_empty(), "targets panicked on {panicked:#?}");
    assert!(
        replayed > 0,
        "no corpus file under {}",
        fuzz_dir().display()
    );
}
