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
//!
//! An open stream is contact: while it is open, at most once per poll
//! interval, the watcher sends [`PeerEvent::Current`] (as a poll would).
//! Liveness cannot wait for the peer's keep-alives: they come every 15 s
//! from altofed's own server (RFC 8895 §6.8 suggests as much), and a
//! `max-age` shorter than that would withdraw a healthy peer. What stops
//! a stream from passing for alive is the idle limit: a stream silent
//! (no event, no keep-alive) for [`STREAM_IDLE`] (or `timeout`, if longer)
//! is given up, and from then on polls decide. So a peer that hangs with
//! its connection open is noticed after that limit; one that goes down
//! closes the connection and is noticed at once.

mod apply;
pub(crate) mod events;
pub(crate) mod parse;
mod replay;

use std::time::Duration;

use altofed_core::peer::PeerMaps;
use altofed_model::media;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{json, Map, Value};
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::mpsc::Sender;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use self::apply::Docs;
use self::parse::SseParser;
pub(crate) use self::replay::replay;
use super::directory::{Chosen, Selection, StreamOffer};
use super::error::{FetchError, Target};
use super::get::{expect_ok, Limits};
use super::HttpPeer;
use crate::PeerEvent;

/// A stream silent (no event, no keep-alive comment) this long is given
/// up: three missed keep-alives at the 15 s RFC 8895 §6.8 suggests.
pub(crate) const STREAM_IDLE: Duration = Duration::from_secs(45);

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
        let max_bytes = usize::try_from(self.options.max_bytes).unwrap_or(usize::MAX);
        let docs = Docs::from_held(&held, with_prop.is_some(), max_bytes, target);
        let mut docs = match docs {
            Ok(docs) => docs,
            Err(e) => return self.stream_closed(Stop::Failed(e), false),
        };

        let body = request_body(offer, &selection, &held, with_prop);

        let limits = self.limits();
        let opened = open_stream(&self.client, &url, body, target, limits);
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
        let pace = self.options.poll_interval;
        let mut heard = Instant::now();
        let mut next_current = Instant::now() + pace;
        let mut parser = SseParser::new(max_bytes);
        let mut events = Vec::new();
        let stop = 'read: loop {
            // `chunk()` only takes data when it returns it, so dropping it
            // for the tick loses nothing; the idle deadline is kept apart
            // so that ticks do not push it back.
            let chunk = tokio::select! {
                biased;
                () = shutdown.cancelled() => break 'read Stop::Shutdown,
                () = tokio::time::sleep_until(next_current) => {
                    next_current = Instant::now() + pace;
                    if !self.still_current(peer, tx) {
                        break 'read Stop::Shutdown;
                    }
                    continue;
                }
                chunk = tokio::time::timeout_at(heard + idle, response.chunk()) => chunk,
            };
            heard = Instant::now();
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
            let mut applied = false;
            for event in events.drain(..) {
                match self.handle(event, &mut docs, target).await {
                    Ok(changed) => applied |= changed,
                    Err(stop) => break 'read stop,
                }
            }
            if applied {
                if let Some(stop) = self.emit(&docs, peer, tx, shutdown, &url).await {
                    break 'read stop;
                }
                // Whatever it sent, the next word is due a pace from now.
                next_current = Instant::now() + pace;
            }
        };
        self.stream_closed(stop, true)
    }
}

impl HttpPeer {
    /// Says the maps last sent are current, the stream being open and
    /// alive. Dropped if the engine's queue is full (it is busy, and the
    /// next tick says it again); `false` when nobody listens any more.
    fn still_current(&self, peer: usize, tx: &Sender<PeerEvent>) -> bool {
        self.metrics.success(&self.name);
        !matches!(
            tx.try_send(PeerEvent::Current { peer }),
            Err(TrySendError::Closed(_))
        )
    }
}

/// POSTs an RFC 8895 stream request (`body`) to `url`. The response head,
/// and an error answer's body, come within `limits.timeout` as a whole: a
/// server that sends a head and then an endless error body is not waited
/// for. The events are read afterwards, within the idle limit.
pub(crate) async fn open_stream(
    client: &reqwest::Client,
    url: &reqwest::Url,
    body: String,
    target: Target<'_>,
    limits: Limits,
) -> Result<reqwest::Response, FetchError> {
    let request = client
        .post(url.clone())
        .header(ACCEPT, format!("{},{}", media::EVENT_STREAM, media::ERROR))
        .header(CONTENT_TYPE, media::UPDATE_STREAM_PARAMS)
        .body(body);
    let opened = async {
        let response = (request.send().await).map_err(|e| target.classify(&e, limits.timeout))?;
        expect_ok(response, target, media::EVENT_STREAM, limits).await
    };
    tokio::time::timeout(limits.timeout, opened)
        .await
        .map_err(|_| target.timeout(limits.timeout))?
}

/// The stream request (RFC 8895 §6.5): a substream per map, with the
/// held vtags so that current maps are not sent again.
fn request_body(
    offer: &StreamOffer,
    selection: &Selection,
    held: &PeerMaps,
    prop: Option<&Chosen>,
) -> String {
    let mut add = Map::new();
    let net_vtag = &held.network_map.meta.vtag;
    let net_tag = (net_vtag.resource_id == selection.net.id).then_some(&net_vtag.tag);
    add.insert(NET.to_owned(), substream(offer, &selection.net.id, net_tag));
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
    if let Some(prop) = prop {
        add.insert(PROP.to_owned(), substream(offer, &prop.id, None));
    }
    json!({ "add": add }).to_string()
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
