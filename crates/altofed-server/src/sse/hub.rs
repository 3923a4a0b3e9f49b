//! The task that follows published snapshots and hands every open stream
//! its updates. It starts with the first stream request and runs until
//! shutdown (or until the state that publishes snapshots is gone); server
//! shutdown ([`AppState::shutdown_token`]) ends every stream.
//!
//! Watching coalesces: if several snapshots are published while a
//! transition is being prepared, streams go straight to the newest one.

use std::sync::Arc;

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::registry::{Shared, UpdateStreams};
use super::transition::{Synced, Transition};
use crate::snapshot::Snapshot;
use crate::state::AppState;

/// Starts the hub if it is not running, synchronizing the registry to the
/// current snapshot first so that the stream being opened has one.
pub(super) fn ensure_running(streams: &UpdateStreams, app: &AppState) {
    let shared = &streams.shared;
    let max_line = shared.config.max_data_line;
    let changes = {
        let mut state = shared.lock();
        if state.hub_running || state.shutting_down {
            return;
        }
        if app.shutdown_token().is_cancelled() {
            state.shutting_down = true;
            return;
        }
        let mut changes = app.subscribe();
        let current = changes.borrow_and_update().clone();
        state.synced = current.map(|s| Arc::new(Synced::new(s, max_line)));
        state.hub_running = true;
        changes
    };
    tokio::spawn(run(streams.clone(), changes, app.shutdown_token()));
}

async fn run(
    streams: UpdateStreams,
    mut changes: watch::Receiver<Option<Arc<Snapshot>>>,
    server_down: CancellationToken,
) {
    let shared = &streams.shared;
    let mut stop = shared.stop.subscribe();
    loop {
        tokio::select! {
            changed = changes.changed() => if changed.is_err() { break },
            _ = stop.wait_for(|stopped| *stopped) => break,
            () = server_down.cancelled() => {
                streams.shutdown();
                break;
            }
        }
        let Some(next) = changes.borrow_and_update().clone() else {
            continue;
        };
        step(shared, next).await;
    }
    shared.lock().hub_running = false;
}

/// Moves every stream from the synchronized snapshot to `next`.
async fn step(shared: &Shared, next: Arc<Snapshot>) {
    let max_line = shared.config.max_data_line;
    let (from, needs) = {
        let mut state = shared.lock();
        match state.synced.clone() {
            // Already there (or newer: a stream opened in the meantime).
            Some(from) if next.generation <= from.snapshot.generation => return,
            Some(from) if !state.streams.is_empty() => (from, Shared::needs(&state)),
            // No stream to update: just move on.
            _ => {
                state.synced = Some(Arc::new(Synced::new(next, max_line)));
                return;
            }
        }
    };
    let (from_task, next_task) = (from.clone(), next.clone());
    let prepared = tokio::task::spawn_blocking(move || {
        Transition::prepare(&from_task, next_task, &needs, max_line)
    })
    .await;
    let transition = prepared.unwrap_or_else(|e| {
        tracing::error!(error = %e, "computing update stream patches failed; sending full replacements");
        Transition::full_only(&from, next, max_line)
    });
    shared.apply(&transition);
}
