//! Applying the events of an update stream and sending the maps they
//! make, and the end of a subscription.

use std::sync::Arc;

use altofed_model::media;
use serde::Deserialize;
use tokio::sync::mpsc::Sender;
use tokio_util::sync::CancellationToken;

use super::apply::{Change, Docs, Slot};
use super::parse::SseEvent;
use super::{SessionEnd, Stop, COST, NET, PROP};
use crate::http::error::{FetchError, Target};
use crate::http::HttpPeer;
use crate::PeerEvent;

/// The data of a control event (RFC 8895 §5.3).
#[derive(Debug, Default, Deserialize)]
struct Control {
    #[serde(default)]
    stopped: Vec<String>,
    #[serde(default)]
    description: Option<String>,
}

impl HttpPeer {
    /// Applies one event: `Ok(true)` if a document was updated, `Err`
    /// ends the session.
    pub(super) async fn handle(
        &self,
        event: SseEvent,
        docs: &mut Docs,
        with_prop: bool,
        target: Target<'_>,
    ) -> Result<bool, Stop> {
        let (event_type, data_id) = match event.event.split_once(',') {
            Some((t, id)) => (t.trim(), Some(id.trim())),
            None => (event.event.trim(), None),
        };
        if event_type.eq_ignore_ascii_case(media::UPDATE_STREAM_CONTROL) {
            let control: Control = serde_json::from_slice(&event.data).unwrap_or_default();
            let ours =
                |id: &String| [NET, COST].contains(&id.as_str()) || (with_prop && id == PROP);
            if control.stopped.iter().any(ours) {
                let why = control
                    .description
                    .unwrap_or_else(|| "no reason given".to_owned());
                return Err(Stop::Stopped(format!(
                    "the peer stopped substreams {}: {why}",
                    control.stopped.join(", ")
                )));
            }
            return Ok(false);
        }
        let data = event.data;
        let result = match (data_id, &mut docs.prop) {
            (Some(NET), _) => apply(&mut docs.net, event_type, data, target).await,
            (Some(COST), _) => apply(&mut docs.cost, event_type, data, target).await,
            (Some(PROP), Some(slot)) => apply(slot, event_type, data, target).await,
            _ => {
                tracing::debug!(peer = %self.name, event = %event.event, "update stream event for no substream of ours ignored");
                return Ok(false);
            }
        };
        match result {
            Ok(change) => {
                self.metrics.stream_update(&self.name, change.label());
                Ok(true)
            }
            Err(e) => Err(Stop::Failed(e)),
        }
    }

    /// Sends the maps if they are consistent and changed; `Some` ends the
    /// session.
    pub(super) async fn emit(
        &mut self,
        docs: &Docs,
        peer: usize,
        tx: &Sender<PeerEvent>,
        shutdown: &CancellationToken,
        url: &reqwest::Url,
    ) -> Option<Stop> {
        if !docs.consistent()
            || self
                .held
                .maps
                .as_deref()
                .is_some_and(|m| !docs.differ_from(m))
        {
            return None;
        }
        let maps = docs.to_maps();
        if let Err(error) = maps.check(&self.name) {
            return Some(Stop::Failed(FetchError::Inconsistent {
                url: Box::new(url.clone()),
                error,
            }));
        }
        let maps = Arc::new(maps);
        self.held.maps = Some(maps.clone());
        self.held.forget_etags();
        self.metrics.success(&self.name);
        tracing::debug!(peer = %self.name, "maps updated from the update stream");
        tokio::select! {
            () = shutdown.cancelled() => Some(Stop::Shutdown),
            sent = tx.send(PeerEvent::Updated { peer, maps }) => sent.err().map(|_| Stop::Shutdown),
        }
    }

    /// Logs and counts the end of a session.
    pub(super) fn stream_closed(&self, stop: Stop, connected: bool) -> SessionEnd {
        if connected {
            self.metrics.stream_connected(&self.name, false);
        }
        let name = &self.name;
        match stop {
            Stop::Shutdown => return SessionEnd::Shutdown,
            Stop::Ended(why) => {
                self.metrics.stream_failure(name, "ended");
                tracing::info!(peer = %name, "{why}; polling");
            }
            Stop::Stopped(why) => {
                self.metrics.stream_failure(name, "stopped");
                tracing::info!(peer = %name, "{why}; polling");
            }
            Stop::Failed(e) => {
                self.metrics.stream_failure(name, e.class());
                tracing::warn!(peer = %name, url = %e.url(), class = e.class(), "{e}; polling");
            }
        }
        SessionEnd::Closed { connected }
    }
}

async fn apply<T>(
    slot: &mut Slot<T>,
    event_type: &str,
    data: Vec<u8>,
    target: Target<'_>,
) -> Result<Change, FetchError>
where
    T: serde::Serialize + serde::de::DeserializeOwned + Clone + Send + 'static,
{
    let change = Change::of(event_type, slot.media_type).ok_or_else(|| {
        target.transport(format!(
            "update stream sent `{event_type}` for a {}, which cannot be applied",
            slot.media_type
        ))
    })?;
    slot.apply(change, data, target).await?;
    Ok(change)
}
