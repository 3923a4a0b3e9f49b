//! Starting the watcher of a peer that is pulled over HTTP (by URL or by
//! RFC 8686 discovery), and forwarding its events to the engine.

use std::path::Path;

use altofed_core::config::PeerConfig;
use altofed_engine::Trigger;
use altofed_peers::discovery::{discover, Resolver};
use altofed_peers::http::{HttpPeer, PeerMetrics};
use altofed_peers::PeerEvent;
use altofed_server::AppState;
use anyhow::{bail, Context, Result};
use tokio::sync::mpsc;

/// What every HTTP peer watcher shares: the metrics on the server's
/// `/metrics`, and the server's shutdown token that stops them.
#[derive(Debug, Clone)]
pub struct HttpPeerContext {
    metrics: PeerMetrics,
    shutdown: tokio_util::sync::CancellationToken,
}

impl HttpPeerContext {
    pub fn new(state: &AppState) -> Self {
        Self {
            metrics: PeerMetrics::new(&mut state.metrics().registry()),
            shutdown: state.shutdown_token(),
        }
    }
}

/// Spawns the peer's HTTP watcher; its events reach the engine as triggers.
pub async fn spawn_http_peer(
    p: usize,
    peer: &PeerConfig,
    base: &Path,
    context: &HttpPeerContext,
    triggers: mpsc::Sender<Trigger>,
) -> Result<()> {
    let url = match (&peer.url, peer.links.first().and_then(|l| l.address)) {
        (Some(url), _) => url.clone(),
        (None, Some(address)) => discover_ird(&peer.name, address).await?,
        (None, None) => bail!(
            "peer `{}` has neither a url nor an address to discover from",
            peer.name
        ),
    };
    let url = reqwest::Url::parse(&url)
        .with_context(|| format!("peer `{}`: bad url `{url}`", peer.name))?;
    let client = HttpPeer::new(&peer.name, url, &peer.http, base)
        .with_context(|| format!("peer `{}`", peer.name))?
        .with_metrics(context.metrics.clone());
    let (events, mut rx) = mpsc::channel::<PeerEvent>(16);
    client.spawn(p, events, context.shutdown.clone());
    tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            if triggers.send(Trigger::Peer(event)).await.is_err() {
                return;
            }
        }
    });
    Ok(())
}

/// The IRD URI of the ALTO server responsible for `address` (RFC 8686).
async fn discover_ird(peer: &str, address: std::net::IpAddr) -> Result<String> {
    let resolver = Resolver::from_system_conf().with_context(|| format!("peer `{peer}`"))?;
    let found = discover(address, &resolver)
        .await
        .with_context(|| format!("peer `{peer}`"))?;
    tracing::info!(peer, uri = found.ird_uri(), at = %found.name, "discovered the ALTO server");
    Ok(found.ird_uri().to_owned())
}
