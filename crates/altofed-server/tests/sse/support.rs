//! Shared by the update stream tests: a real server on 127.0.0.1:0 serving
//! the figure 5 documents, document edits, and a small SSE reader that
//! checks the framing as it parses.

use std::path::PathBuf;
use std::pin::Pin;
use std::time::Duration;

use altofed_model::{Cost, VersionTag};
use altofed_server::{AppState, Documents, ServerConfig};
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use altofed_server::sse::StreamConfig;

pub const NET: &str = "agg-netmap";
pub const NUM: &str = "agg-routingcost-num";
pub const ORD: &str = "agg-routingcost-ord";
pub const PROPS: &str = "agg-propmap";
pub const PARAMS: &str = "application/alto-updatestreamparams+json";
pub const MERGE: &str = "application/merge-patch+json";
pub const JSON_PATCH: &str = "application/json-patch+json";
pub const CONTROL: &str = "application/alto-updatestreamcontrol+json";

/// Guard against hangs only; nothing asserts on speed.
pub const GUARD: Duration = Duration::from_secs(20);

/// The worked example: a network map, two cost maps, a property map.
pub fn figure5() -> Documents {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../topologies/figure5/expected/multipath");
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    Documents {
        network_map: serde_json::from_str(&read("networkmap.json")).unwrap(),
        cost_maps: vec![
            (
                NUM.to_owned(),
                serde_json::from_str(&read("costmap.json")).unwrap(),
            ),
            (
                ORD.to_owned(),
                serde_json::from_str(&read("costmap-ordinal.json")).unwrap(),
            ),
        ],
        property_maps: vec![(
            PROPS.to_owned(),
            serde_json::from_str(&read("propmap.json")).unwrap(),
        )],
    }
}

/// Sets one cost of cost map `id` and gives the map a new vtag.
pub fn set_cost(docs: &mut Documents, id: &str, src: &str, dst: &str, cost: f64, tag: &str) {
    let (_, doc) = docs.cost_maps.iter_mut().find(|(i, _)| i == id).unwrap();
    doc.cost_map
        .get_mut(src)
        .unwrap()
        .insert(dst.to_owned(), Cost(cost));
    doc.meta.vtag = Some(VersionTag::new(id, tag));
}

/// Gives the network map a new vtag (and an extra prefix in `pid8`), and
/// points every dependent map at it.
pub fn change_network_map(docs: &mut Documents, tag: &str) {
    let vtag = VersionTag::new(NET, tag);
    docs.network_map.meta.vtag = vtag.clone();
    let pid8 = docs.network_map.network_map.get_mut("pid8").unwrap();
    pid8.ipv4.push("203.0.113.192/27".parse().unwrap());
    for (_, doc) in &mut docs.cost_maps {
        doc.meta.dependent_vtags = vec![vtag.clone()];
    }
    for (_, doc) in &mut docs.property_maps {
        doc.meta.dependent_vtags = vec![vtag.clone()];
    }
}

pub fn config(keep_alive: Duration, queue_capacity: usize) -> StreamConfig {
    StreamConfig {
        keep_alive,
        queue_capacity,
        ..StreamConfig::default()
    }
}

pub struct Server {
    pub state: AppState,
    pub base: String,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

/// A server on 127.0.0.1:0 with `docs` published (if any).
pub async fn start(streams: StreamConfig, docs: Option<Documents>) -> Server {
    let config = ServerConfig {
        update_streams: streams,
        ..ServerConfig::default()
    };
    let state = AppState::new(config);
    if let Some(docs) = docs {
        state.publish(docs).unwrap();
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(altofed_server::run(listener, state.clone(), async move {
        let _ = stopped.await;
    }));
    Server {
        state,
        base,
        client: reqwest::Client::new(),
        stop: Some(stop),
        task,
    }
}

impl Server {
    /// POSTs a stream request (or any body) to `/updates`.
    pub async fn open(&self, body: &str) -> reqwest::Response {
        self.client
            .post(format!("{}/updates", self.base))
            .header(CONTENT_TYPE, PARAMS)
            .header(ACCEPT, "text/event-stream,application/alto-error+json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
    }

    /// POSTs a control request to `uri` (relative to the server).
    pub async fn control(&self, uri: &str, body: &str) -> reqwest::Response {
        self.client
            .post(format!("{}{uri}", self.base))
            .header(CONTENT_TYPE, PARAMS)
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
    }

    pub fn publish(&self, docs: Documents) {
        self.state.publish(docs).unwrap();
    }

    /// The current body of resource `id`, as the GET resource serves it.
    pub fn body(&self, id: &str) -> Value {
        let snapshot = self.state.snapshot().unwrap();
        serde_json::from_slice(&snapshot.resources[id].body.identity).unwrap()
    }

    /// The current vtag tag of resource `id`.
    pub fn tag(&self, id: &str) -> String {
        self.body(id)["meta"]["vtag"]["tag"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Triggers graceful shutdown and waits for the server to return.
    pub async fn shut_down(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let result = tokio::time::timeout(GUARD, self.task)
            .await
            .expect("server shut down");
        result.unwrap().unwrap();
    }
}

/// One SSE item.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Event { event: String, data: String },
    Comment(String),
}

/// Reads SSE items off a response body (WHATWG SSE parsing, restricted to
/// what RFC 8895 servers send; any `id:` or unknown field fails).
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

/// An event's `media-type,substream-id`.
pub fn ev(media_type: &str, substream: &str) -> String {
    format!("{media_type},{substream}")
}
