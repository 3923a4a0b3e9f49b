//! Subscribing to a peer's RFC 8895 update stream instead of polling.
//!
//! The request adds one substream per map (`net`, `cost`, and `prop` when
//! the stream covers the property map) with the tags held, so a current
//! map is not sent again (RFC 8895 §6.5). Full replacements and patches
//! are applied as they come; once a batch of events is read and the cost
//! map names the network map version held (RFC 8895 §9.2), changed maps
//! are checked and sent. The session ends when the stream ends, a
//! substream is stopped, anything cannot be applied, nothing (not even a
//! keep-alive) arrives for a while, or on shutdown; the watcher then polls.

mod apply;
mod parse;

use std::sync::Arc;
use std::time::Duration;

use altofed_model::media;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tokio::sync::mpsc::Sender;
use tokio_util::sync::CancellationToken;

use self::apply::{Change, Docs, Slot};
use self::parse::{SseEvent, SseParser};
use super::directory::StreamOffer;
use super::error::{FetchError, Target};
use super::get::expect_ok;
use super::HttpPeer;
use crate::PeerEvent;

/// A stream silent (no event, no keep-alive comment) this long is given
/// up: three missed keep-alives at the 15 s RFC 8895 §6.8 suggests.
const STREAM_IDLE: Duration = Duration::from_secs(45);

/// Substream ids (ResourceID syntax, RFC 8895 §5.2).
const NET: &str = "net";
const COST: &str = "cost";
const PROP: &str = "prop";

/// How a subscription ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionEnd {
    /// Shutdown, or nobody listens to the events any more.
    Shutdown,
    /// The stream is gone; `connected` if it had been opened.
    Closed { connected: bool },
}

/// Why reading stopped.
enum Stop {
    Shutdown,
    Ended(String),
    Stopped(String),
    Failed(FetchError),
}

/// The data of a control event (RFC 8895 §5.3).
#[derive(Debug, Default, Deserialize)]
struct Control {
    #[serde(default)]
    stopped: Vec<String>,
    #[serde(default)]
    description: Option<String>,
}

impl HttpPeer {
    /// Subscribes to `offer` and follows it until it ends. Requires held
    /// maps (a successful pull first).
    pub(crate) async fn subscribe(
        &mut self,
        offer: &StreamOffer,
        peer: usize,
        tx: &Sender<PeerEvent>,
        shutdown: &CancellationToken,
    ) -> SessionEnd {
        let (Some(selection), Some(held)) = (self.held.selection.clone(), self.held.maps.clone())
        else {
            return SessionEnd::Closed { connected: false };
        };
        let (name, url) = (self.name.clone(), offer.url.clone());
        let target = Target {
            peer: &name,
            method: "POST",
            url: &url,
        };
        let with_prop = selection
            .prop
            .as_ref()
            .filter(|p| offer.uses.contains(&p.id) && held.property_map.is_some());
        let docs = (|| {
            Ok::<_, FetchError>(Docs {
                net: Slot::new(&held.network_map, media::NETWORK_MAP, "network map", target)?,
                cost: Slot::new(&held.cost_map, media::COST_MAP, "cost map", target)?,
                prop: match (with_prop, &held.property_map) {
                    (Some(_), Some(doc)) => {
                        Some(Slot::new(doc, media::PROPERTY_MAP, "property map", target)?)
                    }
                    _ => None,
                },
                fixed_prop: match with_prop {
                    Some(_) => None,
                    None => held.property_map.clone(),
                },
            })
        })();
        let mut docs = match docs {
            Ok(docs) => docs,
            Err(e) => return self.stream_closed(Stop::Failed(e), false),
        };

        let mut add = Map::new();
        let net_vtag = &held.network_map.meta.vtag;
        add.insert(
            NET.to_owned(),
            substream(
                offer,
                &selection.net.id,
                (net_vtag.resource_id == selection.net.id).then_some(&net_vtag.tag),
            ),
        );
        let cost_tag = held
            .cost_map
            .meta
            .vtag
            .as_ref()
            .filter(|v| v.resource_id == selection.cost.id)
            .map(|v| &v.tag);
        add.insert(
            COST.to_owned(),
            substream(offer, &selection.cost.id, cost_tag),
        );
        if let Some(prop) = with_prop {
            add.insert(PROP.to_owned(), substream(offer, &prop.id, None));
        }
        let body = json!({ "add": add }).to_string();

        let request = self
            .client
            .post(url.clone())
            .header(ACCEPT, format!("{},{}", media::EVENT_STREAM, media::ERROR))
            .header(CONTENT_TYPE, media::UPDATE_STREAM_PARAMS)
            .body(body);
        let limits = self.limits();
        let opened = async {
            let response = tokio::time::timeout(limits.timeout, request.send())
                .await
                .map_err(|_| target.timeout(limits.timeout))?
                .map_err(|e| target.classify(&e, limits.timeout))?;
            expect_ok(response, target, media::EVENT_STREAM, limits).await
        };
        let mut response = tokio::select! {
            () = shutdown.cancelled() => return SessionEnd::Shutdown,
            opened = opened => match opened {
                Ok(response) => response,
                Err(e) => return self.stream_closed(Stop::Failed(e), false),
            },
        };
        self.metrics.stream_connected(&self.name, true);
        tracing::info!(peer = %self.name, url = %url, "subscribed to the peer's update stream");

        let idle = limits.timeout.max(STREAM_IDLE);
        let max_bytes = usize::try_from(limits.max_bytes).unwrap_or(usize::MAX);
        let mut parser = SseParser::new(max_bytes);
        let mut events = Vec::new();
        let stop = 'read: loop {
            let chunk = tokio::select! {
                biased;
                () = shutdown.cancelled() => break 'read Stop::Shutdown,
                chunk = tokio::time::timeout(idle, response.chunk()) => chunk,
            };
            let bytes = match chunk {
                Err(_) => {
                    let reason = format!("update stream silent for {idle:?}");
                    break 'read Stop::Failed(target.transport(reason));
                }
                Ok(Err(e)) => break 'read Stop::Failed(target.classify(&e, idle)),
                Ok(Ok(None)) => {
                    break 'read Stop::Ended("the peer ended the update stream".to_owned())
                }
                Ok(Ok(Some(bytes))) => bytes,
            };
            if parser.feed(&bytes, &mut events).is_err() {
                break 'read Stop::Failed(target.too_large(limits.max_bytes));
            }
            for event in events.drain(..) {
                if let Some(stop) = self.handle(&event, &mut docs, with_prop.is_some(), target) {
                    break 'read stop;
                }
            }
            if let Some(stop) = self.emit(&docs, peer, tx, shutdown, &url).await {
                break 'read stop;
            }
        };
        self.stream_closed(stop, true)
    }

    /// Applies one event; `Some` ends the session.
    fn handle(
        &self,
        event: &SseEvent,
        docs: &mut Docs,
        with_prop: bool,
        target: Target<'_>,
    ) -> Option<Stop> {
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
                return Some(Stop::Stopped(format!(
                    "the peer stopped substreams {}: {why}",
                    control.stopped.join(", ")
                )));
            }
            return None;
        }
        let result = match (data_id, &mut docs.prop) {
            (Some(NET), _) => apply(&mut docs.net, event_type, &event.data, target),
            (Some(COST), _) => apply(&mut docs.cost, event_type, &event.data, target),
            (Some(PROP), Some(slot)) => apply(slot, event_type, &event.data, target),
            _ => {
                tracing::debug!(peer = %self.name, event = %event.event, "update stream event for no substream of ours ignored");
                return None;
            }
        };
        match result {
            Ok(change) => {
                self.metrics.stream_update(&self.name, change.label());
                None
            }
            Err(e) => Some(Stop::Failed(e)),
        }
    }

    /// Sends the maps if they are consistent and changed; `Some` ends the
    /// session.
    async fn emit(
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
    fn stream_closed(&self, stop: Stop, connected: bool) -> SessionEnd {
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

/// An `AddUpdatesReq` (RFC 8895 §6.5): full replacements only unless every
/// patch type the stream announces for the resource is one we apply.
fn substream(offer: &StreamOffer, resource_id: &str, tag: Option<&String>) -> Value {
    let mut req = Map::new();
    req.insert("resource-id".to_owned(), json!(resource_id));
    if let Some(tag) = tag {
        req.insert("tag".to_owned(), json!(tag));
    }
    req.insert(
        "incremental-changes".to_owned(),
        json!(offer.patches_supported(resource_id)),
    );
    Value::Object(req)
}

fn apply<T>(
    slot: &mut Slot<T>,
    event_type: &str,
    data: &[u8],
    target: Target<'_>,
) -> Result<Change, FetchError>
where
    T: serde::Serialize + serde::de::DeserializeOwned + Clone,
{
    let change = Change::of(event_type, slot.media_type).ok_or_else(|| {
        target.transport(format!(
            "update stream sent `{event_type}` for a {}, which cannot be applied",
            slot.media_type
        ))
    })?;
    slot.apply(change, data, target)?;
    Ok(change)
}
