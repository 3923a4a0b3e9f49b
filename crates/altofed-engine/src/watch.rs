//! Triggers from files: a peer held as a local directory, and the CDN
//! topology. Both poll modification times (portable, no watcher threads,
//! and a burst of writes within one interval is taken as one change — the
//! debounce), re-read on change, and send a [`Trigger`].

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use altofed_core::topology::CdnNetwork;
use altofed_peers::{DirectorySource, PeerEvent, PeerSource};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::Trigger;

/// The newest modification time among `paths` (missing files count as none).
pub fn newest_mtime(paths: &[PathBuf]) -> Option<SystemTime> {
    paths
        .iter()
        .filter_map(|p| p.metadata().and_then(|m| m.modified()).ok())
        .max()
}

/// Watches a directory peer: sends its maps at start and after each change,
/// or the error that reading them gave.
pub fn spawn_directory_peer(
    peer: usize,
    source: DirectorySource,
    every: Duration,
    triggers: mpsc::Sender<Trigger>,
) -> JoinHandle<()> {
    let dir = source.dir().to_owned();
    let files = ["networkmap.json", "costmap.json", "propmap.json"]
        .map(|f| dir.join(f))
        .to_vec();
    spawn_poller(
        files,
        every,
        move || {
            let event = match source.fetch() {
                Ok(maps) => PeerEvent::Updated {
                    peer,
                    maps: Arc::new(maps),
                },
                Err(e) => PeerEvent::Failed {
                    peer,
                    error: e.to_string(),
                },
            };
            Some(Trigger::Peer(event))
        },
        triggers,
    )
}

/// Watches the CDN topology files; `load` re-reads them. A topology that
/// fails to load is logged and the one in use stays.
pub fn spawn_topology(
    files: Vec<PathBuf>,
    every: Duration,
    load: impl Fn() -> Result<CdnNetwork, String> + Send + Sync + 'static,
    triggers: mpsc::Sender<Trigger>,
) -> JoinHandle<()> {
    let mut first = true;
    spawn_poller(
        files,
        every,
        move || {
            // The engine starts with the topology already loaded.
            if std::mem::take(&mut first) {
                return None;
            }
            match load() {
                Ok(cdn) => Some(Trigger::Cdn(Box::new(cdn))),
                Err(e) => {
                    // The loader reports its own failures (log and metric).
                    tracing::debug!("CDN topology not reloaded: {e}");
                    None
                }
            }
        },
        triggers,
    )
}

/// Calls `on_change` (on a blocking thread) at start and whenever the
/// newest modification time of `files` moves; sends what it returns.
fn spawn_poller(
    files: Vec<PathBuf>,
    every: Duration,
    on_change: impl FnMut() -> Option<Trigger> + Send + 'static,
    triggers: mpsc::Sender<Trigger>,
) -> JoinHandle<()> {
    let on_change = Arc::new(std::sync::Mutex::new(on_change));
    tokio::spawn(async move {
        let mut seen: Option<Option<SystemTime>> = None;
        let mut ticker = tokio::time::interval(every);
        loop {
            ticker.tick().await;
            let newest = newest_mtime(&files);
            if seen == Some(newest) {
                continue;
            }
            seen = Some(newest);
            let on_change = on_change.clone();
            let trigger = tokio::task::spawn_blocking(move || {
                let mut f = on_change
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                f()
            })
            .await;
            match trigger {
                Ok(Some(t)) => {
                    if triggers.send(t).await.is_err() {
                        return; // the engine has stopped
                    }
                }
                Ok(None) => {}
                Err(e) => tracing::error!("file watch task failed: {e}"),
            }
        }
    })
}
