//! The server's shared state: the current snapshot, swapped atomically
//! (readers never wait on a publisher), and a channel that tells update
//! streams a new snapshot exists.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use arc_swap::ArcSwapOption;
use tokio::sync::watch;

use crate::server::ServerConfig;
use crate::snapshot::{build_snapshot, Documents, Snapshot, SnapshotError};

/// Cheap to clone; every clone shares the same snapshot.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: ServerConfig,
    current: ArcSwapOption<Snapshot>,
    generation: AtomicU64,
    changes: watch::Sender<Option<Arc<Snapshot>>>,
}

impl AppState {
    pub fn new(config: ServerConfig) -> Self {
        let (changes, _) = watch::channel(None);
        Self {
            inner: Arc::new(Inner {
                config,
                current: ArcSwapOption::empty(),
                generation: AtomicU64::new(0),
                changes,
            }),
        }
    }

    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// The snapshot to answer from, if one has been published.
    pub fn snapshot(&self) -> Option<Arc<Snapshot>> {
        self.inner.current.load_full()
    }

    /// Builds a snapshot from `docs` and makes it current. On error the
    /// current snapshot stays. CPU-heavy for big maps: async callers should
    /// use `tokio::task::spawn_blocking`.
    pub fn publish(&self, docs: Documents) -> Result<Arc<Snapshot>, SnapshotError> {
        let generation = self.inner.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let snapshot = Arc::new(build_snapshot(docs, generation)?);
        self.inner.current.store(Some(snapshot.clone()));
        self.inner.changes.send_replace(Some(snapshot.clone()));
        tracing::info!(
            generation,
            resources = snapshot.resources.len(),
            bytes = snapshot.encoded_bytes(),
            "published snapshot"
        );
        Ok(snapshot)
    }

    /// Notified on every published snapshot (the value is the newest).
    pub fn subscribe(&self) -> watch::Receiver<Option<Arc<Snapshot>>> {
        self.inner.changes.subscribe()
    }
}
