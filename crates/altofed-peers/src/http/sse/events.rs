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
pub(crate) struct Control {
    #[serde(default)]
    pub stopped: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// Which document of [`Docs`] an update event is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Which {
    Net,
    Cost,
    Prop,
}

/// What one event asks of a subscription.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Routed<'e> {
    /// Nothing to do: a control event that stops none of our substreams,
    /// or an event for a substream that is not ours.
    Ignored,
    /// The peer stopped one of our substreams: the session ends.
    Stopped(String),
    /// `event_type` (a media type) applies to one of our documents.
    Update { which: Which, event_type: &'e str },
}

/// Reads the `event` field (`media-type[,data-id]`, RFC 8895 §5.1) and, for
/// a control event, its data. `with_prop`: the property map is one of our
/// substreams. Pure, so the fuzz targets run the same routing.
pub(super) fn route<'e>(event: &'e str, data: &[u8], with_prop: bool) -> Routed<'e> {
    let (event_type, data_id) = match event.split_once(',') {
        Some((t, id)) => (t.trim(), Some(id.trim())),
        None => (event.trim(), None),
    };
    if event_type.eq_ignore_ascii_case(media::UPDATE_STREAM_CONTROL) {
        let control: Control = serde_json::from_slice(data).unwrap_or_default();
        let ours = |id: &String| [NET, COST].contains(&id.as_str()) || (with_prop && id == PROP);
        if control.stopped.iter().any(ours) {
            let why = control
                .description
                .unwrap_or_else(|| "no reason given".to_owned());
            return Routed::Stopped(format!(
                "the peer stopped substreams {}: {why}",
                control.stopped.join(", ")
            ));
        }
        return Routed::Ignored;
    }
    let which = match data_id {
        Some(NET) => Which::Net,
        Some(COST) => Which::Cost,
        Some(PROP) if with_prop => Which::Prop,
        _ => return Routed::Ignored,
    };
    Routed::Update { which, event_type }
}

impl HttpPeer {
    /// Applies one event: `Ok(true)` if a document was updated, `Err`
    /// ends the session.
    pub(super) async fn handle(
        &self,
        event: SseEvent,
        docs: &mut Docs,
        target: Target<'_>,
    ) -> Result<bool, Stop> {
        let (which, event_type) = match route(&event.event, &event.data, docs.prop.is_some()) {
            Routed::Ignored => {
                tracing::debug!(peer = %self.name, event = %event.event, "update stream event ignored");
                return Ok(false);
            }
            Routed::Stopped(why) => return Err(Stop::Stopped(why)),
            Routed::Update { which, event_type } => (which, event_type),
        };
        let data = event.data;
        let result = match (which, &mut docs.prop) {
            (Which::Net, _) => apply(&mut docs.net, event_type, data, target).await,
            (Which::Cost, _) => apply(&mut docs.cost, event_type, data, target).await,
            (Which::Prop, Some(slot)) => apply(slot, event_type, data, target).await,
            (Which::Prop, None) => return Ok(false),
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
            // What the peer sent could not be used: its fault, and only
            // the stream shows it (the poll that follows may well work).
            Stop::Failed(e) if sent_bad_data(&e) => {
                self.metrics.stream_failure(name, e.class());
                tracing::warn!(peer = %name, url = %e.url(), class = %e.class(), "{e}; polling");
            }
            // A lost, silent or refused stream: the poll that follows at
            // once tells whether the peer is down, and the engine logs that
            // failure (one WARN per failure, not two).
            Stop::Failed(e) => {
                self.metrics.stream_failure(name, e.class());
                tracing::info!(peer = %name, url = %e.url(), class = %e.class(), "{e}; polling");
            }
        }
        SessionEnd::Closed { connected }
    }
}

/// Whether a stream ended because of what the peer sent in it.
fn sent_bad_data(error: &FetchError) -> bool {
    matches!(
        error,
        FetchError::Malformed { .. }
            | FetchError::Inconsistent { .. }
            | FetchError::TooLarge { .. }
    )
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
    let change = change_for(slot, event_type, target)?;
    slot.apply(change, data, target).await?;
    Ok(change)
}

/// [`apply`] on the calling thread (see [`Slot::apply_now`]).
pub(super) fn apply_now<T>(
    slot: &mut Slot<T>,
    event_type: &str,
    data: &[u8],
    target: Target<'_>,
) -> Result<Change, FetchError>
where
    T: serde::Serialize + serde::de::DeserializeOwned + Clone,
{
    let change = change_for(slot, event_type, target)?;
    slot.apply_now(change, data, target)?;
    Ok(change)
}

/// The change an event of `event_type` makes to `slot`'s document.
fn change_for<T>(
    slot: &Slot<T>,
    event_type: &str,
    target: Target<'_>,
) -> Result<Change, FetchError> {
    Change::of(event_type, slot.media_type).ok_or_else(|| {
        target.transport(format!(
            "update stream sent `{event_type}` for a {}, which cannot be applied",
            slot.media_type
        ))
    })
}
