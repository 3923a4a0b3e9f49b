//! `altofed serve`: the aggregator as a service. Peers are pulled by
//! watchers, the engine recomputes on every trigger and publishes to the
//! ALTO server, which serves until Ctrl-C / SIGTERM.

use std::process::ExitCode;
use std::sync::Arc;

use altofed_core::compose::Direction;
use altofed_core::config::{CacheSection, Config};
use altofed_engine::{watch, Engine, Trigger};
use altofed_peers::DirectorySource;
use altofed_server::http::CachePolicy;
use altofed_server::ops::Auth;
use altofed_server::routes::PublishedDirection;
use altofed_server::{run as serve_http, AppState, ServerConfig};
use anyhow::{Context, Result};
use prometheus_client::metrics::counter::Counter;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::cli::ServeArgs;
use crate::load::{self, LoadedConfig};
use crate::{peers, shutdown};

pub fn run(args: &ServeArgs) -> Result<ExitCode> {
    crate::service::run(serve(args))
}

async fn serve(args: &ServeArgs) -> Result<()> {
    let loaded = Arc::new(load::config(&args.config)?);
    let (cdn, warnings) = load::cdn(&loaded)?;
    warnings.iter().for_each(|w| tracing::warn!("{w}"));
    let listen = args.listen.unwrap_or(loaded.config.server.listen);
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let state_dir = loaded
        .config
        .server
        .state_dir
        .as_ref()
        .map(|d| loaded.base.join(d));
    let (state, triggers) = start_aggregator(&loaded.config, &loaded.base, cdn, state_dir).await?;
    watch_topology(&loaded, &state, &triggers);
    announce(listener.local_addr()?);
    crate::notify::ready_when_published(&state);
    serve_http(listener, state, shutdown::signal())
        .await
        .context("server failed")
}

/// The engine and one watcher per peer; returns the server state to serve
/// and the engine's trigger channel.
pub async fn start_aggregator(
    config: &Config,
    base: &std::path::Path,
    cdn: altofed_core::topology::CdnNetwork,
    state_dir: Option<std::path::PathBuf>,
) -> Result<(AppState, mpsc::Sender<Trigger>)> {
    let state = AppState::new(server_config(config, base));
    // Its `restore` also restores and keeps the CDN node statuses.
    let engine = Engine::new(config.clone(), cdn, state.clone(), state_dir);
    engine.restore();
    let (triggers, rx) = mpsc::channel(256);
    let hook = triggers.clone();
    state.on_event(move |event| {
        // Node status lives in the property map, which the server
        // republishes itself; the engine does not use it.
        if matches!(event, altofed_server::ops::AdminEvent::RecomputeRequested) {
            // A full queue means a recompute is already pending.
            let _ = hook.try_send(Trigger::Recompute);
        }
    });
    let every = config.server.watch_interval;
    let http_peers = peers::HttpPeerContext::new(&state);
    for (p, peer) in config.peers.iter().enumerate() {
        if let Some(dir) = &peer.dir {
            watch::spawn_directory_peer(
                p,
                DirectorySource::new(base.join(dir)),
                every,
                triggers.clone(),
            );
        } else {
            peers::spawn_http_peer(p, peer, base, &http_peers, triggers.clone()).await?;
        }
    }
    tokio::spawn(engine.run(rx));
    Ok((state, triggers))
}

fn announce(addr: std::net::SocketAddr) {
    crate::service::say(&format!("serving ALTO at http://{addr}/directory"));
}

/// The topology file watcher, and SIGHUP.
fn watch_topology(loaded: &Arc<LoadedConfig>, state: &AppState, triggers: &mpsc::Sender<Trigger>) {
    let failures = Counter::<u64>::default();
    state.metrics().registry().register(
        "topology_reload_failures",
        "CDN topology reloads refused (unreadable, invalid or unfit); the topology in use stays",
        failures.clone(),
    );
    let reload = {
        let loaded = loaded.clone();
        move || {
            load::cdn(&loaded).map(|(cdn, _)| cdn).map_err(|e| {
                failures.inc();
                tracing::error!("CDN topology not reloaded, the one in use stays: {e:#}");
                format!("{e:#}")
            })
        }
    };
    let every = loaded.config.server.watch_interval;
    watch::spawn_topology(
        load::topology_files(loaded),
        every,
        reload.clone(),
        triggers.clone(),
    );
    spawn_sighup(loaded.clone(), reload, triggers.clone());
}

/// SIGHUP re-reads the topology and recomputes. `altofed.toml` is read
/// again to say whether it changed: its changes need a restart, which the
/// log says (docs/operations.md).
fn spawn_sighup(
    loaded: Arc<LoadedConfig>,
    reload: impl Fn() -> Result<altofed_core::topology::CdnNetwork, String> + Send + Sync + 'static,
    triggers: mpsc::Sender<Trigger>,
) {
    // Listening before the service announces itself or tells systemd it
    // is ready: until then a SIGHUP (`systemctl reload`) would end the
    // process, SIGHUP's default.
    #[cfg(unix)]
    let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else {
        tracing::warn!("cannot listen for SIGHUP");
        return;
    };
    #[cfg(unix)]
    tokio::spawn(async move {
        while hup.recv().await.is_some() {
            tracing::info!("SIGHUP: reloading the topology");
            crate::notify::reloading();
            report_config_changes(&loaded);
            let trigger = match reload() {
                Ok(cdn) => Trigger::Cdn(Box::new(cdn)),
                Err(_) => Trigger::Recompute,
            };
            if triggers.send(trigger).await.is_err() {
                return;
            }
            crate::notify::reloaded();
        }
    });
}

/// Logs whether `altofed.toml` changed since start-up, and that its
/// changes apply at the next start.
fn report_config_changes(running: &LoadedConfig) {
    match load::config(&running.path) {
        Err(e) => tracing::error!("{e:#}: the running configuration stays"),
        Ok(now) => {
            let changed = load::changed_sections(&running.config, &now.config);
            if !changed.is_empty() {
                tracing::warn!(
                    "{} changed ({}): SIGHUP reloads only the CDN topology; \
                     restart altofed to apply the rest",
                    running.path.display(),
                    changed.join(", ")
                );
            }
        }
    }
}

/// `output.direction` as the server's direction check reads it.
fn published_direction(direction: Direction) -> PublishedDirection {
    match direction {
        Direction::CdnToSubscriber => PublishedDirection::CdnToSubscriber,
        Direction::SubscriberToCdn => PublishedDirection::SubscriberToCdn,
        Direction::Both => PublishedDirection::Both,
    }
}

/// The HTTP server's settings from `[server]`.
fn server_config(config: &Config, base: &std::path::Path) -> ServerConfig {
    let s = &config.server;
    let bearer = |token: &Option<String>| token.clone().map(|token| Auth::Bearer { token });
    ServerConfig {
        alto_auth: bearer(&s.alto_bearer_token),
        admin_auth: bearer(&s.admin_bearer_token),
        tls: match (&s.tls_cert, &s.tls_key) {
            (Some(cert), Some(key)) => Some(altofed_server::ops::TlsConfig {
                cert_chain: base.join(cert),
                private_key: base.join(key),
            }),
            _ => None,
        },
        published_direction: Some(published_direction(config.output.direction)),
        // The aggregator knows its CDN PIDs: node statuses are for them.
        nodes_in_cdn_pids: true,
        cache: cache_policy(&s.cache, s.alto_bearer_token.is_some()),
        ..crate::service::apply_limits(ServerConfig::default(), &s.limits)
    }
}

/// `[server.cache]` as the server applies it; answers that need a token
/// are for private caches only.
fn cache_policy(cache: &CacheSection, needs_token: bool) -> CachePolicy {
    CachePolicy {
        max_age: cache.max_age,
        per_resource: cache
            .resources
            .iter()
            .map(|(id, age)| (id.clone(), **age))
            .collect(),
        private: needs_token,
    }
}
