//! `altofed route`: the CDN's request router (docs/routing.md). Reads
//! `route.toml` (with `ALTOFED_ROUTE__*` overrides), binds its listeners, says where they are (one line each,
//! so scripts and tests find ports picked by port 0), and serves until
//! Ctrl-C / SIGTERM. `--check` reads and checks the file only.

use std::path::Path;
use std::process::ExitCode;

use altofed_route::config_env::env_overrides;
use altofed_route::{Bound, RouteConfig};
use anyhow::{Context, Result};
use tokio_util::sync::CancellationToken;

use crate::cli::RouteArgs;
use crate::service::say;

pub fn run(args: &RouteArgs) -> Result<ExitCode> {
    let path = &args.config;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let overrides = env_overrides(std::env::vars());
    let config = RouteConfig::from_toml_with_env(&text, &overrides)
        .with_context(|| path.display().to_string())?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    if args.check {
        // The ALTO client as it will be built: its CA file and credentials.
        altofed_peers::HttpPeer::new("alto", config.alto_url()?, &config.alto.http, &base)
            .with_context(|| path.display().to_string())?;
        let fronts: Vec<&str> = [
            config.dns.as_ref().map(|_| "DNS"),
            config.http.as_ref().map(|_| "HTTP"),
        ]
        .into_iter()
        .flatten()
        .collect();
        say(&format!(
            "{}: ok ({} nodes; {} front; ALTO server {})",
            path.display(),
            config.nodes.len(),
            fronts.join(" and "),
            config.alto.url
        ));
        return Ok(ExitCode::SUCCESS);
    }
    crate::service::run(async move {
        let bound = Bound::bind(&config).await?;
        if let Some(addr) = bound.dns_addr() {
            say(&format!("routing DNS at {addr}"));
        }
        if let Some(addr) = bound.ops_addr() {
            say(&format!("routing ops at http://{addr}"));
        }
        if let Some(addr) = bound.http_addr() {
            say(&format!("routing HTTP at http://{addr}"));
        }
        let shutdown = CancellationToken::new();
        let stop = shutdown.clone();
        tokio::spawn(async move {
            crate::shutdown::signal().await;
            stop.cancel();
        });
        altofed_route::serve(config, &base, bound, shutdown)
            .await
            .context("router failed")
    })
}
