//! Shared by the server's integration tests: real servers on 127.0.0.1:0
//! over the Figure 5 documents altofed computes.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use altofed_model::{
    CostMapMeta, CostMode, CostRows, CostTable, CostTableDoc, CostType, NetworkMapDoc,
    PropertyMapDoc, VersionTag,
};
use altofed_server::{run, AppState, Documents, ServerConfig};
use reqwest::header::CONTENT_TYPE;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::sync::oneshot;

/// A running server; dropping it shuts the server down.
pub struct TestServer {
    pub addr: SocketAddr,
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Signals shutdown and waits for `run` to return.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts a server with `config`, publishing `docs` first if given.
pub async fn start(config: ServerConfig, docs: Option<Documents>) -> TestServer {
    let state = AppState::new(config);
    if let Some(docs) = docs {
        state.publish(docs).unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(run(listener, state.clone(), async {
        let _ = stopped.await;
    }));
    TestServer {
        addr,
        state,
        stop: Some(stop),
        task: Some(task),
    }
}

fn figure5_file(expected: &str, name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../topologies/figure5/expected")
        .join(expected)
        .join(name)
}

fn read<T: serde::de::DeserializeOwned>(expected: &str, name: &str) -> T {
    serde_json::from_slice(&std::fs::read(figure5_file(expected, name)).unwrap()).unwrap()
}

/// What `altofed compute` produces for Figure 5 (multipath).
pub fn figure5() -> Documents {
    figure5_expected("multipath")
}

/// The documents of topologies/figure5/expected/<expected>.
pub fn figure5_expected(expected: &str) -> Documents {
    let network_map: NetworkMapDoc = read(expected, "networkmap.json");
    let num: CostTableDoc = read(expected, "costmap.json");
    let ord: CostTableDoc = read(expected, "costmap-ordinal.json");
    let prop: PropertyMapDoc = read(expected, "propmap.json");
    Documents {
        network_map: network_map.into(),
        cost_maps: vec![
            ("agg-routingcost-num".into(), num),
            ("agg-routingcost-ord".into(), ord),
        ],
        property_maps: vec![("agg-propmap".into(), prop)],
    }
}

/// Figure 5's documents with `rows` as the numerical cost map (vtag tag
/// `tag`); every PID the rows name is added to the network map, so that
/// the snapshot validates.
pub fn figure5_with_costs(rows: &CostRows, tag: &str) -> Documents {
    let mut docs = figure5();
    let net = docs.network_map.meta.vtag.clone();
    for name in rows.keys().chain(rows.values().flat_map(|r| r.keys())) {
        Arc::make_mut(&mut docs.network_map)
            .network_map
            .entry(name.clone())
            .or_default();
    }
    let cost_type = CostType::routingcost(CostMode::Numerical);
    let meta = CostMapMeta {
        dependent_vtags: vec![net],
        cost_type,
        vtag: Some(VersionTag::new("agg-routingcost-num", tag)),
    };
    let table = CostTableDoc {
        meta,
        cost_map: CostTable::from(rows),
    };
    docs.cost_maps = vec![("agg-routingcost-num".to_owned(), table)];
    docs
}

/// A client that does not decompress, so tests see the bytes as sent.
pub fn raw_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_gzip()
        .no_zstd()
        .build()
        .unwrap()
}

/// POSTs `body` as `content_type` to `path`: the status, the answer's
/// `Content-Type` and its JSON (`Null` when it is not JSON).
pub async fn post_raw(
    server: &TestServer,
    path: &str,
    content_type: &str,
    body: impl Into<String>,
) -> (StatusCode, String, Value) {
    let response = reqwest::Client::new()
        .post(server.url(path))
        .header(CONTENT_TYPE, content_type)
        .body(body.into())
        .send()
        .await
        .unwrap();
    let status = response.status();
    let media_type = response.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    (
        status,
        media_type,
        response.json().await.unwrap_or(Value::Null),
    )
}

/// One gzip member (a GET body sent with `Content-Encoding: gzip`),
/// decompressed.
pub fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out).unwrap();
    out
}
