//! The command line.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "altofed",
    version,
    about = "Federated inter-domain ALTO cost aggregator"
)]
pub struct Cli {
    /// More log output (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Log lines as text, or as one JSON object per line (for log pipelines).
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Pull every peer once, compose, and write the ALTO documents to a directory.
    Compute(ComputeArgs),
    /// Validate the configuration, the CDN topology and every peer's maps; explain each problem.
    Check(CheckArgs),
    /// Run the Figure 5 scenario end to end on loopback: an ISP ALTO server and the aggregator pulling from it.
    Demo(DemoArgs),
    /// Run the aggregator: pull peers, recompute on every change, serve the result over ALTO.
    Serve(ServeArgs),
    /// Find the ALTO server responsible for an address (RFC 8686 reverse-DNS discovery).
    Discover(DiscoverArgs),
    /// Serve a directory of ALTO map files as an ALTO server (networkmap.json, costmap*.json, propmap*.json).
    Publish(PublishArgs),
    /// Serve a read replica of an ALTO server (an `altofed serve`): the same documents, vtags and ETags, its own POST services and update streams.
    Mirror(MirrorArgs),
    /// Route requests to CDN nodes from an ALTO server's maps: an authoritative DNS server (ECS) and an HTTP 302 redirector.
    Route(RouteArgs),
    /// Write the man pages (altofed.1 and one per subcommand) to a directory.
    Manpages(ManpagesArgs),
    /// Print a shell completion script (e.g. `altofed completions bash > /etc/bash_completion.d/altofed`).
    Completions(CompletionsArgs),
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ManpagesArgs {
    /// Directory to write the pages to (created if missing).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ComputeArgs {
    /// The aggregator's configuration file (altofed.toml).
    #[arg(long, short)]
    pub config: PathBuf,
    /// Directory to write networkmap.json, costmap.json, costmap-ordinal.json and propmap.json to.
    #[arg(long, short)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The aggregator's configuration file (altofed.toml).
    #[arg(long, short)]
    pub config: PathBuf,
    /// Do not fetch peers pulled over the network (url or discover): check
    /// only the configuration, the topology and directory peers.
    #[arg(long)]
    pub offline: bool,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// Directory holding networkmap.json, costmap*.json and propmap*.json.
    #[arg(long, short)]
    pub dir: PathBuf,
    /// Address to listen on (port 0 picks a free port; the address is printed).
    #[arg(long, short, default_value = "127.0.0.1:8181")]
    pub listen: SocketAddr,
    /// How often to check the files for changes, in milliseconds (0: never).
    #[arg(long, default_value_t = 1000)]
    pub reload_ms: u64,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The aggregator's configuration file (altofed.toml).
    #[arg(long, short)]
    pub config: PathBuf,
    /// Address to listen on, overriding `server.listen` (port 0 picks a free port).
    #[arg(long, short)]
    pub listen: Option<SocketAddr>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address of the aggregator (port 0 picks a free port).
    #[arg(long, short, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The demo router's DNS front, UDP and TCP (port 0: a free port, printed).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub dns: SocketAddr,
    /// The demo router's HTTP front (port 0: a free port, printed).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub http: SocketAddr,
    /// The demo router's /healthz, /readyz and /metrics.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub route_ops: SocketAddr,
}

#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// The address to find the ALTO server for.
    pub address: std::net::IpAddr,
    /// Ask this DNS server instead of the system's (e.g. 127.0.0.1:5353).
    #[arg(long)]
    pub nameserver: Option<SocketAddr>,
}

#[derive(Debug, Args)]
pub struct MirrorArgs {
    /// The upstream's IRD URL (e.g. http://aggregator:8080/directory); overrides `upstream` in the file.
    #[arg(long, short)]
    pub upstream: Option<String>,
    /// Address to listen on, overriding `listen` (port 0 picks a free port; the address is printed).
    #[arg(long, short)]
    pub listen: Option<SocketAddr>,
    /// The mirror's configuration file (mirror.toml, docs/mirror.md).
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Mark the served maps stale after this long without a confirmed copy of the upstream (e.g. 5m, 30s); overrides `stale-after`.
    #[arg(long, value_parser = humantime_duration)]
    pub stale_after: Option<std::time::Duration>,
}

fn humantime_duration(text: &str) -> Result<std::time::Duration, String> {
    humantime::parse_duration(text).map_err(|e| e.to_string())
}

#[derive(Debug, Args)]
pub struct RouteArgs {
    /// The router's configuration file (route.toml, docs/routing.md).
    #[arg(long, short)]
    pub config: PathBuf,
    /// Check the configuration and exit.
    #[arg(long)]
    pub check: bool,
}
