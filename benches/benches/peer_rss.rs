//! Memory per peer PID and per prefix (issue #12): what the running
//! service holds for one peer's maps, against the JSON it was sent.
//!
//! Each case runs in a fresh child process (this binary again, the case in
//! `PEER_RSS_CASE`), so that no case inherits another's heap. The child
//! starts an engine over design.md's Figure 5 CDN (3 CDN PIDs) and waits
//! for its cold-start snapshot (CDN PIDs only); reads VmRSS; generates the
//! peer's maps (the two border PIDs of Figure 5 plus the case's PIDs and
//! prefixes, costs from both border rows to every PID), parses them as a
//! peer watcher does, drops the JSON text, and sends them to the engine;
//! once the snapshot with the peer's PIDs is served, reads VmRSS again.
//! The difference is everything the service keeps for that peer: its
//! parsed maps, its composed columns, the merged network map, the lookup
//! trie, the numerical and ordinal cost maps and the property map, each
//! in every coding (identity, gzip, zstd).
//!
//! Cases: `pids:N` (N PIDs, one prefix each) gives bytes per PID;
//! `prefixes:M` (16 PIDs sharing M prefixes) gives bytes per prefix.
//! Not a criterion bench: one run per case, printed on stdout. Linux only
//! (`/proc/self/status`); elsewhere it says so and exits 0. To see where
//! the bytes are: `PEER_RSS_CASE=pids:10000 PEER_RSS_HOLD=60` under
//! `valgrind --tool=massif --vgdb=yes`, then `vgdb detailed_snapshot FILE`
//! once the case's line is printed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs
)]

use std::fmt::Write as _;
use std::sync::Arc;

use altofed_benches::e2e_scenario::{self, engine};
use altofed_core::config::Config;
use altofed_core::peer::PeerMaps;
use altofed_core::topology::build::build_network;
use altofed_core::topology::spec::CdnSpec;
use altofed_core::topology::CdnNetwork;
use altofed_engine::Trigger;
use altofed_peers::{parse_document, PeerEvent};
use altofed_server::Snapshot;
use tokio::sync::{mpsc, watch};

const CASES: [&str; 5] = [
    "isp:0",
    "pids:10000",
    "pids:100000",
    "prefixes:100000",
    "prefixes:1000000",
];

fn vm_rss() -> Option<usize> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: usize = line["VmRSS:".len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// The `i`-th /28 of 10.0.0.0/8 (room for 1,048,576).
fn prefix(i: usize) -> String {
    let a = i * 16;
    format!("10.{}.{}.{}/28", (a >> 16) & 255, (a >> 8) & 255, a & 255)
}

/// Network and cost map JSON of a peer with `pids` PIDs holding `prefixes`
/// prefixes in turn (at least one each), plus Figure 5's border PIDs.
fn peer_json(pids: usize, prefixes: usize) -> (String, String) {
    let mut groups = vec![Vec::new(); pids];
    for i in 0..prefixes.max(pids) {
        groups[i % pids].push(prefix(i));
    }
    let mut net = String::from(
        r#"{"meta":{"vtag":{"resource-id":"isp-a-netmap","tag":"v1"}},"network-map":{"pid4":{"ipv4":["192.0.2.4/32"]},"pid5":{"ipv4":["192.0.2.5/32"]}"#,
    );
    for (p, group) in groups.iter().enumerate() {
        let list = group.iter().map(|g| format!("\"{g}\"")).collect::<Vec<_>>();
        write!(net, r#","s{p}":{{"ipv4":[{}]}}"#, list.join(",")).unwrap();
    }
    net.push_str("}}");
    let mut cost = String::from(
        r#"{"meta":{"dependent-vtags":[{"resource-id":"isp-a-netmap","tag":"v1"}],"cost-type":{"cost-mode":"numerical","cost-metric":"routingcost"},"vtag":{"resource-id":"isp-a-routingcost","tag":"v1"}},"cost-map":{"#,
    );
    for (r, border) in ["pid4", "pid5"].iter().enumerate() {
        let row: Vec<String> = (0..pids)
            .map(|p| format!("\"s{p}\":{}", 1 + (p + r * 7) % 97))
            .collect();
        let comma = if r == 0 { "" } else { "," };
        write!(cost, "{comma}\"{border}\":{{{}}}", row.join(",")).unwrap();
    }
    cost.push_str("}}");
    (net, cost)
}

fn wait_for(
    rt: &tokio::runtime::Runtime,
    rx: &mut watch::Receiver<Option<Arc<Snapshot>>>,
    check: impl Fn(&Snapshot) -> bool,
) {
    let snapshot = rt.block_on(async {
        let ok = |s: &Option<Arc<Snapshot>>| s.as_ref().is_some_and(|s| check(s));
        rx.wait_for(ok).await.unwrap().clone().expect("a snapshot")
    });
    // Measured at the publish's end, compressed codings included.
    altofed_benches::until_compressed(&snapshot);
}

/// The network and cost map JSON of the measured peer, written inside the
/// measured span (as a peer's text is received and then dropped). `Fn`, so
/// that what it holds lives until the case ends.
type MapsJson = Box<dyn Fn() -> (String, String)>;

/// What a case measures: an engine that published its cold start, and the
/// maps of its peer `peer`.
struct Setup {
    config: Config,
    cdn: CdnNetwork,
    peer: usize,
    json: MapsJson,
}

/// `pids:N` / `prefixes:M`: a generated peer of Figure 5.
fn figure5_setup(kind: &str, n: usize) -> Setup {
    let (pids, prefixes) = if kind == "pids" { (n, n) } else { (16, n) };
    let dir = altofed_tests::fixtures::scenario("figure5");
    let text = std::fs::read_to_string(dir.join("altofed.toml")).unwrap();
    let mut config = Config::from_toml(&text).unwrap();
    config.peers[0].max_pids = usize::MAX;
    config.peers[0].max_prefixes = usize::MAX;
    let spec = CdnSpec::from_toml(&std::fs::read_to_string(dir.join("cdn.toml")).unwrap());
    let cdn = build_network(&spec.unwrap(), None).unwrap().0;
    Setup {
        config,
        cdn,
        peer: 0,
        json: Box::new(move || peer_json(pids, prefixes)),
    }
}

/// `isp:I`: ISP `I` of the end-to-end scenario (production size, from the
/// real BGP table) against its 300-PID CDN; the other ISPs never answer.
fn production_setup(isp: usize) -> Setup {
    let (config, cdn, plans) = e2e_scenario::plans();
    // The plans stay alive: memory they freed is not there to be reused
    // by what is measured.
    Setup {
        config,
        cdn,
        peer: isp,
        json: Box::new(move || e2e_scenario::isp_json(&plans[isp])),
    }
}

/// One case in this process; prints one line.
fn run_case(case: &str) {
    let (kind, n) = case.split_once(':').unwrap();
    let n: usize = n.parse().unwrap();
    let setup = match kind {
        "isp" => production_setup(n),
        _ => figure5_setup(kind, n),
    };
    let peer_name = setup.config.peers[setup.peer].name.clone();
    let (rt, state, engine) = engine(setup.config, setup.cdn).unwrap();
    let mut snapshots = state.subscribe();
    let (tx, rx) = mpsc::channel(4);
    rt.spawn(engine.run(rx));
    wait_for(&rt, &mut snapshots, |_| true);
    let encoded = |rx: &watch::Receiver<Option<Arc<Snapshot>>>| {
        rx.borrow().as_ref().map_or(0, |s| s.encoded_bytes())
    };
    let bodies_before = encoded(&snapshots);
    let before = vm_rss().unwrap();

    let (net, cost) = (setup.json)();
    let json_bytes = net.len() + cost.len();
    let maps = PeerMaps {
        network_map: parse_document(net.as_bytes()).unwrap(),
        cost_map: parse_document(cost.as_bytes()).unwrap(),
        property_map: None,
    };
    drop((net, cost));
    let net = &maps.network_map.network_map;
    let (pids, prefixes) = (net.len(), net.values().map(|g| g.prefixes().count()).sum());
    let event = PeerEvent::Updated {
        peer: setup.peer,
        maps: Arc::new(maps),
    };
    rt.block_on(tx.send(Trigger::Peer(event))).unwrap();
    // Published at once: one of its PIDs is all of them.
    let published = format!("{peer_name}:");
    wait_for(&rt, &mut snapshots, |s| {
        let mut names = s.network_map.network_map.keys();
        names.any(|k| k.starts_with(&published))
    });
    let held = vm_rss().unwrap().saturating_sub(before);
    let bodies = encoded(&snapshots).saturating_sub(bodies_before);
    let per = |count: usize| held as f64 / count as f64;
    println!(
        "peer_rss {case}: {pids} PIDs, {prefixes} prefixes, {:.1} MB of JSON; held {:.1} MB = {:.2}x the JSON; {:.0} B per PID, {:.0} B per prefix; of which served bodies (every coding) {:.1} MB = {:.0} B per PID",
        json_bytes as f64 / 1e6,
        held as f64 / 1e6,
        held as f64 / json_bytes as f64,
        per(pids),
        per(prefixes),
        bodies as f64 / 1e6,
        bodies as f64 / pids as f64,
    );
    // For a heap profiler (`vgdb detailed_snapshot` under massif): the
    // process idles with everything held.
    if let Some(secs) = std::env::var("PEER_RSS_HOLD")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        std::thread::sleep(std::time::Duration::from_secs(secs));
    }
}

fn main() {
    if vm_rss().is_none() {
        println!("peer_rss: /proc/self/status has no VmRSS (not Linux?); nothing measured");
        return;
    }
    if let Ok(case) = std::env::var("PEER_RSS_CASE") {
        run_case(&case);
        return;
    }
    let me = std::env::current_exe().unwrap();
    for case in CASES {
        let out = std::process::Command::new(&me)
            .env("PEER_RSS_CASE", case)
            .output()
            .unwrap();
        print!("{}", String::from_utf8_lossy(&out.stdout));
        if !out.status.success() {
            println!(
                "peer_rss {case}: failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
