//! `altofed check`: validate configuration, topology and peers, and explain
//! every problem found, not only the first.

use std::process::ExitCode;

use altofed_core::pipeline::compute;
use anyhow::Result;

use crate::cli::CheckArgs;
use crate::load;

#[allow(clippy::print_stdout, clippy::print_stderr)]
pub fn run(args: &CheckArgs) -> Result<ExitCode> {
    // Without a readable configuration nothing else can be checked.
    let loaded = load::config(&args.config)?;
    let mut problems = Vec::new();
    let cdn = match load::cdn(&loaded) {
        Ok((cdn, warnings)) => {
            warnings.iter().for_each(|w| eprintln!("warning: {w}"));
            Some(cdn)
        }
        Err(e) => {
            problems.push(format!("{e:#}"));
            None
        }
    };
    let puller = crate::pull::Puller::new()?;
    let mut peers = Vec::new();
    let mut skipped = Vec::new();
    for peer in &loaded.config.peers {
        if args.offline && crate::pull::is_remote(peer) {
            skipped.push(peer.name.as_str());
            continue;
        }
        match puller.pull(&loaded, peer) {
            Ok(maps) => peers.push(maps),
            Err(e) => problems.push(format!("{e:#}")),
        }
    }
    if !skipped.is_empty() {
        let names = skipped.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>();
        eprintln!(
            "note: --offline: peer(s) {} not fetched; their maps and the composition are not checked",
            names.join(", ")
        );
        if problems.is_empty() {
            if let Some(cdn) = &cdn {
                println!(
                    "{}: ok (offline): {} CDN PIDs, {} border routers, {} of {} peers read",
                    args.config.display(),
                    cdn.pids.len(),
                    cdn.borders.len(),
                    peers.len(),
                    loaded.config.peers.len()
                );
                return Ok(ExitCode::SUCCESS);
            }
        }
    }
    // Border identification and composition can only be tried on complete inputs.
    if let (Some(cdn), true) = (&cdn, problems.is_empty()) {
        match compute(&loaded.config, cdn, &peers) {
            Ok(computed) => {
                computed
                    .warnings
                    .iter()
                    .for_each(|w| eprintln!("warning: {w}"));
                let pairs = computed.cost_map.cost_map.len();
                println!(
                    "{}: ok: {} CDN PIDs, {} border routers, {} peers, {} published PIDs, {} cost pairs",
                    args.config.display(),
                    cdn.pids.len(),
                    cdn.borders.len(),
                    peers.len(),
                    computed.network_map.network_map.len(),
                    pairs
                );
                return Ok(ExitCode::SUCCESS);
            }
            Err(e) => problems.push(format!("{}: {e}", args.config.display())),
        }
    }
    for problem in &problems {
        eprintln!("error: {problem}");
    }
    eprintln!(
        "{}: {} problem(s) found",
        args.config.display(),
        problems.len()
    );
    Ok(ExitCode::FAILURE)
}
