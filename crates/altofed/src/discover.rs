//! `altofed discover IP`: the ALTO server responsible for an address, by
//! RFC 8686 reverse-DNS discovery. The IRD URIs go to stdout, best first;
//! how they were found goes to stderr. Exit 0: found; 1: none; 75
//! (EX_TEMPFAIL): a lookup failed, try again later.

use std::process::ExitCode;

use altofed_peers::discovery::{discover, Resolver};
use anyhow::{Context, Result};

use crate::cli::DiscoverArgs;

const EX_TEMPFAIL: u8 = 75;

pub fn run(args: &DiscoverArgs) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(find(args))
}

#[allow(clippy::print_stdout, clippy::print_stderr)]
async fn find(args: &DiscoverArgs) -> Result<ExitCode> {
    let resolver = match args.nameserver {
        Some(server) => Resolver::with_nameserver(server)?,
        None => Resolver::from_system_conf()?,
    };
    match discover(args.address, &resolver).await {
        Ok(found) => {
            eprintln!("{}: found at {}", args.address, found.name);
            for failure in found.failures() {
                eprintln!(
                    "warning: {}: {:?}; a more specific server may exist",
                    failure.name, failure.outcome
                );
            }
            for uri in &found.uris {
                println!("{}", uri.uri);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(if e.is_temporary() {
                ExitCode::from(EX_TEMPFAIL)
            } else {
                ExitCode::FAILURE
            })
        }
    }
}
