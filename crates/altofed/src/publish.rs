//! `altofed publish`: serve a directory of ALTO map files, re-reading it
//! when a file changes. A directory that fails to load keeps the last good
//! snapshot in service. A file whose content changed under the same vtag is
//! named in a WARN and served with a content tag as its ETag.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use altofed_server::snapshot::changed_under_same_vtag;
use altofed_server::static_dir::{load_dir, load_documents, newest_change, DirMaps};
use altofed_server::{run as serve, AppState, ServerConfig};
use anyhow::{Context, Result};
use tokio::net::TcpListener;

use crate::cli::PublishArgs;
use crate::shutdown;

pub fn run(args: &PublishArgs) -> Result<ExitCode> {
    crate::service::run(publish(args))
}

async fn publish(args: &PublishArgs) -> Result<()> {
    // A static publisher has no CDN nodes to report on: no admin API.
    let state = AppState::new(ServerConfig {
        admin_api: false,
        ..crate::service::apply_limits(ServerConfig::default(), &Default::default())
    });
    let loaded_at = newest_change(&args.dir)?;
    let docs = load_documents(&args.dir)?;
    state
        .publish(docs)
        .with_context(|| format!("{}: cannot serve these maps", args.dir.display()))?;
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    announce(&args.dir, addr);
    if args.reload_ms > 0 {
        tokio::spawn(reload_on_change(
            state.clone(),
            args.dir.clone(),
            Duration::from_millis(args.reload_ms),
            loaded_at,
        ));
    }
    serve(listener, state, shutdown::signal())
        .await
        .context("server failed")
}

fn announce(dir: &Path, addr: std::net::SocketAddr) {
    let dir = dir.display();
    crate::service::say(&format!("publishing {dir} at http://{addr}/directory"));
}

/// Polls modification times (portable, no watcher threads) and publishes
/// again when they move.
async fn reload_on_change(
    state: AppState,
    dir: std::path::PathBuf,
    every: Duration,
    mut seen: Option<SystemTime>,
) {
    let mut ticker = tokio::time::interval(every);
    loop {
        ticker.tick().await;
        let newest = match newest_change(&dir) {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!("{e}");
                continue;
            }
        };
        if newest == seen {
            continue;
        }
        seen = newest;
        let (state, dir) = (state.clone(), dir.clone());
        let result = tokio::task::spawn_blocking(move || {
            let maps = load_dir(&dir)?;
            warn_same_vtag(&state, &maps);
            state.publish(maps.docs).map_err(anyhow::Error::from)
        })
        .await;
        match result {
            Ok(Ok(snapshot)) => tracing::info!(generation = snapshot.generation, "reloaded maps"),
            Ok(Err(e)) => tracing::warn!("keeping the maps in service: {e:#}"),
            Err(e) => tracing::error!("reload task failed: {e}"),
        }
    }
}

/// One WARN per file whose content changed while its vtag did not: clients
/// that cached it by vtag would not see the change, so the server tags it
/// by content (`altofed_server::snapshot::changed_under_same_vtag`).
fn warn_same_vtag(state: &AppState, maps: &DirMaps) {
    let Some(current) = state.snapshot() else {
        return;
    };
    for id in changed_under_same_vtag(&current, &maps.docs.network_map, &maps.docs.cost_maps) {
        let file = maps
            .files
            .get(&id)
            .map_or(id.clone(), |f| f.display().to_string());
        tracing::warn!(
            "{file}: the content changed but the vtag did not; serving `{id}` with a content tag as its ETag (change the vtag with the content)"
        );
    }
}
