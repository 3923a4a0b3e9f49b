//! Shared by the update stream tests: a real server on 127.0.0.1:0 serving
//! the figure 5 documents, and document edits. The SSE reader is the shared
//! one in `altofed_tests::sse_client`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use altofed_model::{Cost, CostTable, NetworkMapDoc, VersionTag};
use altofed_server::{AppState, Documents, ServerConfig};
use reqwest::header::CONTENT_TYPE;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use altofed_server::sse::StreamConfig;

pub const NET: &str = "agg-netmap";
pub const NUM: &str = "agg-routingcost-num";
pub const ORD: &str = "agg-routingcost-ord";
pub const PROPS: &str = "agg-propmap";

pub use altofed_tests::sse_client::{
    apply, Ended, Item, Sse, CONTROL, GUARD, JSON_PATCH, MERGE, PARAMS,
};

/// The worked example: a network map, two cost maps, a property map.
pub fn figure5() -> Documents {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../topologies/figure5/expected/multipath");
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    Documents {
        network_map: serde_json::from_str::<NetworkMapDoc>(&read("networkmap.json"))
            .unwrap()
            .into(),
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
    let mut rows = doc.cost_map.to_rows();
    rows.get_mut(src)
        .unwrap()
        .insert(dst.to_owned(), Cost(cost));
    doc.cost_map = CostTable::from(&rows);
    doc.meta.vtag = Some(VersionTag::new(id, tag));
}

/// Gives the network map a new vtag (and an extra prefix in `pid8`), and
/// points every dependent map at it.
pub fn change_network_map(docs: &mut Documents, tag: &str) {
    let vtag = VersionTag::new(NET, tag);
    let net = Arc::make_mut(&mut docs.network_map);
    net.meta.vtag = vtag.clone();
    let pid8 = net.network_map.get_mut("pid8").unwrap();
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
        altofed_tests::sse_client::open(&self.client, &self.base, body).await
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
        serde_json::from_slice(&snapshot.resources[id].body.identity.to_bytes()).unwrap()
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

/// An event's `media-type,substream-id`.
pub fn ev(media_type: &str, substream: &str) -> String {
    format!("{media_type},{substream}")
}
