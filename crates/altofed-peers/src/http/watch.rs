//! The watcher task of one peer: pull, report, then wait for the poll
//! interval, or follow the peer's update stream where it offers one; after
//! a failure, retry with capped exponential backoff and jitter.

use tokio::sync::mpsc::Sender;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::backoff::{jitter, retry_delay};
use super::sse::SessionEnd;
use super::HttpPeer;
use crate::PeerEvent;

impl HttpPeer {
    /// Runs the watcher as a task that sends `peer`'s events on `tx`:
    /// [`PeerEvent::Updated`] for new maps, [`PeerEvent::Failed`] for each
    /// failed pull (then retries from `retry-min`, doubling up to
    /// `retry-max`, with jitter), and [`PeerEvent::Current`] for each pull
    /// that finds the maps unchanged (a 304, the same vtag or body): the
    /// engine counts liveness from the last contact, so every good answer
    /// must reach it, not only new maps. Where the IRD offers an update
    /// stream covering the maps and `update-stream` is on, it subscribes
    /// instead of polling (an open stream is contact too, see
    /// `HttpPeer::subscribe`); when the stream ends it polls at once, and
    /// tries the stream again after a backoff. The task ends promptly when
    /// `shutdown` is cancelled or `tx` is closed.
    pub fn spawn(
        self,
        peer: usize,
        tx: Sender<PeerEvent>,
        shutdown: CancellationToken,
    ) -> JoinHandle<()> {
        tokio::spawn(self.watch(peer, tx, shutdown))
    }

    async fn watch(mut self, peer: usize, tx: Sender<PeerEvent>, shutdown: CancellationToken) {
        let (min, max) = (self.options.retry_min, self.options.retry_max);
        let mut failures = 0u32;
        let mut stream_failures = 0u32;
        let mut stream_after = Instant::now();
        loop {
            let pulled = tokio::select! {
                biased;
                () = shutdown.cancelled() => return,
                pulled = self.pull() => pulled,
            };
            match pulled {
                Ok(Some(maps)) => {
                    failures = 0;
                    if !send(&tx, PeerEvent::Updated { peer, maps }, &shutdown).await {
                        return;
                    }
                }
                Ok(None) => {
                    failures = 0;
                    // Sent even when nothing failed before: it is what
                    // keeps a peer with static maps alive past max-age.
                    if !send(&tx, PeerEvent::Current { peer }, &shutdown).await {
                        return;
                    }
                }
                Err(e) => {
                    if !send(&tx, PeerEvent::failed(peer, &e), &shutdown).await {
                        return;
                    }
                    let delay = retry_delay(failures, min, max, jitter());
                    failures = failures.saturating_add(1);
                    if !sleep(delay, &shutdown).await {
                        return;
                    }
                    continue;
                }
            }

            let offer = self
                .held
                .selection
                .as_ref()
                .and_then(|s| s.stream.clone())
                .filter(|_| self.options.update_stream);
            if let Some(offer) = &offer {
                if Instant::now() >= stream_after {
                    let started = Instant::now();
                    match self.subscribe(offer, peer, &tx, &shutdown).await {
                        SessionEnd::Shutdown => return,
                        SessionEnd::Closed { connected } => {
                            // A stream that lasted is a success; one that
                            // failed or ended at once backs off further.
                            stream_failures = if connected && started.elapsed() >= max {
                                0
                            } else {
                                stream_failures.saturating_add(1)
                            };
                            let delay = retry_delay(stream_failures, min, max, jitter());
                            stream_after = Instant::now() + delay;
                            // Poll at once for what the stream may have missed.
                            continue;
                        }
                    }
                }
            }
            let mut wait = self.options.poll_interval;
            if offer.is_some() {
                wait = wait.min(stream_after.saturating_duration_since(Instant::now()));
            }
            if !sleep(wait, &shutdown).await {
                return;
            }
        }
    }
}

/// Sends an event; `false` on shutdown or when nobody listens.
async fn send(tx: &Sender<PeerEvent>, event: PeerEvent, shutdown: &CancellationToken) -> bool {
    tokio::select! {
        biased;
        () = shutdown.cancelled() => false,
        sent = tx.send(event) => sent.is_ok(),
    }
}

/// Waits; `false` on shutdown.
async fn sleep(duration: std::time::Duration, shutdown: &CancellationToken) -> bool {
    tokio::select! {
        biased;
        () = shutdown.cancelled() => false,
        () = tokio::time::sleep(duration) => true,
    }
}
