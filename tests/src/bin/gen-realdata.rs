//! Regenerates `topologies/realdata/` from the project's real data.
//!
//! ```text
//! cargo run -p altofed-tests --bin gen-realdata [-- --data DIR --out DIR]
//! ```
//! Defaults: `--data <repo>/../shared/data`, `--out <repo>/topologies/realdata`.
#![allow(
    clippy::print_stdout,
    reason = "a command-line tool reporting what it wrote"
)]

use std::path::PathBuf;

use altofed_tests::fixtures::scenario;
use altofed_tests::realdata::generate::{default_data_dir, generate};
use anyhow::{bail, Context, Result};

fn main() -> Result<()> {
    let (mut data, mut out) = (default_data_dir(), scenario("realdata"));
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value =
            || -> Result<PathBuf> { Ok(PathBuf::from(args.next().context("a value")?)) };
        match arg.as_str() {
            "--data" => data = value()?,
            "--out" => out = value()?,
            _ => bail!("usage: gen-realdata [--data DIR] [--out DIR]"),
        }
    }
    let summary =
        generate(&data, &out).with_context(|| format!("generating from {}", data.display()))?;
    for isp in &summary.isps {
        println!(
            "AS{}: {} prefixes, {} PoP locations, {} cost entries, border routers {:?}",
            isp.asn, isp.prefixes, isp.locations, isp.cost_entries, isp.border_addresses
        );
    }
    println!("duplicate prefix: {}", summary.duplicate);
    let total: usize = summary.files.iter().map(|(_, n)| n).sum();
    for (file, bytes) in &summary.files {
        println!("{:>8}  {}", bytes, out.join(file).display());
    }
    println!("{total:>8}  total");
    Ok(())
}
