//! Shared by the engine's tests: the Figure 5 scenario (optionally with a
//! second ISP, `isp-b`, in address space of its own), an engine fed events
//! by the test, and reading what it publishes.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use altofed_core::config::Config;
use altofed_core::peer::PeerMaps;
use altofed_core::topology::build::build_network;
use altofed_core::topology::spec::CdnSpec;
use altofed_core::topology::CdnNetwork;
use altofed_engine::{Engine, Trigger};
use altofed_peers::{DirectorySource, PeerEvent, PeerSource};
use altofed_server::{AppState, ServerConfig};
use altofed_tests::fixtures::{copy_tree, scenario};
use altofed_tests::prometheus::sample;
use serde_json::Value;
use tokio::sync::mpsc;

pub const EVERY: Duration = Duration::from_millis(20);
pub const COST_MAP: &str = "agg-routingcost-num";

/// Figure 5 in `dir`, every peer with `max-age`; with `isp_b`, a second
/// ISP: isp-a's maps moved to 100.64.0.0/16 and 2001:db9::/32.
pub fn figure5(dir: &Path, max_age: &str, isp_b: bool) {
    copy_tree(&scenario("figure5"), dir);
    let toml = dir.join("altofed.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    if isp_b {
        std::fs::create_dir_all(dir.join("isp-b")).unwrap();
        for file in ["networkmap.json", "costmap.json", "propmap.json"] {
            let a = std::fs::read_to_string(dir.join("isp-a").join(file)).unwrap();
            let b = a
                .replace("198.51.100.", "100.64.1.")
                .replace("192.0.2.128/25", "100.64.2.128/25")
                .replace("192.0.2.", "100.64.9.")
                .replace("2001:db8:", "2001:db9:");
            std::fs::write(dir.join("isp-b").join(file), b).unwrap();
        }
        text.push_str(concat!(
            "\n[[peer]]\nname = \"isp-b\"\ndir = \"isp-b\"\n",
            "[[peer.link]]\nrouter = \"r6\"\naddress = \"100.64.9.4\"\ncost = 1\n",
            "[[peer.link]]\nrouter = \"r7\"\naddress = \"100.64.9.5\"\ncost = 2\n",
        ));
    }
    let text = text.replace(
        "[[peer]]\n",
        &format!("[[peer]]\nmax-age = \"{max_age}\"\n"),
    );
    std::fs::write(toml, text).unwrap();
}

pub fn config(dir: &Path) -> Config {
    Config::from_toml(&std::fs::read_to_string(dir.join("altofed.toml")).unwrap()).unwrap()
}

pub fn cdn(dir: &Path) -> CdnNetwork {
    try_cdn(dir).unwrap()
}

/// The watcher's loader: the directory may be gone once the test is over.
pub fn try_cdn(dir: &Path) -> Result<CdnNetwork, String> {
    let text = std::fs::read_to_string(dir.join("cdn.toml")).map_err(|e| e.to_string())?;
    let spec = CdnSpec::from_toml(&text).map_err(|e| e.to_string())?;
    Ok(build_network(&spec, None).map_err(|e| e.to_string())?.0)
}

/// The maps in `dir/<peer>`, as a peer watcher would send them.
pub fn maps(dir: &Path, peer: &str) -> Arc<PeerMaps> {
    Arc::new(DirectorySource::new(dir.join(peer)).fetch().unwrap())
}

/// Rewrites `dir/<peer>/<file>` with `change` applied to its text.
pub fn edit(dir: &Path, peer: &str, file: &str, change: impl FnOnce(String) -> String) {
    let path = dir.join(peer).join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let changed = change(text.clone());
    assert_ne!(text, changed, "{} unchanged", path.display());
    std::fs::write(path, changed).unwrap();
}

/// An engine over the scenario in `dir` that only hears what the test
/// sends; restored from `state_dir` if given.
pub fn start(dir: &Path, state_dir: Option<&Path>) -> (AppState, mpsc::Sender<Trigger>) {
    let state = AppState::new(ServerConfig::default());
    let engine = Engine::new(
        config(dir),
        cdn(dir),
        state.clone(),
        state_dir.map(Path::to_owned),
    );
    engine.restore();
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(engine.run(rx));
    (state, tx)
}

pub async fn send(tx: &mpsc::Sender<Trigger>, event: PeerEvent) {
    tx.send(Trigger::Peer(event)).await.unwrap();
}

pub fn updated(peer: usize, maps: Arc<PeerMaps>) -> PeerEvent {
    PeerEvent::Updated { peer, maps }
}

pub fn failed(peer: usize, error: &str) -> PeerEvent {
    PeerEvent::Failed {
        peer,
        error: error.to_owned(),
        url: "http://peer.invalid/directory".to_owned(),
        class: "connect",
    }
}

pub fn document(state: &AppState, id: &str) -> Value {
    let snapshot = state.snapshot().expect("a snapshot");
    serde_json::from_slice(&snapshot.resources[id].body.identity.to_bytes()).unwrap()
}

pub fn cost(state: &AppState, src: &str, dst: &str) -> Option<f64> {
    document(state, COST_MAP)["cost-map"][src][dst].as_f64()
}

/// The published network map's entry for `pid` (`Null` when absent).
pub fn pid(state: &AppState, pid: &str) -> Value {
    document(state, "agg-netmap")["network-map"][pid].clone()
}

/// The published properties of PID `pid` (`Null` when absent).
pub fn props(state: &AppState, pid: &str) -> Value {
    document(state, "agg-propmap")["property-map"][format!("agg-netmap.pid:{pid}")].clone()
}

/// What `/metrics` would show.
pub fn metrics(state: &AppState) -> String {
    state.metrics().render(state)
}

/// One sample of `/metrics`, labelled with `peer` when given.
pub fn metric(state: &AppState, name: &str, peer: Option<&str>) -> Option<f64> {
    let labels: Vec<(&str, &str)> = peer.map(|p| ("peer", p)).into_iter().collect();
    sample(&metrics(state), name, &labels)
}

pub fn generation(state: &AppState) -> u64 {
    state.snapshot().map_or(0, |s| s.generation)
}

/// Waits until `check` holds on the published documents; the deadline only
/// guards against a hang.
pub async fn eventually(state: &AppState, what: &str, check: impl Fn(&AppState) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !(state.snapshot().is_some() && check(state)) {
        assert!(
            Instant::now() < deadline,
            "never happened: {what}; cost map now: {}\nmetrics:\n{}",
            state
                .snapshot()
                .map(|_| document(state, COST_MAP))
                .unwrap_or_default(),
            metrics(state)
        );
        tokio::time::sleep(EVERY).await;
    }
}
