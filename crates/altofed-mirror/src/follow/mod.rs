//! The mirror's task: pull every map of the upstream, publish them as one
//! snapshot when they changed and form a consistent set, then follow the
//! upstream's update stream (each update: pull again) or, without one,
//! poll every `poll-interval`. A failed pull keeps the last good snapshot
//! in service and is retried with backoff; a stream that fails is retried
//! with backoff while polls go on. Without a confirmed copy for
//! `stale-after`, the property maps are marked stale; the next good pull
//! brings the upstream's bodies back. `pull`: one pull and its errors.

use std::time::{Duration, SystemTime};

use altofed_peers::http::backoff::{jitter, retry_delay};
use altofed_peers::http::upstream::{StreamNews, Upstream};
use altofed_server::AppState;
use reqwest::Url;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

pub use self::pull::PullError;

use crate::metrics::{MirrorMetrics, UpstreamState};
use crate::set::{documents_of, mark_stale, MirrorError, STALE_SINCE};

mod pull;

/// How often the lag gauge is updated and staleness checked.
const TICK: Duration = Duration::from_millis(250);

/// A mirror of one upstream into one server state.
#[derive(Debug)]
pub struct Mirror {
    upstream: Upstream,
    state: AppState,
    metrics: MirrorMetrics,
    stale_after: Duration,
    started: Instant,
    /// When the mirror last knew it served the upstream's current maps.
    synced: Option<(Instant, SystemTime)>,
    /// Whether the served property maps carry the stale mark.
    stale: bool,
    /// Failed pulls in a row.
    failures: u32,
    /// The upstream generation the served copy is known to be.
    served_generation: Option<u64>,
}

impl Mirror {
    pub fn new(
        upstream: Upstream,
        state: AppState,
        metrics: MirrorMetrics,
        stale_after: Duration,
    ) -> Self {
        Self {
            upstream,
            state,
            metrics,
            stale_after,
            started: Instant::now(),
            synced: None,
            stale: false,
            failures: 0,
            served_generation: None,
        }
    }

    /// Runs until `shutdown` is cancelled.
    pub async fn run(mut self, shutdown: CancellationToken) {
        let options = self.upstream.options().clone();
        let (min, max) = (options.retry_min, options.retry_max);
        let mut stream_failures = 0u32;
        let mut stream_after = Instant::now();
        loop {
            let pulled = tokio::select! {
                biased;
                () = shutdown.cancelled() => return,
                pulled = self.pull() => pulled,
            };
            if let Err(e) = pulled {
                self.failed(&e);
                let delay = retry_delay(self.failures, min, max, jitter());
                self.failures = self.failures.saturating_add(1);
                if !self.wait(delay, &shutdown).await {
                    return;
                }
                continue;
            }
            self.answered();
            self.metrics.set_state(UpstreamState::Polling);
            let stream = (self.upstream.held())
                .and_then(|s| s.stream.clone())
                .filter(|_| options.update_stream);
            if let Some(url) = stream.as_ref().filter(|_| Instant::now() >= stream_after) {
                let started = Instant::now();
                let Some(connected) = self.follow_stream(url, &shutdown).await else {
                    return;
                };
                // A stream that lasted is a success; one that failed or
                // ended at once backs off further.
                stream_failures = if connected && started.elapsed() >= max {
                    0
                } else {
                    stream_failures.saturating_add(1)
                };
                stream_after = Instant::now() + retry_delay(stream_failures, min, max, jitter());
                // Poll at once for what the stream may have missed.
                continue;
            }
            let mut wait = options.poll_interval;
            if stream.is_some() {
                wait = wait.min(stream_after.saturating_duration_since(Instant::now()));
            }
            if !self.wait(wait, &shutdown).await {
                return;
            }
        }
    }

    /// Follows the update stream at `url` until it ends: each update of a
    /// map triggers a pull. `None` on shutdown, else whether it connected.
    async fn follow_stream(&mut self, url: &Url, shutdown: &CancellationToken) -> Option<bool> {
        let opened = tokio::select! {
            biased;
            () = shutdown.cancelled() => return None,
            opened = self.upstream.open_stream(url) => opened,
        };
        let mut session = match opened {
            Ok(session) => session,
            Err(e) => {
                tracing::info!(url = %url, class = e.class(), "{e}; polling");
                return Some(false);
            }
        };
        self.metrics.set_state(UpstreamState::Streaming);
        tracing::info!(url = %url, "following the upstream's update stream");
        let mut tick = tokio::time::interval(TICK);
        loop {
            tokio::select! {
                biased;
                () = shutdown.cancelled() => return None,
                _ = tick.tick() => {
                    // An open stream, not silent past its idle limit, with
                    // no update pending: the copy is current (as a peer's
                    // open stream is contact, `altofed_peers::http`).
                    self.synced_at(Instant::now(), SystemTime::now());
                    self.tick().await;
                }
                news = session.next() => match news {
                    Ok(StreamNews::Alive) => {
                        self.synced_at(Instant::now(), SystemTime::now());
                        self.note_generation(None).await;
                    }
                    Ok(StreamNews::Changed) => {
                        if let Err(e) = self.pull().await {
                            self.failed(&e);
                            return Some(true);
                        }
                    }
                    Err(e) => {
                        tracing::info!(url = %url, class = e.class(), "{e}; polling");
                        self.metrics.set_state(UpstreamState::Polling);
                        return Some(true);
                    }
                },
            }
        }
    }

    fn synced_at(&mut self, at: Instant, wall: SystemTime) {
        self.synced = Some((at, wall));
        self.metrics.set_lag(at.elapsed().as_secs_f64());
    }

    /// A failed pull: one WARN with the error as the operator should read
    /// it (a refused set is expected now and then, an INFO), counted.
    fn failed(&self, e: &PullError) {
        self.metrics.failed(e.class());
        match e {
            PullError::Refused {
                error: MirrorError::Inconsistent { .. },
                ..
            } => tracing::info!("{e}"),
            PullError::Fetch(_) => {
                self.metrics.set_state(UpstreamState::Down);
                tracing::warn!(class = e.class(), "{e}; the last good maps stay in service");
            }
            _ => tracing::warn!(class = e.class(), "{e}; the last good maps stay in service"),
        }
    }

    /// After a good pull: says so once after failures.
    fn answered(&mut self) {
        if std::mem::take(&mut self.failures) > 0 {
            tracing::info!("the upstream answers again");
        }
    }

    /// Waits `duration`, ticking; `false` on shutdown.
    async fn wait(&mut self, duration: Duration, shutdown: &CancellationToken) -> bool {
        let deadline = Instant::now() + duration;
        loop {
            self.tick().await;
            let next = (Instant::now() + TICK).min(deadline);
            tokio::select! {
                biased;
                () = shutdown.cancelled() => return false,
                () = tokio::time::sleep_until(next) => {}
            }
            if Instant::now() >= deadline {
                return true;
            }
        }
    }

    /// Updates the lag, and marks the copy stale once it is `stale-after`
    /// old.
    async fn tick(&mut self) {
        let since = self.synced.map_or(self.started, |(at, _)| at);
        let lag = since.elapsed();
        self.metrics.set_lag(lag.as_secs_f64());
        if self.stale || lag <= self.stale_after {
            return;
        }
        let (Some(snapshot), Some((_, wall))) = (self.state.snapshot(), self.synced) else {
            return;
        };
        let since = humantime::format_rfc3339_seconds(wall).to_string();
        let (state, mark) = (self.state.clone(), since.clone());
        let published = tokio::task::spawn_blocking(move || {
            let mut docs = documents_of(&snapshot);
            mark_stale(&mut docs, &mark);
            state.publish(docs)
        })
        .await;
        match published {
            Ok(Ok(_)) => {
                self.stale = true;
                self.metrics.set_stale(true);
                // The next good pull must publish the upstream's bodies
                // again, even if the upstream did not change.
                self.upstream.forget();
                tracing::warn!(
                    "no confirmed copy of the upstream since {since} (stale-after {:?}): the last maps stay in service, marked {STALE_SINCE}",
                    self.stale_after
                );
            }
            Ok(Err(e)) => tracing::error!("cannot mark the maps stale: {e}"),
            Err(e) => tracing::error!("cannot mark the maps stale: {e}"),
        }
    }
}
