//! A small RFC 8895 update stream client for tests: reads SSE items off a
//! response body, checking the framing as it parses (WHATWG SSE parsing,
//! restricted to what RFC 8895 servers send), and applies updates.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use reqwest::header::CONTENT_TYPE;
use serde_json::Value;

pub const CONTROL: &str = "application/alto-updatestreamcontrol+json";
pub const MERGE: &str = "application/merge-patch+json";
pub const JSON_PATCH: &str = "application/json-patch+json";
/// Media type of stream requests and control requests.
pub const PARAMS: &str = "application/alto-updatestreamparams+json";

/// Guards against a hang: no test waits longer for one item.
pub const GUARD: Duration = Duration::from_secs(20);

/// POSTs a stream request to `{base}/updates`.
pub async fn open(client: &reqwest::Client, base: &str, body: &str) -> reqwest::Response {
    client
        .post(format!("{base}/updates"))
        .header(CONTENT_TYPE, PARAMS)
        .header(
            reqwest::header::ACCEPT,
            "text/event-stream,application/alto-error+json",
        )
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

/// One SSE item.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Event { event: String, data: String },
    Comment(String),
}

/// Reads SSE items off a response body; any `id:` or unknown field fails.
pub struct Sse {
    body: Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>,
    buf: Vec<u8>,
    event: Option<String>,
    data: Vec<String>,
}

/// How a stream ended.
#[derive(Debug, PartialEq)]
pub enum Ended {
    Clean,
    Cut(String),
}

impl std::fmt::Debug for Sse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sse")
            .field("buffered", &self.buf.len())
            .finish_non_exhaustive()
    }
}

impl Sse {
    pub fn new(response: reqwest::Response) -> Self {
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()[CONTENT_TYPE], "text/event-stream");
        Self {
            body: Box::pin(response.bytes_stream()),
            buf: Vec::new(),
            event: None,
            data: Vec::new(),
        }
    }

    /// The next item, or how the stream ended.
    pub async fn next(&mut self) -> Result<Item, Ended> {
        loop {
            while let Some(pos) = self.buf.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=pos).collect();
                let line = String::from_utf8(line[..pos].to_vec()).unwrap();
                if let Some(item) = self.line(&line) {
                    return Ok(item);
                }
            }
            match tokio::time::timeout(GUARD, self.body.next())
                .await
                .expect("SSE data in time")
            {
                Some(Ok(chunk)) => self.buf.extend_from_slice(&chunk),
                Some(Err(e)) => return Err(Ended::Cut(e.to_string())),
                None => return Err(Ended::Clean),
            }
        }
    }

    fn line(&mut self, line: &str) -> Option<Item> {
        assert!(!line.contains('\r'), "CR in {line:?}");
        if line.is_empty() {
            if self.event.is_none() && self.data.is_empty() {
                return None;
            }
            let event = self.event.take().unwrap_or_else(|| "message".to_owned());
            let data = std::mem::take(&mut self.data).join("\n");
            return Some(Item::Event { event, data });
        }
        if let Some(comment) = line.strip_prefix(':') {
            return Some(Item::Comment(comment.trim().to_owned()));
        }
        if let Some(event) = line.strip_prefix("event: ") {
            self.event = Some(event.to_owned());
        } else if let Some(data) = line.strip_prefix("data: ") {
            self.data.push(data.to_owned());
        } else {
            panic!("unexpected SSE line {line:?}");
        }
        None
    }

    /// The next event (comments skipped): its `event` field and JSON data.
    pub async fn event(&mut self) -> (String, Value) {
        loop {
            match self.next().await {
                Ok(Item::Event { event, data }) => {
                    return (event, serde_json::from_str(&data).unwrap())
                }
                Ok(Item::Comment(_)) => {}
                Err(end) => panic!("stream ended: {end:?}"),
            }
        }
    }

    /// The first event must be the control event with the control URI.
    pub async fn control_uri(&mut self) -> String {
        let (event, data) = self.event().await;
        assert_eq!(event, CONTROL);
        let uri = data["control-uri"].as_str().unwrap().to_owned();
        let id = uri.strip_prefix("/updates/control/").unwrap();
        assert_eq!(id.len(), 32, "128 random bits");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        uri
    }

    /// Reads until the stream ends (comments and events discarded).
    pub async fn end(&mut self) -> Ended {
        loop {
            if let Err(end) = self.next().await {
                return end;
            }
        }
    }
}

/// Applies an update event to `doc` according to its media type.
pub fn apply(doc: &mut Value, event: &str, data: &Value) {
    let media_type = event.split(',').next().unwrap();
    match media_type {
        MERGE => json_patch::merge(doc, data),
        JSON_PATCH => {
            let patch: json_patch::Patch = serde_json::from_value(data.clone()).unwrap();
            json_patch::patch(doc, &patch).unwrap();
        }
        _ => *doc = data.clone(),
    }
}
