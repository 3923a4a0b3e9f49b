//! The binary runs on jemalloc with the options of `src/alloc.rs`: asked
//! to print its statistics at exit (`_RJEM_MALLOC_CONF`, which adds to the
//! compiled-in options), jemalloc reports the options it started with.
//! Without the `jemalloc` feature there is nothing to check.

#![cfg(feature = "jemalloc")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_altofed");

#[test]
fn the_binary_allocates_with_jemalloc_and_its_options() {
    let out = Command::new(BIN)
        .arg("--version")
        .env("_RJEM_MALLOC_CONF", "stats_print:true")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stats = String::from_utf8_lossy(&out.stderr);
    assert!(stats.contains("jemalloc statistics"), "{stats}");
    for option in [
        "opt.background_thread: true",
        "opt.dirty_decay_ms: 1000",
        "opt.muzzy_decay_ms: 0",
    ] {
        assert!(stats.contains(option), "{option} not in {stats}");
    }
}
