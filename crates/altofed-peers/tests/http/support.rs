//! Shared by the HTTP client tests: the Figure 5 ISP maps, an
//! `altofed_server` on a loopback port, client options, metrics.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use altofed_core::config::HttpOptions;
use altofed_core::peer::PeerMaps;
use altofed_model::{Cost, CostTable, VersionTag};
use altofed_peers::{HttpPeer, PeerEvent, PeerMetrics};
use altofed_server::static_dir::load_documents;
use altofed_server::{run, AppState, Documents, ServerConfig};
use prometheus_client::registry::Registry;
use reqwest::Url;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::subscriber::DefaultGuard;

/// Guard against hangs only; nothing asserts on speed.
pub const GUARD: Duration = Duration::from_secs(20);

pub const PEER: &str = "isp-a";
pub const NET: &str = "isp-a-netmap";
pub const COST: &str = "isp-a-routingcost";
pub const PROP: &str = "propmap";

pub fn isp_a_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../topologies/figure5/isp-a")
}

/// The ISP's network, cost and property maps, as `altofed publish` serves
/// them.
pub fn isp_a() -> Documents {
    load_documents(&isp_a_dir()).unwrap()
}

/// Sets one cost and gives the cost map a new vtag.
pub fn set_cost(docs: &mut Documents, src: &str, dst: &str, cost: f64, tag: &str) {
    let (id, doc) = docs.cost_maps.first_mut().unwrap();
    let mut rows = doc.cost_map.to_rows();
    rows.get_mut(src)
        .unwrap()
        .insert(dst.to_owned(), Cost(cost));
    doc.cost_map = CostTable::from(&rows);
    doc.meta.vtag = Some(VersionTag::new(id.clone(), tag));
}

pub fn cost_of(maps: &PeerMaps, src: &str, dst: &str) -> f64 {
    maps.cost_map.cost_map.get(src, dst).expect("a cost").0
}

/// Whether `maps` are exactly the published documents.
pub fn assert_maps_are(maps: &PeerMaps, docs: &Documents) {
    assert_eq!(maps.network_map, *docs.network_map);
    assert_eq!(maps.cost_map, docs.cost_maps[0].1);
    assert_eq!(maps.property_map.as_ref(), Some(&docs.property_maps[0].1));
}

/// Options for tests: short timeouts and retries; no polling unless a
/// test asks (poll interval of an hour), no update stream.
pub fn options() -> HttpOptions {
    HttpOptions {
        poll_interval: Duration::from_secs(3600),
        timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        retry_min: Duration::from_millis(20),
        retry_max: Duration::from_millis(200),
        update_stream: false,
        ..HttpOptions::default()
    }
}

/// A peer with its metrics in a registry of its own (prefix `altofed`,
/// like the server's).
pub fn peer(url: &str, options: &HttpOptions) -> (HttpPeer, Registry) {
    // Logs show in the output of failed tests (`RUST_LOG` to filter).
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "altofed_peers=debug".into()),
        )
        .with_ansi(false)
        .with_test_writer()
        .try_init();
    let mut registry = Registry::with_prefix("altofed");
    let metrics = PeerMetrics::new(&mut registry);
    let peer = HttpPeer::new(PEER, Url::parse(url).unwrap(), options, Path::new("."))
        .unwrap()
        .with_metrics(metrics);
    (peer, registry)
}

pub fn render(registry: &Registry) -> String {
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, registry).unwrap();
    text
}

/// `altofed_peer_fetches_total{peer="isp-a",result=...}`, 0 if absent.
pub fn fetches(registry: &Registry, result: &str) -> f64 {
    sample(
        &render(registry),
        "altofed_peer_fetches_total",
        &[("peer", PEER), ("result", result)],
    )
    .unwrap_or(0.0)
}

/// The next event, within the guard time.
pub async fn next_event(rx: &mut mpsc::Receiver<PeerEvent>) -> PeerEvent {
    tokio::time::timeout(GUARD, rx.recv())
        .await
        .expect("no peer event in time")
        .expect("watcher gone")
}

/// A running watcher (as peer 0), stopped by [`Watcher::stop`].
pub struct Watcher {
    shutdown: CancellationToken,
    task: JoinHandle<()>,
}

/// Runs `peer`'s watcher as peer 0; its events arrive on the receiver.
pub fn watch(peer: HttpPeer) -> (mpsc::Receiver<PeerEvent>, Watcher) {
    let (tx, rx) = mpsc::channel(16);
    let shutdown = CancellationToken::new();
    let task = peer.spawn(0, tx, shutdown.clone());
    (rx, Watcher { shutdown, task })
}

impl Watcher {
    /// Cancels the watcher and waits until its task has ended.
    pub async fn stop(self) {
        self.shutdown.cancel();
        tokio::time::timeout(GUARD, self.task)
            .await
            .expect("watcher did not stop")
            .unwrap();
    }
}

/// Skips `Failed` events (checking each with `failed`) and `Current` ones
/// up to the next `Updated`.
pub async fn next_update(
    rx: &mut mpsc::Receiver<PeerEvent>,
    mut failed: impl FnMut(&str),
) -> Arc<PeerMaps> {
    loop {
        match next_event(rx).await {
            PeerEvent::Updated { peer, maps } => {
                assert_eq!(peer, 0);
                return maps;
            }
            PeerEvent::Failed { error, .. } => failed(&error),
            PeerEvent::Current { peer } => assert_eq!(peer, 0),
        }
    }
}

/// Skips `Current` events up to the next `Failed`; returns its message.
pub async fn next_failure(rx: &mut mpsc::Receiver<PeerEvent>) -> String {
    loop {
        match next_event(rx).await {
            PeerEvent::Failed { error, .. } => return error,
            PeerEvent::Current { .. } => {}
            other @ PeerEvent::Updated { .. } => panic!("a failure expected: {other:?}"),
        }
    }
}

/// Polls `cond` every 10 ms until it holds (within the guard time).
pub async fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    tokio::time::timeout(GUARD, async {
        while !cond() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out waiting until {what}"));
}

/// What is logged on this thread while the guard lives.
#[derive(Debug, Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    /// Captures INFO and above; the tests run on one thread (the default
    /// test runtime), so the client's lines land here.
    pub fn capture() -> (Self, DefaultGuard) {
        let logs = Logs::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .finish();
        (logs, tracing::subscriber::set_default(subscriber))
    }

    pub fn lines(&self, level: &str, text: &str) -> usize {
        let logs = String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned();
        logs.lines()
            .filter(|l| l.contains(level) && l.contains(text))
            .count()
    }
}

/// An `altofed_server` serving documents on a loopback port.
pub struct Server {
    pub addr: SocketAddr,
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    handle: JoinHandle<std::io::Result<()>>,
}

impl Server {
    pub async fn start(config: ServerConfig, docs: Documents) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::on(listener, config, docs)
    }

    /// On a given address (a restarted peer), retrying the bind a little.
    pub async fn start_at(addr: SocketAddr, config: ServerConfig, docs: Documents) -> Self {
        for _ in 0..100 {
            if let Ok(listener) = TcpListener::bind(addr).await {
                return Self::on(listener, config, docs);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("cannot bind {addr} again");
    }

    fn on(listener: TcpListener, config: ServerConfig, docs: Documents) -> Self {
        let addr = listener.local_addr().unwrap();
        let state = AppState::new(config);
        state.publish(docs).unwrap();
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

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn metrics(&self) -> String {
        self.state.metrics().render(&self.state)
    }

    /// `altofed_http_requests_total` for GETs of `resource` with `status`.
    pub fn gets(&self, route: &str, resource: &str, status: &str) -> f64 {
        sample(
            &self.metrics(),
            "altofed_http_requests_total",
            &[
                ("method", "GET"),
                ("route", route),
                ("resource", resource),
                ("status", status),
            ],
        )
        .unwrap_or(0.0)
    }

    /// GETs of a map resource, any status.
    pub fn map_gets(&self, resource: &str) -> f64 {
        ["200", "304"]
            .iter()
            .map(|s| self.gets("/maps/{id}", resource, s))
            .sum()
    }

    /// Shuts down and waits until the server has stopped.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(GUARD, self.handle)
            .await
            .expect("server did not stop")
            .unwrap()
            .unwrap();
    }
}

pub use altofed_tests::prometheus::sample;
