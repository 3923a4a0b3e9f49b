//! The server's shared state: the current snapshot, swapped atomically
//! (readers never wait on a publisher), and a channel that tells update
//! streams a new snapshot exists; plus the operations state: metrics, CDN
//! node status, admin event hooks and the shutdown signal.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use arc_swap::ArcSwapOption;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::ops::events::{AdminEvent, Hooks};
use crate::ops::metrics::Metrics;
use crate::ops::nodes::{NodeBook, NodeStatus};
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
    /// Held while a snapshot is built and swapped in, so that publishers
    /// (engine, admin status changes) are serialised.
    nodes: Mutex<NodeBook>,
    metrics: Metrics,
    hooks: Hooks,
    shutdown: CancellationToken,
    /// Open RFC 8895 update streams.
    update_streams: crate::sse::UpdateStreams,
    /// Where large POST answers are computed.
    work: crate::routes::WorkPool,
    connections: crate::conn::ConnMetrics,
}

impl AppState {
    pub fn new(config: ServerConfig) -> Self {
        let (changes, _) = watch::channel(None);
        let update_streams = crate::sse::UpdateStreams::new(config.update_streams.clone());
        let metrics = Metrics::new();
        let connections = crate::conn::ConnMetrics::register(&mut metrics.registry());
        let work = config.request_jobs.map_or_else(
            crate::routes::WorkPool::per_core,
            crate::routes::WorkPool::new,
        );
        Self {
            inner: Arc::new(Inner {
                config,
                current: ArcSwapOption::empty(),
                generation: AtomicU64::new(0),
                changes,
                nodes: Mutex::default(),
                metrics,
                hooks: Hooks::default(),
                shutdown: CancellationToken::new(),
                update_streams,
                work,
                connections,
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

    /// Builds a snapshot from `docs`, with the CDN node status merged into
    /// the first property map, and makes it current. On error the current
    /// snapshot stays. CPU-heavy for big maps: async callers should use
    /// `tokio::task::spawn_blocking`.
    pub fn publish(&self, mut docs: Documents) -> Result<Arc<Snapshot>, SnapshotError> {
        let mut book = self.node_book();
        let base = docs.property_maps.clone();
        book.merge_into(&mut docs);
        let snapshot = self.install(docs)?;
        book.base_property_maps = Some(base);
        Ok(snapshot)
    }

    /// Builds and swaps in a snapshot; the caller holds the node book lock.
    fn install(&self, docs: Documents) -> Result<Arc<Snapshot>, SnapshotError> {
        let generation = self.inner.generation.load(Ordering::SeqCst) + 1;
        let previous = self.inner.current.load_full();
        let snapshot = Arc::new(build_snapshot(docs, generation, previous.as_deref())?);
        self.inner.generation.store(generation, Ordering::SeqCst);
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

    fn node_book(&self) -> MutexGuard<'_, NodeBook> {
        self.inner
            .nodes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The status of every CDN node set so far.
    pub fn node_statuses(&self) -> BTreeMap<IpAddr, NodeStatus> {
        self.node_book().nodes.clone()
    }

    /// Sets (`Some`) or clears (`None`) a CDN node's status and returns the
    /// previous one. When it changes and something has been published, the
    /// last published documents are published again with the status merged
    /// (new snapshot, vtags and ETags, update stream patch), then the event
    /// hooks are called with [`AdminEvent::NodeChanged`]. If that snapshot
    /// cannot be built the change is undone and the error returned. CPU work
    /// like [`AppState::publish`].
    pub fn set_node_status(
        &self,
        address: IpAddr,
        status: Option<NodeStatus>,
    ) -> Result<Option<NodeStatus>, SnapshotError> {
        let mut book = self.node_book();
        let previous = match status {
            Some(s) => book.nodes.insert(address, s),
            None => book.nodes.remove(&address),
        };
        if previous == status {
            return Ok(previous);
        }
        let docs = self
            .snapshot()
            .and_then(|snapshot| book.base_documents(&snapshot));
        if let Some(mut docs) = docs {
            book.merge_into(&mut docs);
            if let Err(e) = self.install(docs) {
                match previous {
                    Some(p) => book.nodes.insert(address, p),
                    None => book.nodes.remove(&address),
                };
                return Err(e);
            }
        }
        drop(book);
        self.inner
            .hooks
            .emit(&AdminEvent::NodeChanged { address, status });
        Ok(previous)
    }

    /// Registers a hook for admin events (node status changes, recompute
    /// requests); see [`crate::ops::EventHook`] for the rules.
    pub fn on_event(&self, hook: impl Fn(&AdminEvent) + Send + Sync + 'static) {
        self.inner.hooks.add(Arc::new(hook));
    }

    /// Calls the hooks with [`AdminEvent::RecomputeRequested`]; `false`
    /// when no hook is registered (nobody can recompute).
    pub fn request_recompute(&self) -> bool {
        self.inner.hooks.emit(&AdminEvent::RecomputeRequested) > 0
    }

    /// This server's metrics; [`Metrics::registry`] takes more.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// Cancelled when the server shuts down (the `shutdown` future given to
    /// [`crate::run`] completed, or [`AppState::shutdown`] was called).
    /// Long-lived responses (update streams) end themselves on it so that
    /// graceful shutdown can finish: `token.cancelled().await`.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.inner.shutdown.clone()
    }

    /// The update stream service (RFC 8895) of this state.
    pub fn update_streams(&self) -> &crate::sse::UpdateStreams {
        &self.inner.update_streams
    }

    /// The blocking-pool permits of the POST services.
    pub fn work_pool(&self) -> &crate::routes::WorkPool {
        &self.inner.work
    }

    /// The client connection metrics.
    pub fn connection_metrics(&self) -> &crate::conn::ConnMetrics {
        &self.inner.connections
    }

    /// Starts a graceful shutdown of every server running on this state.
    pub fn shutdown(&self) {
        self.inner.shutdown.cancel();
    }
}
