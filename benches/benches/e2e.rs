//! End to end (issue #6 item 4): the running service's whole path for 300
//! CDN PIDs x 10 ISPs x 1,700 PIDs (5.1M pairs published), through the
//! public API only, so that it keeps measuring the same thing while the
//! internals change: a real `Engine` on a tokio runtime publishing to an
//! `AppState`; a trigger goes in, and the time is taken until the watch
//! channel of `AppState::subscribe` shows the next snapshot (recompute,
//! assemble, serialize, swap; taken from the snapshot's `created`, which is
//! set just before the swap): the change is served then. The cost map's
//! gzip and zstd bodies are compressed after that (until then a client
//! asking for them gets identity); the bench also takes the time until
//! they are there (`altofed_benches::until_compressed`), and
//! waits for it, untimed by criterion, before the next trigger.
//!
//! - `full`: `Trigger::Cdn`, alternating between the network and the same
//!   network with every link 1% dearer: C_cdn and every peer's columns
//!   again, and every published cost changes, so no part of the previous
//!   snapshot's bodies can be reused; then one publish.
//! - `incremental-one-isp`: ISP 3's maps replaced, alternating between two
//!   versions whose costs all differ, so that every iteration changes the
//!   published costs; only that peer's columns are recomposed.
//!
//! - `ordinal-first-read` (with the ordinal map on): the ordinal map's body
//!   is built on first use (`altofed_server::snapshot::Body`), so a
//!   publish does not include it; this is what the first reader after a
//!   one-ISP change waits for (building the body, through `Body::built`).
//!
//! Targets (issue #16): full / incremental >= 10 with the numerical map
//! only, >= 5 with the ordinal map on (printed at the end from the medians
//! of every timed publish, and from an interleaved run of both after the
//! criterion phases, which the host's drift between phases cannot move).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    missing_docs
)]

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use altofed_benches::e2e_scenario::{build, engine, E2eScenario, CHANGED_ISP, ISPS};
use altofed_engine::Trigger;
use altofed_model::CostTableDoc;
use altofed_peers::{parse_document, PeerEvent};
use altofed_server::Snapshot;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use tokio::runtime::Runtime;
use tokio::sync::{mpsc, watch};

const NUMERICAL: &str = "agg-routingcost-num";
const ORDINAL: &str = "agg-routingcost-ord";

#[cfg(feature = "jemalloc")]
altofed_benches::allocate_like_altofed!();

/// An engine running with every ISP's maps in.
struct Running {
    rt: Runtime,
    triggers: mpsc::Sender<Trigger>,
    snapshots: watch::Receiver<Option<Arc<Snapshot>>>,
}

impl Running {
    fn start(s: &E2eScenario) -> Self {
        let (rt, state, engine) = engine(s.config.clone(), s.cdn.clone()).unwrap();
        let (triggers, rx) = mpsc::channel(64);
        let mut running = Self {
            snapshots: state.subscribe(),
            triggers,
            rt,
        };
        running.rt.spawn(engine.run(rx));
        for (peer, maps) in s.peers.iter().enumerate() {
            let maps = maps.clone();
            let t = Trigger::Peer(PeerEvent::Updated { peer, maps });
            running.rt.block_on(running.triggers.send(t)).unwrap();
        }
        // Peers that arrive while one is composed are published together;
        // wait until the snapshot holds them all.
        let want = 1 + s.cdn.pids.len() + s.peers.len() * ISPS.pids;
        running.rt.block_on(async {
            let all = |s: &Option<Arc<Snapshot>>| {
                s.as_ref()
                    .is_some_and(|s| s.network_map.network_map.len() >= want)
            };
            running.snapshots.wait_for(all).await.unwrap();
        });
        running.until_compressed();
        running
    }

    fn current(&self) -> Arc<Snapshot> {
        self.snapshots.borrow().clone().expect("a snapshot")
    }

    /// Sends `trigger` and waits for the next snapshot, then for its
    /// bodies' compressed codings: the time until each.
    fn publish(&mut self, trigger: Trigger) -> Publish {
        let before = self.current().generation;
        let (started, sent) = (Instant::now(), SystemTime::now());
        self.rt.block_on(async {
            self.triggers.send(trigger).await.unwrap();
            let newer =
                |s: &Option<Arc<Snapshot>>| s.as_ref().is_some_and(|s| s.generation > before);
            self.snapshots.wait_for(newer).await.unwrap();
        });
        // When the snapshot was made, just before it was swapped in: the
        // moment requests see the change. Not when this thread saw it:
        // compressing starts then on every core, and this thread's wake-up
        // would be counted (a few ms, the same for any publish).
        let served = (self.current().created.duration_since(sent)).unwrap_or_default();
        self.until_compressed();
        Publish {
            served,
            compressed: started.elapsed(),
        }
    }

    /// Waits until the current snapshot's bodies are all compressed.
    fn until_compressed(&self) {
        altofed_benches::until_compressed(&self.current());
    }
}

/// How long one publish took to be served, and to be compressed too.
#[derive(Debug, Clone, Copy)]
struct Publish {
    served: Duration,
    compressed: Duration,
}

/// "served <ratio> (<a> / <b>), compressed <ratio> (<a> / <b>)": the
/// medians of `full` and `incremental` and their ratios.
fn ratios(full: &[Publish], incremental: &[Publish]) -> String {
    let of = |f: fn(&Publish) -> Duration| {
        let (a, b) = (
            median(&full.iter().map(f).collect::<Vec<_>>()),
            median(&incremental.iter().map(f).collect::<Vec<_>>()),
        );
        let ratio = a.as_secs_f64() / b.as_secs_f64().max(f64::MIN_POSITIVE);
        format!("{ratio:.2} ({a:.2?} / {b:.2?})")
    };
    format!(
        "served {}, compressed {}",
        of(|p| p.served),
        of(|p| p.compressed)
    )
}

/// What is published, once, on stderr; asserts all 5.1M pairs are there.
fn report(s: &E2eScenario, snapshot: &Snapshot) {
    let mb = |n: usize| n as f64 / 1e6;
    for note in &s.notes {
        eprintln!("note: {note}");
    }
    let links: Vec<usize> = s.config.peers.iter().map(|p| p.links.len()).collect();
    eprintln!(
        "e2e scenario: {} CDN PIDs, {} border routers; {} ISPs, links {links:?}; ISP maps {:.1} MB of JSON, {} pairs (parsed, text dropped)",
        s.cdn.pids.len(),
        s.cdn.borders.len(),
        s.peers.len(),
        mb(s.json_bytes),
        s.isp_pairs,
    );
    let body = &snapshot.resources[NUMERICAL].body.identity;
    let table: CostTableDoc = parse_document(&body.to_bytes()).unwrap();
    let pairs = table.cost_map.len();
    eprintln!(
        "published: {} PIDs, {pairs} pairs per cost map",
        snapshot.network_map.network_map.len()
    );
    assert_eq!(pairs, s.cdn.pids.len() * s.peers.len() * ISPS.pids);
    let share = changed_share(&table);
    eprintln!(
        "  ISP {CHANGED_ISP}'s columns: {:.1}% of the cost map's JSON (a one-ISP publish doing that share of a full one's work: full / incremental = {:.2})",
        share * 100.0,
        1.0 / share
    );
    let mut total = snapshot.directory.body.identity.len();
    eprintln!("  directory: {total} bytes");
    for (id, r) in &snapshot.resources {
        eprintln!("  {id}: {:.1} MB", mb(r.body.identity.len()));
        total += r.body.identity.len();
    }
    eprintln!(
        "  identity bodies in all: {:.1} MB; with gzip and zstd: {:.1} MB",
        mb(total),
        mb(snapshot.encoded_bytes())
    );
}

/// Rounds of the interleaved measurement (about 4 s each).
const INTERLEAVED_ROUNDS: usize = 15;

/// The share of the cost map's JSON in ISP [`CHANGED_ISP`]'s columns
/// (`"name":cost` and a separator per entry): what a publish proportional
/// to its change writes and compresses again. The ISPs differ in size, so
/// it need not be a tenth.
fn changed_share(table: &CostTableDoc) -> f64 {
    let prefix = format!("isp{CHANGED_ISP}:");
    let (mut changed, mut all) = (0usize, 0usize);
    for (_, row) in table.cost_map.rows() {
        for (dst, cost) in row.iter() {
            let bytes = dst.len() + 4 + serde_json::to_string(&cost).unwrap().len();
            all += bytes;
            if dst.starts_with(&prefix) {
                changed += bytes;
            }
        }
    }
    changed as f64 / all.max(1) as f64
}

fn median(times: &[Duration]) -> Duration {
    let mut t = times.to_vec();
    t.sort_unstable();
    t.get(t.len() / 2).copied().unwrap_or_default()
}

fn e2e(c: &mut Criterion) {
    let mut s = build();
    measure(c, &s, "e2e/300x10x1700", 5.0);
    // The ordinal map is re-ranked over the whole map on any change (RFC
    // 7285 §6.1.2.2), so it cannot be reused; without it:
    s.config.output.ordinal_cost_map = false;
    measure(c, &s, "e2e/300x10x1700-numerical-only", 10.0);
}

fn measure(c: &mut Criterion, s: &E2eScenario, name: &str, target: f64) {
    let mut running = Running::start(s);
    report(s, &running.current());

    // Not timed: each alternation changes the published costs.
    let mut next_changed = true;
    let mut swap = |running: &mut Running| {
        let maps = if next_changed {
            s.changed.clone()
        } else {
            s.peers[CHANGED_ISP].clone()
        };
        next_changed = !next_changed;
        let peer = CHANGED_ISP;
        running.publish(Trigger::Peer(PeerEvent::Updated { peer, maps }))
    };
    let etag = |r: &Running| r.current().resources[NUMERICAL].etag.clone();
    let before = etag(&running);
    swap(&mut running);
    assert_ne!(
        before,
        etag(&running),
        "ISP {CHANGED_ISP}'s change must show"
    );

    let (mut full, mut incremental) = (Vec::new(), Vec::new());
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(1));
    group.measurement_time(Duration::from_secs(60));
    let mut dearer = s.cdn.clone();
    dearer
        .topology
        .graph
        .edge_weights_mut()
        .for_each(|w| *w *= 1.01);
    let variants = [s.cdn.clone(), dearer];
    let mut turn = 0;
    group.bench_function("full", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                turn += 1;
                let cdn = Box::new(variants[turn % 2].clone());
                let t = running.publish(Trigger::Cdn(cdn));
                full.push(t);
                total += t.served;
            }
            total
        })
    });
    group.bench_function("incremental-one-isp", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let t = swap(&mut running);
                incremental.push(t);
                total += t.served;
            }
            total
        })
    });
    let mut first_read = Vec::new();
    if s.config.output.ordinal_cost_map {
        group.bench_function("ordinal-first-read", |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    swap(&mut running);
                    let snapshot = running.current();
                    let body = &snapshot.resources[ORDINAL].body;
                    assert!(!body.is_ready(), "nothing read it since the publish");
                    let started = Instant::now();
                    let _ = body.built();
                    let t = started.elapsed();
                    first_read.push(t);
                    total += t;
                }
                total
            })
        });
    }
    group.finish();

    // The same two publishes interleaved: the host's speed drifts between
    // the two 60 s phases above, and their ratio with it; here each round
    // is one full publish and ten one-ISP ones, back to back, so that
    // both medians are taken over the same stretch of time.
    // (Not for a group the command line filtered out.)
    if !(full.is_empty() && incremental.is_empty()) {
        let (mut full_i, mut incremental_i) = (Vec::new(), Vec::new());
        for _ in 0..INTERLEAVED_ROUNDS {
            turn += 1;
            let cdn = Box::new(variants[turn % 2].clone());
            full_i.push(running.publish(Trigger::Cdn(cdn)));
            incremental_i.extend((0..10).map(|_| swap(&mut running)));
        }
        eprintln!(
            "{name} interleaved ({INTERLEAVED_ROUNDS} rounds of 1 full + 10 one-ISP publishes), full / incremental-one-isp: {} (target >= {target})",
            ratios(&full_i, &incremental_i)
        );
    }

    eprintln!(
        "{name} medians ({} full, {} one-ISP publishes), full / incremental-one-isp: {} (target >= {target})",
        full.len(),
        incremental.len(),
        ratios(&full, &incremental)
    );
    if !first_read.is_empty() {
        eprintln!(
            "{name} ordinal body built by its first reader after a one-ISP change: median {:.2?} ({} runs)",
            median(&first_read),
            first_read.len()
        );
    }
}

criterion_group!(benches, e2e);
criterion_main!(benches);
