//! One pull of the upstream, what it publishes, and why it may fail.

use std::time::SystemTime;

use altofed_peers::FetchError;
use reqwest::Url;
use thiserror::Error;
use tokio::time::Instant;

use super::Mirror;
use crate::set::{divergences, documents, MirrorError};

/// Why a pull brought nothing to serve; the last good maps stay served.
#[derive(Debug, Error)]
pub enum PullError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("upstream {url}: {error}")]
    Refused { url: Box<Url>, error: MirrorError },
    #[error("publishing the upstream's maps failed: {0}")]
    Task(String),
}

impl PullError {
    /// The `class` label of `altofed_mirror_pull_failures_total`.
    pub fn class(&self) -> &'static str {
        match self {
            PullError::Fetch(e) => e.class(),
            PullError::Refused {
                error: MirrorError::Snapshot(_),
                ..
            } => "invalid",
            PullError::Refused { .. } => "inconsistent",
            PullError::Task(_) => "internal",
        }
    }
}

impl Mirror {
    /// One pull ([`Mirror::pull_maps`]), with the upstream's generation
    /// read around it.
    pub(super) async fn pull(&mut self) -> Result<(), PullError> {
        let before = self.upstream.generation().await;
        let result = self.pull_maps().await;
        if result.is_ok() {
            self.note_generation(before).await;
        }
        result
    }

    /// Reads the upstream's generation; the copy served is of generation
    /// `before` if that was read before a good pull and has not moved.
    pub(super) async fn note_generation(&mut self, before: Option<u64>) {
        let Some(now) = self.upstream.generation().await else {
            return;
        };
        if before == Some(now) {
            self.served_generation = Some(now);
        }
        self.metrics.set_generations(now, self.served_generation);
    }

    /// Pulls the maps; publishes them if they changed and form a
    /// consistent set. The pull's start is the moment the copy is known
    /// current.
    async fn pull_maps(&mut self) -> Result<(), PullError> {
        let started = (Instant::now(), SystemTime::now());
        let Some(set) = self.upstream.pull().await? else {
            self.synced_at(started.0, started.1);
            return Ok(());
        };
        let url = Box::new(self.upstream.ird_url().clone());
        let docs = match documents(&set) {
            Ok(docs) => docs,
            Err(error) => {
                // Pulled again whole next time, not answered with 304s.
                self.upstream.forget();
                return Err(PullError::Refused { url, error });
            }
        };
        let state = self.state.clone();
        let published = tokio::task::spawn_blocking(move || state.publish(docs)).await;
        let snapshot = match published {
            Ok(Ok(snapshot)) => snapshot,
            Ok(Err(e)) => {
                self.upstream.forget();
                let error = MirrorError::Snapshot(e);
                return Err(PullError::Refused { url, error });
            }
            Err(e) => return Err(PullError::Task(e.to_string())),
        };
        let divergent = divergences(&snapshot, &set);
        self.metrics.set_divergent(divergent.len());
        for d in &divergent {
            tracing::warn!(resource = %d.id, "served with a {} other than the upstream's", d.what);
        }
        if std::mem::take(&mut self.stale) {
            self.metrics.set_stale(false);
            tracing::info!("caught up with the upstream: the stale mark is gone");
        }
        tracing::info!(
            generation = snapshot.generation,
            "serving the upstream's maps"
        );
        self.synced_at(started.0, started.1);
        Ok(())
    }
}
