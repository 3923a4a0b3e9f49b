//! `altofed mirror`: a read replica of an ALTO server (docs/mirror.md).
//! Reads `mirror.toml` if given (flags override it), binds, says where it
//! serves (one line, so scripts and tests find a port picked by port 0),
//! then follows the upstream (`altofed_mirror::Mirror`) and serves what it
//! has until Ctrl-C / SIGTERM. `/readyz` answers 200 once the first
//! consistent set of the upstream's maps is published.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use altofed_mirror::metrics::MirrorMetrics;
use altofed_mirror::{Mirror, MirrorConfig};
use altofed_peers::http::upstream::Upstream;
use altofed_server::{run as serve, AppState, ServerConfig};
use anyhow::{Context, Result};
use reqwest::Url;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::cli::MirrorArgs;
use crate::service::say;

pub fn run(args: &MirrorArgs) -> Result<ExitCode> {
    let (config, base) = load(args)?;
    crate::service::run(mirror(config, base))
}

/// The file's settings with the flags applied, and the directory a
/// relative `http.ca-file` is read from.
fn load(args: &MirrorArgs) -> Result<(MirrorConfig, PathBuf)> {
    let (mut config, base) = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let config =
                MirrorConfig::from_toml(&text).with_context(|| path.display().to_string())?;
            let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
            (config, base)
        }
        None => (MirrorConfig::default(), PathBuf::new()),
    };
    if let Some(upstream) = &args.upstream {
        config.upstream = Some(upstream.clone());
    }
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if let Some(stale_after) = args.stale_after {
        config.stale_after = stale_after;
    }
    Ok((config.checked()?, base))
}

async fn mirror(config: MirrorConfig, base: PathBuf) -> Result<()> {
    let upstream = config
        .upstream
        .as_deref()
        .context("no upstream: give --upstream IRD_URL or `upstream` in the configuration file")?;
    let url = Url::parse(upstream).with_context(|| format!("upstream `{upstream}`"))?;
    let upstream = Upstream::new(url.clone(), &config.http, &base)?;
    // A replica has no CDN nodes of its own: node statuses come in the
    // upstream's property maps, as they are.
    let state = AppState::new(ServerConfig {
        admin_api: false,
        ..crate::service::apply_limits(ServerConfig::default(), &Default::default())
    });
    let metrics = MirrorMetrics::new(&mut state.metrics().registry());
    if config.stale_after <= config.http.poll_interval {
        // A polling mirror's lag reaches poll-interval between polls: it
        // would mark itself stale, and clear the mark, at every poll.
        tracing::warn!(
            "stale-after ({:?}) is not above http.poll-interval ({:?}): the maps will be marked stale between polls whenever the update stream is not in use",
            config.stale_after,
            config.http.poll_interval
        );
    }
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    say(&format!("mirroring {url} at http://{addr}/directory"));
    let stop = CancellationToken::new();
    let follower = Mirror::new(upstream, state.clone(), metrics, config.stale_after);
    let task = tokio::spawn(follower.run(stop.clone()));
    let served = serve(listener, state, crate::shutdown::signal()).await;
    stop.cancel();
    // The follower ends at its next await; its requests are bounded by
    // the upstream timeout.
    let _ = task.await;
    served.context("server failed")
}
