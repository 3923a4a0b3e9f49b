//! Read replicas (issue #15): how long a one-ISP change takes to reach a
//! mirror, and what a mirror holds in memory, against the aggregator it
//! mirrors.
//!
//! The upstream is the `e2e` scenario (300 CDN PIDs x 10 ISPs x 1,700
//! PIDs, 300 x 17,000 = 5.1M pairs, the 218 MB numerical cost map, ordinal
//! map off as in `update_streams`) in a real engine behind
//! `altofed_server::run` on 127.0.0.1, in this process. The mirror is
//! `altofed_mirror::Mirror` plus `altofed_server::run`, wired as `altofed
//! mirror` wires them, in a CHILD process (this binary again, the
//! upstream's IRD URL in `MIRROR_BENCH_UPSTREAM`), so that its RSS is its
//! own. It follows the upstream's RFC 8895 update stream (the default).
//!
//! - propagation: ISP 3's maps replaced (alternating two versions whose
//!   costs all differ, as in `update_streams`); from the moment the
//!   upstream's `AppState` installs the new snapshot (a `watch` subscriber)
//!   to the moment an RFC 8895 stream opened on the MIRROR has the cost
//!   map event carrying the new vtag (read in this process, raw bytes:
//!   `stream_clients`). Also the upstream's own publish (trigger ->
//!   snapshot installed);
//! - baseline: one GET of the same cost map from the upstream, identity
//!   coding, by a client in this process (the body read in chunks and
//!   counted, not kept): propagation is given as a multiple of "one
//!   download of the map";
//! - RSS: the mirror's VmRSS at rest (after its first copy, and after the
//!   changes) and VmHWM, from `/proc/<pid>/status`; the aggregator's is
//!   this process's own (VmRSS after the first publish, before the mirror
//!   starts; VmHWM reset once the scenario is built), and the published
//!   JSON (identity bodies of the IRD and every map).
//!
//! Each change is waited for (and 0.5 s of quiet left) before the next.
//! Linux only (`/proc`); elsewhere it says so and exits 0.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    clippy::print_stdout,
    missing_docs
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use altofed_benches::e2e_scenario::{build, publish_all, Published, CHANGED_ISP};
use altofed_benches::stream_clients::{self, reset_peak, status_bytes, Received};
use altofed_core::config::HttpOptions;
use altofed_core::peer::PeerMaps;
use altofed_engine::Trigger;
use altofed_mirror::metrics::MirrorMetrics;
use altofed_mirror::Mirror;
use altofed_peers::http::upstream::Upstream;
use altofed_peers::PeerEvent;
use altofed_server::{AppState, ServerConfig, Snapshot};
use criterion::{Criterion, SamplingMode};
use reqwest::header::{ACCEPT_ENCODING, ETAG, IF_NONE_MATCH};
use tokio::runtime::Runtime;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

/// The env var that makes this binary the mirror: the upstream's IRD URL.
const CHILD: &str = "MIRROR_BENCH_UPSTREAM";
const NUMERICAL: &str = "agg-routingcost-num";
/// No event waits longer than this.
const GUARD: Duration = Duration::from_secs(120);

/// One timed change.
#[derive(Debug, Clone, Copy)]
struct Sample {
    /// Trigger -> the upstream installs the new snapshot.
    publish: Duration,
    /// The upstream installs it -> the mirror's stream has the new cost map.
    propagation: Duration,
}

/// Bytes of a `kB` field of `/proc/<pid>/status`.
fn proc_bytes(pid: u32, field: &str) -> usize {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<usize>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(0.0, f64::max)
}

/// The mirror, in the child process: serves on 127.0.0.1:0, prints its
/// base URL, follows the upstream until stdin closes.
fn mirror_child(ird: &str) {
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let url = reqwest::Url::parse(ird).unwrap();
        let upstream = Upstream::new(url, &HttpOptions::default(), Path::new("")).unwrap();
        let state = AppState::new(ServerConfig {
            admin_api: false,
            ..ServerConfig::default()
        });
        let metrics = MirrorMetrics::new(&mut state.metrics().registry());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut out = std::io::stdout().lock();
        writeln!(out, "mirror http://{}", listener.local_addr().unwrap()).unwrap();
        out.flush().unwrap();
        drop(out);
        let stop = CancellationToken::new();
        let follower = Mirror::new(upstream, state.clone(), metrics, Duration::from_secs(300));
        let task = tokio::spawn(follower.run(stop.clone()));
        let stdin_closed = async {
            let _ = tokio::task::spawn_blocking(|| {
                let _ = std::io::stdin().read_to_end(&mut Vec::new());
            })
            .await;
        };
        let _ = altofed_server::run(listener, state, stdin_closed).await;
        stop.cancel();
        let _ = task.await;
    });
}

struct Bench {
    rt: Runtime,
    triggers: mpsc::Sender<Trigger>,
    snapshots: watch::Receiver<Option<Arc<Snapshot>>>,
    base: String,
    client: reqwest::Client,
    versions: [Arc<PeerMaps>; 2],
    turn: usize,
    mirror: Option<Child>,
    mirror_base: String,
    events: mpsc::UnboundedReceiver<Received>,
    _reader: Option<tokio::task::JoinHandle<()>>,
    /// Mirror start -> `/readyz` 200.
    mirror_ready: Duration,
}

/// What is measured outside criterion.
#[derive(Debug, Default)]
struct Memory {
    agg_first: usize,
    agg_hwm_first: usize,
    agg_end: usize,
    agg_hwm_end: usize,
    mirror_rest_first: usize,
    mirror_hwm_first: usize,
    mirror_rest_end: usize,
    mirror_hwm_end: usize,
    json: usize,
    encoded: usize,
}

impl Bench {
    fn current(&self) -> Arc<Snapshot> {
        self.snapshots.borrow().clone().expect("a snapshot")
    }

    fn cost_tag(snapshot: &Snapshot) -> Option<String> {
        let entry = snapshot.cost_maps.iter().find(|e| e.id == NUMERICAL)?;
        Some(entry.doc.meta.vtag.as_ref()?.tag.clone())
    }

    fn mirror_pid(&self) -> u32 {
        self.mirror.as_ref().expect("the mirror runs").id()
    }

    fn next_event(&mut self) -> Received {
        let events = &mut self.events;
        self.rt
            .block_on(async { tokio::time::timeout(GUARD, events.recv()).await })
            .expect("a mirror stream event in time")
            .expect("the stream reader runs")
    }

    /// One GET of the numerical cost map from `base`, identity coding; the
    /// body is counted, not kept. Returns the time and the ETag.
    fn get(&self, base: &str, if_none_match: Option<&str>) -> (Duration, usize, u16, String) {
        let url = format!("{base}/maps/{NUMERICAL}");
        self.rt.block_on(async {
            let started = Instant::now();
            let mut request = self.client.get(&url).header(ACCEPT_ENCODING, "identity");
            if let Some(tag) = if_none_match {
                request = request.header(IF_NONE_MATCH, tag);
            }
            let mut response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let etag = response
                .headers()
                .get(ETAG)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let mut bytes = 0;
            while let Some(chunk) = response.chunk().await.unwrap() {
                bytes += chunk.len();
            }
            (started.elapsed(), bytes, status, etag)
        })
    }

    /// One change of ISP 3, measured (module docs).
    fn change(&mut self) -> Sample {
        let before = self.current().generation;
        self.turn += 1;
        let trigger = Trigger::Peer(PeerEvent::Updated {
            peer: CHANGED_ISP,
            maps: self.versions[self.turn % 2].clone(),
        });
        let started = Instant::now();
        self.rt.block_on(self.triggers.send(trigger)).unwrap();
        let newer = |s: &Option<Arc<Snapshot>>| s.as_ref().is_some_and(|s| s.generation > before);
        self.rt.block_on(self.snapshots.wait_for(newer)).unwrap();
        let published = Instant::now();
        let tag = Self::cost_tag(&self.current());
        let at = loop {
            let event = self.next_event();
            if event.tag == tag {
                break event.at;
            }
        };
        std::thread::sleep(Duration::from_millis(500));
        Sample {
            publish: published - started,
            propagation: at.saturating_duration_since(published),
        }
    }
}

fn start(memory: &mut Memory) -> Bench {
    let mut s = build();
    s.config.output.ordinal_cost_map = false;
    reset_peak().expect("the peak RSS counter can be reset");
    let published = publish_all(&s);
    let base = published.serve();
    let Published {
        rt,
        state: _,
        triggers,
        snapshots,
    } = published;
    std::thread::sleep(Duration::from_secs(1));
    let snapshot = snapshots.borrow().clone().expect("a snapshot");
    memory.json = snapshot.directory.body.identity.len()
        + (snapshot.resources.values())
            .map(|r| r.body.identity.len())
            .sum::<usize>();
    memory.encoded = snapshot.encoded_bytes();
    memory.agg_first = status_bytes("VmRSS:").unwrap_or(0);
    memory.agg_hwm_first = status_bytes("VmHWM:").unwrap_or(0);

    let me = std::env::current_exe().unwrap();
    let spawned = Instant::now();
    let mut child = Command::new(me)
        .env(CHILD, format!("{base}/directory"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let mirror_base = line
        .trim()
        .strip_prefix("mirror ")
        .expect("the mirror says where it serves")
        .to_owned();
    let client = reqwest::Client::builder()
        .no_gzip()
        .no_zstd()
        .build()
        .unwrap();
    let ready = rt.block_on(async {
        loop {
            let r = client.get(format!("{mirror_base}/readyz")).send().await;
            if r.is_ok_and(|r| r.status() == 200) {
                break spawned.elapsed();
            }
            assert!(spawned.elapsed() < GUARD, "the mirror is ready in time");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    // A stream on the mirror, which first sends each map whole.
    let net = snapshot.network_map.meta.vtag.resource_id.clone();
    let props = (snapshot.property_maps.keys().next().cloned()).expect("a property map");
    let (tx, events) = mpsc::unbounded_channel();
    let ids = [net.as_str(), NUMERICAL, props.as_str()];
    let reader = rt.block_on(stream_clients::open(&client, &mirror_base, 0, ids, tx));
    let mut bench = Bench {
        rt,
        triggers,
        snapshots,
        base,
        client,
        versions: [s.peers[CHANGED_ISP].clone(), s.changed.clone()],
        turn: 0,
        mirror: Some(child),
        mirror_base,
        events,
        _reader: Some(reader),
        mirror_ready: ready,
    };
    let first = bench.next_event();
    assert_eq!(
        first.tag,
        Bench::cost_tag(&snapshot),
        "the mirror serves the upstream's cost map"
    );
    drop(snapshot);
    std::thread::sleep(Duration::from_secs(2));
    memory.mirror_rest_first = proc_bytes(bench.mirror_pid(), "VmRSS:");
    memory.mirror_hwm_first = proc_bytes(bench.mirror_pid(), "VmHWM:");
    bench
}

fn main() {
    if let Ok(ird) = std::env::var(CHILD) {
        mirror_child(&ird);
        return;
    }
    if status_bytes("VmHWM:").is_none() {
        println!("mirror: no /proc/self/status (not Linux?); not measured");
        return;
    }
    let mut memory = Memory::default();
    let mut bench = start(&mut memory);
    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("mirror/300x10x1700-numerical");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(1));
    group.measurement_time(Duration::from_secs(5));
    let mut gets = Vec::new();
    let mut body = 0;
    group.bench_function("upstream-get-cost-map", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let (took, bytes, status, _) = bench.get(&bench.base, None);
                assert_eq!(status, 200);
                body = bytes;
                total += took;
                gets.push(took.as_secs_f64());
            }
            total
        })
    });
    group.measurement_time(Duration::from_secs(15));
    let mut samples = Vec::new();
    group.bench_function("one-isp-change/propagation", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let sample = bench.change();
                total += sample.propagation;
                samples.push(sample);
            }
            total
        })
    });
    group.finish();
    // The mirror serves the upstream's current cost map under its ETag.
    let (_, _, _, etag) = bench.get(&bench.base, None);
    let (_, _, status, _) = bench.get(&bench.mirror_base, Some(&etag));
    assert_eq!(status, 304, "the mirror has the upstream's ETag {etag}");
    std::thread::sleep(Duration::from_secs(2));
    let pid = bench.mirror_pid();
    memory.mirror_rest_end = proc_bytes(pid, "VmRSS:");
    memory.mirror_hwm_end = proc_bytes(pid, "VmHWM:");
    memory.agg_end = status_bytes("VmRSS:").unwrap_or(0);
    memory.agg_hwm_end = status_bytes("VmHWM:").unwrap_or(0);
    let mut child = bench.mirror.take().unwrap();
    drop(child.stdin.take());
    let _ = child.wait();
    report(&bench, &samples, &gets, body, &memory);
    c.final_summary();
}

fn report(bench: &Bench, samples: &[Sample], gets: &[f64], body: usize, m: &Memory) {
    let prop: Vec<f64> = samples
        .iter()
        .map(|s| s.propagation.as_secs_f64())
        .collect();
    let publish: Vec<f64> = samples.iter().map(|s| s.publish.as_secs_f64()).collect();
    let get = median(gets);
    let (pm, px) = (median(&prop), max(&prop));
    let (um, ux) = (median(&publish), max(&publish));
    println!();
    println!(
        "mirror: {} one-ISP changes; baseline GET of the cost map ({:.1} MB identity) median {get:.3} s over {} GETs",
        samples.len(),
        mb(body),
        gets.len()
    );
    println!();
    println!("| | median | max | median / one GET of the map | median / upstream publish |");
    println!("|---|---|---|---|---|");
    let row = |what: &str, m: f64, x: f64| {
        println!(
            "| {what} | {m:.3} s | {x:.3} s | **{:.2}x** | {:.2}x |",
            m / get,
            m / um
        );
    };
    row(
        "propagation (upstream installs -> mirror's stream has the new cost map)",
        pm,
        px,
    );
    row("upstream publish (trigger -> snapshot installed)", um, ux);
    row(
        "baseline: one GET of the cost map from the upstream",
        get,
        max(gets),
    );
    println!();
    println!(
        "mirror start -> /readyz 200 (first copy pulled, parsed, published): {:.2} s",
        bench.mirror_ready.as_secs_f64()
    );
    println!(
        "published JSON (IRD + every map, identity): {:.1} MB; all codings held: {:.1} MB",
        mb(m.json),
        mb(m.encoded)
    );
    println!();
    println!("| RSS | aggregator (this process) | mirror (child) | mirror / aggregator | mirror / published JSON |");
    println!("|---|---|---|---|---|");
    let row = |what: &str, a: usize, b: usize| {
        println!(
            "| {what} | {:.1} MB | {:.1} MB | **{:.2}x** | {:.2}x |",
            mb(a),
            mb(b),
            b as f64 / a.max(1) as f64,
            b as f64 / m.json.max(1) as f64
        );
    };
    row(
        "at rest, after the first copy",
        m.agg_first,
        m.mirror_rest_first,
    );
    row("at rest, after the changes", m.agg_end, m.mirror_rest_end);
    row(
        "peak (VmHWM) to the first copy",
        m.agg_hwm_first,
        m.mirror_hwm_first,
    );
    row(
        "peak (VmHWM) over the whole run",
        m.agg_hwm_end,
        m.mirror_hwm_end,
    );
    println!();
    println!(
        "(aggregator peak from the engine's start, the scenario already built; its RSS includes the bench's clients, whose bodies are counted, not kept)"
    );
}
