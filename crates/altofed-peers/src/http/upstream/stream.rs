//! The upstream's RFC 8895 update stream as a change signal: one
//! substream per map (incremental changes allowed, so that the server
//! sends small patches), each event for one of them meaning "pull again".
//! The event's data is not applied: the mirror's documents are always the
//! GET bodies (see the module above). Bounded like a peer's stream: each
//! event by `max-bytes`, silence by the idle limit.

use std::time::Duration;

use altofed_model::media;
use reqwest::Url;
use serde_json::{json, Map, Value};
use tokio::time::Instant;

use super::{Upstream, NAME};
use crate::http::error::{FetchError, Target};
use crate::http::sse::events::Control;
use crate::http::sse::parse::{SseEvent, SseParser};
use crate::http::sse::{open_stream, STREAM_IDLE};

/// What one read of the stream brought.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamNews {
    /// An update of one of the maps: pull again.
    Changed,
    /// Only keep-alives or events that change nothing of ours: the stream
    /// is alive and nothing is pending.
    Alive,
}

/// An open subscription.
#[derive(Debug)]
pub struct StreamSession {
    response: reqwest::Response,
    parser: SseParser,
    events: Vec<SseEvent>,
    heard: Instant,
    idle: Duration,
    max_bytes: u64,
    url: Url,
    /// Substream ids: the resource ids.
    ids: Vec<String>,
}

impl Upstream {
    /// Subscribes to the stream at `url` for every held map, naming the
    /// held vtags (RFC 8895 §6.5). The answer's headers are awaited within
    /// the timeout.
    pub async fn open_stream(&self, url: &Url) -> Result<StreamSession, FetchError> {
        let target = Target {
            peer: NAME,
            method: "POST",
            url,
        };
        let ids: Vec<String> = self
            .held
            .iter()
            .flat_map(|s| &s.maps)
            .map(|m| m.id.clone())
            .collect();
        let body = request_body(&ids, &self.held_tags());
        let limits = self.limits();
        let response = open_stream(&self.client, url, body, target, limits).await?;
        let max_bytes = usize::try_from(limits.max_bytes).unwrap_or(usize::MAX);
        Ok(StreamSession {
            response,
            parser: SseParser::new(max_bytes),
            events: Vec::new(),
            heard: Instant::now(),
            idle: limits.timeout.max(STREAM_IDLE),
            max_bytes: limits.max_bytes,
            url: url.clone(),
            ids,
        })
    }
}

impl StreamSession {
    /// Reads the next chunk: `Changed` if it held an update of one of the
    /// maps. Errors end the session: the stream ended, went silent for
    /// the idle limit, stopped a substream, or sent an event too large.
    pub async fn next(&mut self) -> Result<StreamNews, FetchError> {
        let target = Target {
            peer: NAME,
            method: "POST",
            url: &self.url,
        };
        let chunk = tokio::time::timeout_at(self.heard + self.idle, self.response.chunk()).await;
        self.heard = Instant::now();
        let bytes = match chunk {
            Err(_) => {
                let idle = self.idle;
                return Err(target.transport(format!("update stream silent for {idle:?}")));
            }
            Ok(Err(e)) => return Err(target.classify(&e, self.idle)),
            Ok(Ok(None)) => return Err(target.transport("the upstream ended the update stream")),
            Ok(Ok(Some(bytes))) => bytes,
        };
        if self.parser.feed(&bytes, &mut self.events).is_err() {
            return Err(target.too_large(self.max_bytes));
        }
        let mut news = StreamNews::Alive;
        for event in self.events.drain(..) {
            match classify(&event, &self.ids) {
                Ok(true) => news = StreamNews::Changed,
                Ok(false) => {}
                Err(why) => return Err(target.transport(why)),
            }
        }
        Ok(news)
    }
}

/// Whether `event` updates one of `ids`; `Err` when a control event stops
/// one of them (the session is over).
fn classify(event: &SseEvent, ids: &[String]) -> Result<bool, String> {
    let (event_type, data_id) = match event.event.split_once(',') {
        Some((t, id)) => (t.trim(), Some(id.trim())),
        None => (event.event.trim(), None),
    };
    if event_type.eq_ignore_ascii_case(media::UPDATE_STREAM_CONTROL) {
        let control: Control = serde_json::from_slice(&event.data).unwrap_or_default();
        if control.stopped.iter().any(|s| ids.contains(s)) {
            let why = control
                .description
                .unwrap_or_else(|| "no reason given".to_owned());
            return Err(format!(
                "the upstream stopped substreams {}: {why}",
                control.stopped.join(", ")
            ));
        }
        return Ok(false);
    }
    Ok(data_id.is_some_and(|id| ids.iter().any(|i| i == id)))
}

/// The stream request (RFC 8895 §6.5): one substream per map, named by
/// its resource id, with the held vtag where there is one.
fn request_body(ids: &[String], tags: &std::collections::BTreeMap<String, String>) -> String {
    let mut add = Map::new();
    for id in ids {
        let mut req = Map::new();
        req.insert("resource-id".to_owned(), json!(id));
        if let Some(tag) = tags.get(id) {
            req.insert("tag".to_owned(), json!(tag));
        }
        add.insert(id.clone(), Value::Object(req));
    }
    json!({ "add": add }).to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn event(event: &str, data: &str) -> SseEvent {
        SseEvent {
            event: event.to_owned(),
            data: data.as_bytes().to_vec(),
        }
    }

    #[test]
    fn updates_of_our_maps_are_changes_others_are_not() {
        let ids = ["net".to_owned(), "num".to_owned()];
        let patch = event("application/merge-patch+json,num", "{}");
        assert_eq!(classify(&patch, &ids), Ok(true));
        let other = event("application/merge-patch+json,other", "{}");
        assert_eq!(classify(&other, &ids), Ok(false));
        let start = event(media::UPDATE_STREAM_CONTROL, r#"{"control-uri":"/u/1"}"#);
        assert_eq!(classify(&start, &ids), Ok(false));
        let stop = event(
            media::UPDATE_STREAM_CONTROL,
            r#"{"stopped":["num"],"description":"bye"}"#,
        );
        assert_eq!(
            classify(&stop, &ids),
            Err("the upstream stopped substreams num: bye".to_owned())
        );
    }

    #[test]
    fn the_request_adds_every_map_with_its_held_tag() {
        let ids = ["net".to_owned(), "prop".to_owned()];
        let tags = [("net".to_owned(), "t1".to_owned())].into();
        let body: Value = serde_json::from_str(&request_body(&ids, &tags)).unwrap();
        assert_eq!(
            body,
            json!({"add": {"net": {"resource-id": "net", "tag": "t1"},
                "prop": {"resource-id": "prop"}}})
        );
    }
}
