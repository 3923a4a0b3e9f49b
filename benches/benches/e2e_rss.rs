//! Memory of the end-to-end case (issue #6 item 6): peak RSS while the
//! engine publishes the 5.1M-pair scenario, against the size of the JSON it
//! publishes (identity bodies of every resource, directory included).
//! Target: peak RSS <= 3x that JSON.
//!
//! The scenario is built and its JSON texts dropped first; then the peak
//! counter is reset (`5` written to `/proc/self/clear_refs`, Linux >= 4.0,
//! which sets VmHWM to the current RSS), every ISP's maps go to a fresh
//! engine in one batch (one publish), and VmHWM is read. The peak therefore
//! includes what the service holds anyway: the parsed peer maps, C_cdn and
//! the peers' composed columns. For context, a second full recompute is
//! measured the same way while the first snapshot is still served (a
//! running service's steady state), then 30 one-ISP changes (ISP 3's maps
//! alternating between two versions whose costs all differ), each waited
//! for: the peak over them and the RSS after the last.
//!
//! `E2E_COSTS=integer` builds the scenario with integer costs (compact
//! JSON: about half the bytes per pair, so the same memory is a larger
//! multiple of it). Built with `--features mimalloc` or `--features
//! jemalloc`, the process runs on that allocator instead of glibc's.
//!
//! Not a criterion bench: one run, printed on stdout. Without `/proc`
//! (not Linux) it says so and exits 0. `E2E_DIRECTION=both` (or
//! `subscriber-to-cdn`) measures with that `output.direction`,
//! `E2E_ORDINAL=off` without the ordinal cost map.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs
)]

use std::sync::Arc;

use altofed_benches::e2e_scenario::{build_with, engine, Costs, E2eScenario, CHANGED_ISP};
use altofed_core::compose::Direction;
use altofed_engine::Trigger;
use altofed_peers::PeerEvent;
use altofed_server::Snapshot;
use tokio::sync::{mpsc, watch};

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(all(feature = "jemalloc", not(feature = "mimalloc")))]
altofed_benches::allocate_like_altofed!();

/// One-ISP changes measured after the second full recompute.
const CHANGES: u64 = 30;

fn allocator() -> &'static str {
    if cfg!(feature = "mimalloc") {
        "mimalloc"
    } else if cfg!(feature = "jemalloc") {
        "jemalloc"
    } else {
        "the system allocator (glibc)"
    }
}

/// A `kB` line of `/proc/self/status`, in bytes.
fn status(field: &str) -> Option<usize> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    let kb: usize = line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// Sets VmHWM to the current RSS.
fn reset_peak() -> std::io::Result<()> {
    std::fs::write("/proc/self/clear_refs", "5")
}

/// Identity bodies of every resource, directory included.
fn published_bytes(s: &Snapshot) -> usize {
    let bodies = s.resources.values().map(|r| r.body.identity.len());
    s.directory.body.identity.len() + bodies.sum::<usize>()
}

fn wait_for_generation(
    rt: &tokio::runtime::Runtime,
    rx: &mut watch::Receiver<Option<Arc<Snapshot>>>,
    generation: u64,
) -> Arc<Snapshot> {
    let snapshot = rt.block_on(async {
        let at = |s: &Option<Arc<Snapshot>>| s.as_ref().is_some_and(|s| s.generation >= generation);
        rx.wait_for(at).await.unwrap().clone().expect("a snapshot")
    });
    // Measured at the publish's end, compressed codings included.
    altofed_benches::until_compressed(&snapshot);
    snapshot
}

fn main() {
    if status("VmHWM:").is_none() {
        println!("e2e_rss: /proc/self/status has no VmHWM (not Linux?); nothing measured");
        return;
    }
    let costs = Costs::from_env();
    let E2eScenario {
        mut config,
        cdn,
        peers,
        changed,
        json_bytes,
        notes,
        ..
    } = build_with(costs);
    println!("e2e_rss: costs {costs:?}, allocator {}", allocator());
    // `E2E_DIRECTION=both` (or `subscriber-to-cdn`): `output.direction`.
    if let Ok(direction) = std::env::var("E2E_DIRECTION") {
        config.output.direction = Direction::try_from(direction).unwrap();
        println!(
            "e2e_rss: output.direction = {}",
            config.output.direction.as_str()
        );
    }
    // `E2E_ORDINAL=off`: `output.ordinal-cost-map = false`.
    if std::env::var("E2E_ORDINAL").as_deref() == Ok("off") {
        config.output.ordinal_cost_map = false;
        println!("e2e_rss: output.ordinal-cost-map = false");
    }
    // `E2E_READ=all`: every body read after each publish, as by a client
    // that fetches every version (the ordinal map is otherwise ranked and
    // encoded only when read: `altofed_server::snapshot::CostDoc`).
    let read_all = std::env::var("E2E_READ").as_deref() == Ok("all");
    if read_all {
        println!("e2e_rss: every body read after each publish");
    }
    for note in notes {
        println!("note: {note}");
    }
    let (rt, state, engine) = engine(config, cdn.clone()).unwrap();
    let mut snapshots = state.subscribe();
    // Queued before the engine starts: it takes them together, one publish.
    let (tx, rx) = mpsc::channel(64);
    for (peer, maps) in peers.iter().enumerate() {
        let maps = maps.clone();
        tx.try_send(Trigger::Peer(PeerEvent::Updated { peer, maps }))
            .unwrap();
    }
    let next_cdn = Box::new(cdn);
    let held = status("VmRSS:").unwrap_or(0);
    if let Err(e) = reset_peak() {
        println!("e2e_rss: cannot reset the peak RSS counter ({e}); nothing measured");
        return;
    }
    rt.spawn(engine.run(rx));
    let first = wait_for_generation(&rt, &mut snapshots, 1);
    if read_all {
        published_bytes(&first);
    }
    let peak = status("VmHWM:").unwrap_or(0);
    let published = published_bytes(&first);
    assert_eq!(first.generation, 1, "the ten peers must make one publish");

    let mb = |n: usize| n as f64 / 1e6;
    let ratio = |n: usize| n as f64 / published as f64;
    println!(
        "e2e_rss: ISP JSON parsed (and dropped): {:.1} MB; RSS before the run (parsed peer maps, C_cdn, runtime): {:.1} MB",
        mb(json_bytes),
        mb(held)
    );
    println!(
        "e2e_rss: published JSON (identity bodies, {} resources + directory): {:.1} MB; all codings: {:.1} MB",
        first.resources.len(),
        mb(published),
        mb(first.encoded_bytes())
    );
    println!(
        "e2e_rss: first publish: peak RSS {:.1} MB = {:.2}x the published JSON (target <= 3); {:.1} MB above the RSS before the run",
        mb(peak),
        ratio(peak),
        mb(peak.saturating_sub(held))
    );
    drop(first);

    // Steady state: the first snapshot is served while the next is built.
    let before = status("VmRSS:").unwrap_or(0);
    reset_peak().unwrap();
    rt.block_on(tx.send(Trigger::Cdn(next_cdn))).unwrap();
    let second = wait_for_generation(&rt, &mut snapshots, 2);
    if read_all {
        published_bytes(&second);
    }
    let peak = status("VmHWM:").unwrap_or(0);
    println!(
        "e2e_rss: second full recompute, first snapshot served meanwhile: RSS before {:.1} MB, peak {:.1} MB = {:.2}x the published JSON",
        mb(before),
        mb(peak),
        ratio(peak)
    );
    drop(second);

    // One-ISP changes, each published before the next is sent.
    let versions = [changed, peers[CHANGED_ISP].clone()];
    let before = status("VmRSS:").unwrap_or(0);
    reset_peak().unwrap();
    let mut after = Vec::new();
    for n in 0..CHANGES {
        let maps = versions[(n % 2) as usize].clone();
        let event = PeerEvent::Updated {
            peer: CHANGED_ISP,
            maps,
        };
        rt.block_on(tx.send(Trigger::Peer(event))).unwrap();
        let snapshot = wait_for_generation(&rt, &mut snapshots, 3 + n);
        assert_eq!(snapshot.generation, 3 + n, "one publish per change");
        if read_all {
            published_bytes(&snapshot);
        }
        after.push(status("VmRSS:").unwrap_or(0));
    }
    let peak = status("VmHWM:").unwrap_or(0);
    // What an allocator that purges with a delay (jemalloc here: 1 s)
    // settles at: RSS once it stops falling, read every 250 ms for 5 s.
    let mut settled = status("VmRSS:").unwrap_or(0);
    for _ in 0..20 {
        std::thread::sleep(std::time::Duration::from_millis(250));
        settled = settled.min(status("VmRSS:").unwrap_or(0));
    }
    let every_tenth: Vec<String> = after
        .iter()
        .skip(9)
        .step_by(10)
        .map(|&n| format!("{:.1}", mb(n)))
        .collect();
    println!(
        "e2e_rss: {CHANGES} one-ISP changes: RSS before {:.1} MB, after changes 10/20/30 [{}] MB, after the last {:.2}x ({:.1} MB = {:.2}x 5 s later); peak {:.1} MB = {:.2}x the published JSON",
        mb(before),
        every_tenth.join(", "),
        ratio(*after.last().unwrap_or(&0)),
        mb(settled),
        ratio(settled),
        mb(peak),
        ratio(peak)
    );
}
