//! `altofed`: the federated inter-domain ALTO cost aggregator.

#[cfg(feature = "jemalloc")]
mod alloc;
mod check;
mod cli;
mod compute;
mod demo;
mod demo_route;
mod discover;
mod docs;
mod load;
mod mirror;
mod notify;
mod peers;
mod publish;
mod pull;
mod route;
mod serve;
mod service;
mod shutdown;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, LogFormat};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose, cli.log_format);
    let result = match &cli.command {
        Command::Compute(args) => compute::run(args),
        Command::Check(args) => check::run(args),
        Command::Publish(args) => publish::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Discover(args) => discover::run(args),
        Command::Mirror(args) => mirror::run(args),
        Command::Route(args) => route::run(args),
        Command::Manpages(args) => docs::manpages(args),
        Command::Completions(args) => docs::completions(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            // `{:#}` prints the whole chain: "reading X: cannot parse: why".
            #[allow(clippy::print_stderr)]
            {
                eprintln!("error: {error:#}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr, as text or JSON lines; `RUST_LOG` overrides the
/// level set by `-v`.
fn init_tracing(verbose: u8, format: LogFormat) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logs
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
        // One object per line: time, level, target, fields (message and
        // the event's key-values), the span chain.
        LogFormat::Json => logs.json().with_ansi(false).init(),
    }
}
