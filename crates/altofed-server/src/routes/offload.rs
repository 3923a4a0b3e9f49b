//! Where the work of a POST service runs, and how it is stopped.
//!
//! Small requests (the endpoint cost lookups of a DNS server: a few
//! addresses) are answered on the async worker that read them: a thread
//! hop would cost more than the answer. Anything bigger runs on tokio's
//! blocking pool, at most [`WorkPool`]'s permits at once (one per core by
//! default), so that however many large requests arrive, the async workers
//! stay free for `/healthz`, `/readyz` and small requests, and memory is
//! bounded by permits x the largest allowed answer.
//!
//! The request timeout drops the handler's future; its [`Cancel`] guard
//! then tells the blocking job, which checks between rows and gives up.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::body::Bytes;
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;

use crate::http::body::parse_body;
use crate::http::ApiError;

/// Request bodies up to this size are parsed on the async worker.
pub(crate) const INLINE_BODY_BYTES: usize = 16 * 1024;

/// Answers of up to this many candidate pairs are written on the async
/// worker (about a millisecond of work).
pub(crate) const INLINE_PAIRS: u64 = 16 * 1024;

/// Permits for jobs on the blocking pool, shared by all POST services of
/// one server.
#[derive(Debug, Clone)]
pub struct WorkPool {
    permits: Arc<Semaphore>,
}

impl WorkPool {
    /// `jobs` jobs at once (at least one).
    pub fn new(jobs: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(jobs.max(1))),
        }
    }

    /// One job per core.
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, usize::from))
    }

    /// Runs `job` on the blocking pool once a permit is free. If the
    /// returned future is dropped (the request timed out, the client went
    /// away), the job's [`Cancel`] is set and the job stops at its next
    /// check; its result is then dropped.
    pub(crate) fn run<T, F>(&self, job: F) -> impl Future<Output = Result<T, ApiError>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&Cancel) -> Result<T, ApiError> + Send + 'static,
    {
        let permits = self.permits.clone();
        async move {
            let permit = permits
                .acquire_owned()
                .await
                .map_err(|_| ApiError::Unavailable)?;
            let cancel = Cancel::default();
            let _guard = CancelOnDrop(cancel.clone());
            let handle = tokio::task::spawn_blocking(move || {
                let _permit = permit;
                job(&cancel)
            });
            handle.await.map_err(|e| {
                tracing::error!("request job failed: {e}");
                ApiError::Unavailable
            })?
        }
    }
}

/// A request's answer, planned (PIDs resolved, work counted and checked
/// against the limits) but not yet written.
pub(crate) trait Planned: Send + 'static {
    /// Candidate pairs: what writing the answer costs.
    fn pairs(&self) -> u64;
    /// The answer's JSON text; gives up when `cancel` is set.
    fn write(&self, cancel: &Cancel) -> Result<Vec<u8>, ApiError>;
}

/// Parses `body` as `R`, plans the answer with `plan` and writes it: on
/// the async worker while body and answer are small, else on `pool`.
pub(crate) async fn answer<R, P>(
    pool: &WorkPool,
    body: Bytes,
    plan: impl FnOnce(R) -> Result<P, ApiError> + Send + 'static,
) -> Result<Vec<u8>, ApiError>
where
    R: DeserializeOwned,
    P: Planned,
{
    if body.len() > INLINE_BODY_BYTES {
        return pool
            .run(move |cancel| {
                let planned = plan(parse_body(&body)?)?;
                cancel.check()?;
                planned.write(cancel)
            })
            .await;
    }
    write_planned(pool, plan(parse_body(&body)?)?).await
}

/// Writes a planned answer: on the async worker while it is small, else
/// on `pool`.
pub(crate) async fn write_planned<P: Planned>(
    pool: &WorkPool,
    planned: P,
) -> Result<Vec<u8>, ApiError> {
    if planned.pairs() <= INLINE_PAIRS {
        planned.write(&Cancel::never())
    } else {
        pool.run(move |cancel| planned.write(cancel)).await
    }
}

impl Default for WorkPool {
    fn default() -> Self {
        Self::per_core()
    }
}

/// Set when the request a job works for is gone.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// `Err` once the request is gone: jobs call it between rows, `?` it,
    /// and stop.
    pub(crate) fn check(&self) -> Result<(), ApiError> {
        if self.0.load(Ordering::Relaxed) {
            Err(ApiError::Unavailable)
        } else {
            Ok(())
        }
    }

    /// A token that is never set, for work done inline.
    pub(crate) fn never() -> Self {
        Self::default()
    }
}

/// Sets the job's [`Cancel`] when the waiting future is dropped early.
#[derive(Debug)]
struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0 .0.store(true, Ordering::Relaxed);
    }
}
