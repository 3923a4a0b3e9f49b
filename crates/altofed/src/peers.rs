//! Starting the watcher of a peer that is pulled over HTTP (by URL or by
//! RFC 8686 discovery), and forwarding its events to the engine.

use std::path::Path;

use altofed_core::config::PeerConfig;
use altofed_engine::Trigger;
use altofed_peers::http::HttpPeer;
use altofed_peers::PeerEvent;
use anyhow::{bail, Context, Result};
use tokio::sync::mpsc;

/// Spawns the peer's HTTP watcher; its events reach the engine as triggers.
pub async fn spawn_http_peer(
    p: usize,
    peer: &PeerConfig,
    base: &Path,
    triggers: mpsc::Sender<Trigger>,
) -> Result<()> {
    let url = match &peer.url {
        Some(url) => url.clone(),
        None => bail!(
            "peer `{}`: discovery is not available in this build",
            peer.name
        ),
    };
    let url = reqwest::Url::parse(&url)
        .with_context(|| format!("peer `{}`: bad url `{url}`", peer.name))?;
    let client = HttpPeer::new(&peer.name, url, &peer.http, base)
        .with_context(|| format!("peer `{}`", peer.name))?;
    let (events, mut rx) = mpsc::channel::<PeerEvent>(16);
    client.spawn(p, events, tokio_util::sync::CancellationToken::new());
    tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            if triggers.send(Trigger::Peer(event)).await.is_err() {
                return;
            }
        }
    });
    Ok(())
}
