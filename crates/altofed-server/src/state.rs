//! The server's shared state: the current snapshot, swapped atomically
//! (readers never wait on a publisher), and a channel that tells update
//! streams a new snapshot exists; plus the operations state: metrics, CDN
//! node status, admin event hooks and the shutdown signal.
//!
//! Publishers take turns (`publish_turn`): the engine's [`AppState::publish`]
//! of new documents, and the single flight that republishes CDN node status
//! changes in batches (`state/nodes.rs`).

mod nodes;

pub use nodes::NodeSaver;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use arc_swap::ArcSwapOption;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::ops::events::{AdminEvent, Hooks};
use crate::ops::metrics::{Metrics, PublishCause};
use crate::ops::node_book::NodeBook;
use crate::ops::nodes::merge_nodes;
use crate::server::ServerConfig;
use crate::snapshot::{
    build_identity_first, Documents, OrdinalOf, SharedDocuments, Snapshot, SnapshotError,
};

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
    /// (engine, node status batches) take turns.
    publish_turn: Mutex<()>,
    /// Node statuses and their queued changes; held only for bookkeeping,
    /// never while a snapshot is built, so changes queue during a publish.
    nodes: Mutex<NodeBook>,
    /// Where published node statuses are saved (`altofed serve`'s state
    /// directory), if anywhere.
    node_saver: nodes::SaverSlot,
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
                publish_turn: Mutex::default(),
                nodes: Mutex::default(),
                node_saver: nodes::SaverSlot::default(),
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

    /// Builds a snapshot from `docs`, with the published CDN node statuses
    /// merged into the first property map, and makes it current. On error
    /// the current snapshot stays. CPU-heavy for big maps: async callers
    /// should use `tokio::task::spawn_blocking`.
    pub fn publish(&self, docs: Documents) -> Result<Arc<Snapshot>, SnapshotError> {
        self.publish_ranking(docs, Vec::new())
    }

    /// [`AppState::publish`], with `ordinal_maps` ranked from numerical
    /// maps of `docs` on first use ([`crate::snapshot::CostDoc`]) rather
    /// than given: what `altofed serve` publishes, so that a publish does
    /// not wait for the ranks nor their body.
    pub fn publish_ranking(
        &self,
        docs: Documents,
        ordinal_maps: Vec<OrdinalOf>,
    ) -> Result<Arc<Snapshot>, SnapshotError> {
        let mut docs = SharedDocuments::from(docs);
        docs.ordinal_maps = ordinal_maps;
        self.publish_shared(docs)
    }

    /// [`AppState::publish_ranking`] of documents whose property maps are
    /// shared: a property map the previous snapshot holds too (the same
    /// `Arc`) is taken over without being compared or encoded again.
    pub fn publish_shared(
        &self,
        mut docs: SharedDocuments,
    ) -> Result<Arc<Snapshot>, SnapshotError> {
        let _turn = self.publish_turn();
        let nodes = self.node_book().published().clone();
        // The base and the snapshot share each map until a status is merged.
        let base = Arc::new(docs.property_maps.clone());
        merge_nodes(&nodes, &docs.network_map.meta.vtag, &mut docs.property_maps);
        let previous = self.snapshot();
        let snapshot = self.install(PublishCause::Documents, |generation| {
            build_identity_first(docs, generation, previous.as_deref())
        })?;
        self.node_book().set_base(base);
        Ok(snapshot)
    }

    /// Builds generation n+1, swaps it in, then compresses what it serves
    /// in identity only so far ([`build_identity_first`]): a change is
    /// served as soon as its text is written, and the publish returns
    /// (the next one may start) once its gzip and zstd bodies are there
    /// too. The caller has the publish turn (so the current snapshot is the
    /// one it built from).
    fn install(
        &self,
        cause: PublishCause,
        build: impl FnOnce(u64) -> Result<Snapshot, SnapshotError>,
    ) -> Result<Arc<Snapshot>, SnapshotError> {
        let started = Instant::now();
        let generation = self.inner.generation.load(Ordering::SeqCst) + 1;
        let snapshot = Arc::new(build(generation)?);
        self.inner.generation.store(generation, Ordering::SeqCst);
        self.inner.current.store(Some(snapshot.clone()));
        self.inner.changes.send_replace(Some(snapshot.clone()));
        self.inner.metrics.count_publish(cause);
        let served = started.elapsed();
        if !snapshot.is_compressed() {
            snapshot.compress_pending();
            (self.inner.metrics).observe_compress(started.elapsed() - served);
        }
        tracing::info!(
            generation,
            cause = cause.as_str(),
            resources = snapshot.resources.len(),
            bytes = snapshot.encoded_bytes(),
            served_ms = served.as_millis(),
            compressed_ms = started.elapsed().as_millis(),
            "published snapshot"
        );
        Ok(snapshot)
    }

    /// Notified on every published snapshot (the value is the newest).
    pub fn subscribe(&self) -> watch::Receiver<Option<Arc<Snapshot>>> {
        self.inner.changes.subscribe()
    }

    fn publish_turn(&self) -> MutexGuard<'_, ()> {
        self.inner
            .publish_turn
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn node_book(&self) -> MutexGuard<'_, NodeBook> {
        self.inner
            .nodes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
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
