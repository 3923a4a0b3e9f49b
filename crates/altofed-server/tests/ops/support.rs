//! Test servers and the Figure 5 documents.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use altofed_model::{NetworkMapDoc, PropertyMapDoc};
use altofed_server::{run, AppState, Documents, ServerConfig, Snapshot};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const NETMAP: &str = "agg-netmap";
pub const COSTMAP: &str = "agg-routingcost-num";
pub const PROPMAP: &str = "agg-propmap";

fn scenario_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../topologies/figure5/expected/multipath")
}

fn read<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let bytes = std::fs::read(scenario_dir().join(name)).expect(name);
    serde_json::from_slice(&bytes).expect(name)
}

/// Network map, both cost maps and the property map of Figure 5.
pub fn documents() -> Documents {
    let network_map: NetworkMapDoc = read("networkmap.json");
    let cost_map = |name: &str| {
        let doc: altofed_model::CostTableDoc = read(name);
        (
            doc.meta
                .vtag
                .as_ref()
                .expect("cost map vtag")
                .resource_id
                .clone(),
            doc,
        )
    };
    let property_map: PropertyMapDoc = read("propmap.json");
    Documents {
        network_map: network_map.into(),
        cost_maps: vec![cost_map("costmap.json"), cost_map("costmap-ordinal.json")],
        property_maps: vec![(PROPMAP.to_owned(), property_map)],
    }
}

/// A server running `run` on its own port.
pub struct Server {
    pub addr: SocketAddr,
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    pub handle: JoinHandle<io::Result<()>>,
}

impl Server {
    pub async fn start(config: ServerConfig) -> Self {
        Self::start_state(AppState::new(config)).await
    }

    /// A server with the Figure 5 documents published.
    pub async fn published(config: ServerConfig) -> Self {
        let server = Self::start(config).await;
        server.publish();
        server
    }

    pub async fn start_state(state: AppState) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(run(listener, state.clone(), async move {
            let _ = stopped.await;
        }));
        Self {
            addr,
            state,
            stop: Some(stop),
            handle,
        }
    }

    pub fn publish(&self) -> Arc<Snapshot> {
        self.state.publish(documents()).unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Completes the `shutdown` future given to `run`.
    pub fn signal_shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Signals shutdown and waits for `run` to return.
    pub async fn stop(mut self) {
        self.signal_shutdown();
        self.handle.await.unwrap().unwrap();
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}
