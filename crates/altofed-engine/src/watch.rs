//! Triggers from files: a peer held as a local directory, and the CDN
//! topology. Both poll modification times (portable, no watcher threads,
//! and a burst of writes within one interval is taken as one change — the
//! debounce), re-read on change, and send a [`Trigger`]. A directory peer
//! whose files are unchanged and were read fine is a peer that answers:
//! each poll says so ([`PeerEvent::Current`]), which keeps it alive past
//! its `max-age` however long its maps stay the same.
//!
//! A read has a deadline ([`READ_DEADLINE`]): a file on a hung network
//! mount must not stop the watcher. A read past it is reported as a
//! failure and abandoned (its blocking thread ends on its own); until it
//! ends, each poll reports the peer failed again rather than start a
//! second read of the same files.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use altofed_core::topology::CdnNetwork;
use altofed_peers::{DirectorySource, PeerEvent, PeerSource};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::Trigger;

/// How long one read of a peer's files or of the topology may take.
pub const READ_DEADLINE: Duration = Duration::from_secs(60);

/// The newest modification time among `paths` (missing files count as none).
pub fn newest_mtime(paths: &[PathBuf]) -> Option<SystemTime> {
    paths
        .iter()
        .filter_map(|p| p.metadata().and_then(|m| m.modified()).ok())
        .max()
}

/// Watches a directory peer: sends its maps at start and after each change,
/// or the error that reading them gave (once per change; the engine logs
/// it, as it does an HTTP peer's);
/// while nothing changed since a good read, [`PeerEvent::Current`] at
/// every poll.
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
    let readable = Arc::new(AtomicBool::new(false));
    let unchanged = {
        let readable = readable.clone();
        move || {
            let current = PeerEvent::Current { peer };
            readable
                .load(Ordering::Relaxed)
                .then_some(Trigger::Peer(current))
        }
    };
    let late = {
        let (readable, dir) = (readable.clone(), dir.clone());
        move || {
            readable.store(false, Ordering::Relaxed);
            let error = format!(
                "reading {} took longer than {}s",
                dir.display(),
                READ_DEADLINE.as_secs()
            );
            // The engine logs the failure (one WARN per failure).
            let url = std::path::absolute(&dir).unwrap_or_else(|_| dir.clone());
            Some(Trigger::Peer(PeerEvent::Failed {
                peer,
                error,
                url: format!("file://{}", url.display()),
                class: "timeout",
            }))
        }
    };
    spawn_poller(
        Poll {
            files,
            every,
            deadline: READ_DEADLINE,
        },
        move || {
            let event = match source.fetch() {
                Ok(maps) => PeerEvent::Updated {
                    peer,
                    maps: Arc::new(maps),
                },
                Err(e) => {
                    tracing::debug!(dir = %dir.display(), "peer maps not read: {e}");
                    PeerEvent::unreadable(peer, &e)
                }
            };
            readable.store(
                matches!(event, PeerEvent::Updated { .. }),
                Ordering::Relaxed,
            );
            Some(Trigger::Peer(event))
        },
        unchanged,
        late,
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
        Poll {
            files,
            every,
            deadline: READ_DEADLINE,
        },
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
        || None,
        || {
            tracing::error!(
                "the CDN topology was not read within {}s; the one in use stays",
                READ_DEADLINE.as_secs()
            );
            None
        },
        triggers,
    )
}

/// What a poller watches, how often, and how long a read may take.
struct Poll {
    files: Vec<PathBuf>,
    every: Duration,
    deadline: Duration,
}

/// Calls `on_change` (on a blocking thread) at start and whenever the
/// newest modification time of `files` moves, else `unchanged`; sends what
/// they return. What `unchanged` returns is dropped when the engine's
/// queue is full: the engine is busy, and the next poll says it again.
/// When `on_change` runs past the deadline, or a late one still runs at
/// the next change, `late` is sent instead and the files count as unread.
fn spawn_poller(
    poll: Poll,
    on_change: impl FnMut() -> Option<Trigger> + Send + 'static,
    unchanged: impl Fn() -> Option<Trigger> + Send + 'static,
    late: impl Fn() -> Option<Trigger> + Send + 'static,
    triggers: mpsc::Sender<Trigger>,
) -> JoinHandle<()> {
    let Poll {
        files,
        every,
        deadline,
    } = poll;
    let on_change = Arc::new(std::sync::Mutex::new(on_change));
    tokio::spawn(async move {
        let mut seen: Option<Option<SystemTime>> = None;
        let mut ticker = tokio::time::interval(every);
        loop {
            ticker.tick().await;
            let newest = newest_mtime(&files);
            if seen == Some(newest) {
                if let Some(t) = unchanged() {
                    if let Err(mpsc::error::TrySendError::Closed(_)) = triggers.try_send(t) {
                        return; // the engine has stopped
                    }
                }
                continue;
            }
            seen = Some(newest);
            let on_change = on_change.clone();
            let read = tokio::task::spawn_blocking(move || {
                let mut f = match on_change.try_lock() {
                    Ok(f) => f,
                    Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
                    Err(std::sync::TryLockError::WouldBlock) => return Err(()),
                };
                Ok(f())
            });
            let trigger = match tokio::time::timeout(deadline, read).await {
                Ok(Ok(Ok(trigger))) => trigger,
                Ok(Ok(Err(()))) | Err(_) => {
                    seen = None; // read again at the next poll
                    late()
                }
                Ok(Err(e)) => {
                    tracing::error!("file watch task failed: {e}");
                    None
                }
            };
            if let Some(t) = trigger {
                if triggers.send(t).await.is_err() {
                    return; // the engine has stopped
                }
            }
        }
    })
}
