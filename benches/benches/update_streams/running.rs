//! The running service of the update stream bench: engine, HTTP server on
//! 127.0.0.1:0, stream readers; one-ISP changes, the burst, and the peak
//! RSS cases run in child processes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use altofed_benches::e2e_scenario::{build, publish_all, E2eScenario, Published, CHANGED_ISP};
use altofed_benches::stream_clients::{self, process_cpu, reset_peak, status_bytes, Received};
use altofed_core::peer::PeerMaps;
use altofed_engine::Trigger;
use altofed_peers::PeerEvent;
use altofed_server::{AppState, Snapshot};
use tokio::runtime::Runtime;
use tokio::sync::{mpsc, watch};

const NUMERICAL: &str = "agg-routingcost-num";
/// No event waits longer than this.
const GUARD: Duration = Duration::from_secs(120);
/// The env var that makes this binary one peak RSS case.
pub const RSS_CASE: &str = "UPDATE_STREAMS_RSS";

/// One timed change.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Trigger -> the new snapshot is served.
    pub get: Duration,
    /// Trigger -> every stream has the cost map update (`get` without streams).
    pub delivered: Duration,
    /// Process CPU seconds for the change.
    pub cpu: f64,
    pub patch_bytes: usize,
    pub media_type: String,
}

pub struct Running {
    rt: Runtime,
    state: AppState,
    triggers: mpsc::Sender<Trigger>,
    snapshots: watch::Receiver<Option<Arc<Snapshot>>>,
    base: String,
    client: reqwest::Client,
    events: mpsc::UnboundedReceiver<Received>,
    events_tx: mpsc::UnboundedSender<Received>,
    readers: Vec<tokio::task::JoinHandle<()>>,
    versions: [Arc<PeerMaps>; 2],
    turn: usize,
}

impl Running {
    /// The engine with every ISP's maps published, and its server.
    pub fn start(s: &E2eScenario) -> Self {
        let published = publish_all(s);
        let base = published.serve();
        let Published {
            rt,
            state,
            triggers,
            snapshots,
        } = published;
        let (events_tx, events) = mpsc::unbounded_channel();
        Self {
            rt,
            state,
            triggers,
            snapshots,
            base,
            client: reqwest::Client::new(),
            events,
            events_tx,
            readers: Vec::new(),
            // The first change publishes `changed`, the second the original.
            versions: [s.peers[CHANGED_ISP].clone(), s.changed.clone()],
            turn: 0,
        }
    }

    fn current(&self) -> Arc<Snapshot> {
        self.snapshots.borrow().clone().expect("a snapshot")
    }

    fn cost_tag(snapshot: &Snapshot) -> Option<String> {
        let entry = snapshot.cost_maps.iter().find(|e| e.id == NUMERICAL)?;
        Some(entry.doc.meta.vtag.as_ref()?.tag.clone())
    }

    /// Closes the open streams and opens `n`, each having received the
    /// whole cost map before this returns.
    pub fn open_streams(&mut self, n: usize) {
        self.readers.drain(..).for_each(|r| r.abort());
        let streams = self.state.update_streams().clone();
        self.rt.block_on(async {
            while streams.open_streams() > 0 {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        });
        while self.events.try_recv().is_ok() {}
        let snapshot = self.current();
        let net = snapshot.network_map.meta.vtag.resource_id.clone();
        let props = snapshot
            .property_maps
            .keys()
            .next()
            .cloned()
            .expect("a property map");
        for i in 0..n {
            let ids = [net.as_str(), NUMERICAL, props.as_str()];
            let open =
                stream_clients::open(&self.client, &self.base, i, ids, self.events_tx.clone());
            let reader = self.rt.block_on(open);
            self.readers.push(reader);
        }
        for _ in 0..n {
            self.next_event();
        }
    }

    fn next_event(&mut self) -> Received {
        let events = &mut self.events;
        self.rt
            .block_on(async { tokio::time::timeout(GUARD, events.recv()).await })
            .expect("a stream event in time")
            .expect("the stream readers run")
    }

    /// The next version of ISP 3's maps (every cost differs from the last).
    fn trigger(&mut self) -> Trigger {
        self.turn += 1;
        let maps = self.versions[self.turn % 2].clone();
        Trigger::Peer(PeerEvent::Updated {
            peer: CHANGED_ISP,
            maps,
        })
    }

    /// One change of ISP 3, measured (module docs of the bench).
    pub fn change(&mut self) -> Sample {
        let before = self.current().generation;
        let trigger = self.trigger();
        let cpu = process_cpu().unwrap_or(0.0);
        let started = Instant::now();
        self.rt.block_on(self.triggers.send(trigger)).unwrap();
        let newer = |s: &Option<Arc<Snapshot>>| s.as_ref().is_some_and(|s| s.generation > before);
        self.rt.block_on(self.snapshots.wait_for(newer)).unwrap();
        let get = started.elapsed();
        let tag = Self::cost_tag(&self.current());
        let mut sample = Sample {
            get,
            delivered: get,
            cpu: 0.0,
            patch_bytes: 0,
            media_type: "-".into(),
        };
        let mut waiting = self.readers.len();
        while waiting > 0 {
            let event = self.next_event();
            if event.tag == tag {
                waiting -= 1;
                sample.delivered = sample.delivered.max(event.at - started);
                sample.patch_bytes = event.bytes;
                sample.media_type = event.media_type;
            }
        }
        std::thread::sleep(Duration::from_millis(200));
        sample.cpu = process_cpu().unwrap_or(0.0) - cpu;
        sample
    }

    /// `count` changes, one per `interval`, without waiting for any; then
    /// checks that every stream received every published cost map vtag,
    /// in order, and prints the delays.
    pub fn burst(&mut self, count: usize, interval: Duration) {
        let (seen_tx, mut seen) = mpsc::unbounded_channel();
        let mut watcher = self.state.subscribe();
        let watch_task = self.rt.spawn(async move {
            while watcher.changed().await.is_ok() {
                let current = watcher.borrow_and_update().clone();
                if let Some(tag) = current.as_deref().and_then(Running::cost_tag) {
                    let _ = seen_tx.send((tag, Instant::now()));
                }
            }
        });
        let started = Instant::now();
        for i in 0..count {
            let due = started + interval * u32::try_from(i).unwrap_or(u32::MAX);
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
            let trigger = self.trigger();
            self.rt.block_on(self.triggers.send(trigger)).unwrap();
        }
        // A publish takes well under a second: after 3 s every change is
        // published, and each stream must get one update per version.
        std::thread::sleep(Duration::from_secs(3));
        let streams = self.readers.len();
        let mut published: Vec<(String, Instant)> = Vec::new();
        while let Ok(p) = seen.try_recv() {
            published.push(p);
        }
        let mut got: Vec<Vec<(String, Instant)>> = vec![Vec::new(); streams];
        while got.iter().any(|g| g.len() < published.len()) {
            let e = self.next_event();
            got[e.stream].push((e.tag.unwrap_or_default(), e.at));
        }
        watch_task.abort();
        let tags: Vec<&String> = published.iter().map(|p| &p.0).collect();
        let mut delays = Vec::new();
        for (s, events) in got.iter().enumerate() {
            let received: Vec<&String> = events.iter().map(|e| &e.0).collect();
            assert_eq!(
                received, tags,
                "stream {s} must receive every published version in order"
            );
            for ((_, at), (_, published_at)) in events.iter().zip(&published) {
                delays.push(at.duration_since(*published_at).as_secs_f64());
            }
        }
        delays.sort_by(f64::total_cmp);
        println!(
            "update_streams burst: {count} changes, one per {interval:?}, {} published versions, \
             all delivered to each of {streams} streams in order; delay publish -> stream: \
             median {:.3} s, max {:.3} s",
            tags.len(),
            median(&delays),
            delays.last().copied().unwrap_or(0.0)
        );
    }
}

pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// One peak RSS case (in a child process): peak from the engine's start
/// (first publish, `n` streams opened and sent the whole maps, 4 changes)
/// and peak over the 4 changes alone. Prints one `rss` line.
pub fn rss_case(n: usize) {
    let mut s = build();
    s.config.output.ordinal_cost_map = false;
    reset_peak().expect("the peak RSS counter can be reset");
    let mut running = Running::start(&s);
    running.open_streams(n);
    let all_before_changes = status_bytes("VmHWM:").unwrap_or(0);
    reset_peak().expect("the peak RSS counter can be reset");
    for _ in 0..4 {
        running.change();
    }
    let changes = status_bytes("VmHWM:").unwrap_or(0);
    println!(
        "rss n={n} all={} changes={changes}",
        all_before_changes.max(changes)
    );
}

/// Runs each case in a fresh process and prints the peaks and ratios.
pub fn rss_children(cases: &[usize]) {
    if status_bytes("VmHWM:").is_none() {
        println!("update_streams rss: no /proc/self/status (not Linux?); not measured");
        return;
    }
    let me = std::env::current_exe().unwrap();
    let mut base: Option<(f64, f64)> = None;
    for n in cases {
        let out = std::process::Command::new(&me)
            .env(RSS_CASE, n.to_string())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let Some(line) = text.lines().find(|l| l.starts_with("rss ")) else {
            println!(
                "update_streams rss {n} streams: failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            continue;
        };
        let value = |key: &str| -> f64 {
            let v = line
                .split(' ')
                .find_map(|f| f.strip_prefix(key))
                .unwrap_or("0");
            v.parse::<f64>().unwrap_or(0.0) / 1e6
        };
        let (all, changes) = (value("all="), value("changes="));
        let (a0, c0) = *base.get_or_insert((all, changes));
        println!(
            "update_streams rss {n} streams: peak {all:.1} MB = {:.2}x baseline (engine start, streams \
             opened, 4 changes); peak over the 4 changes {changes:.1} MB = {:.2}x baseline",
            all / a0,
            changes / c0
        );
    }
}
