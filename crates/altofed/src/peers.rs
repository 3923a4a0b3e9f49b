//! Starting the watcher of a peer that is pulled over HTTP (by URL or by
//! RFC 8686 discovery), and forwarding its events to the engine.

use std::path::Path;

use altofed_core::config::PeerConfig;
use altofed_engine::Trigger;
use altofed_peers::http::{HttpPeer, PeerMetrics};
use altofed_peers::PeerEvent;
use altofed_server::AppState;
use anyhow::{Context, Result};
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
    let url = crate::pull::ird_url(peer).await?;
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
