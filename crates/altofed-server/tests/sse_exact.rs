//! Update stream patches are exactly the served documents (issue #13): a
//! client that applies every update it is sent holds, after each publish,
//! the GET body of the same vtag value for value, every number with the
//! same f64 bits. Snapshots are built from random documents by the
//! server's own builder (reusing body segments from the previous one, as
//! publishing does) and the updates come from the stream hub's own path.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

#[path = "sse_exact/exact.rs"]
mod exact;
#[path = "sse_exact/stream.rs"]
mod stream;
#[path = "sse_exact/world.rs"]
mod world;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use altofed_server::snapshot::build_snapshot;
use altofed_server::sse::{update_between, Updates};
use altofed_server::Snapshot;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;

use exact::{apply, bit_equal, data_text, parse, JSON_PATCH, MERGE};
use world::{Rng, Step, World, NET, NUM, PROPS};

#[test]
fn float_roundtrip_is_on() {
    // The value of issue #13 and a sweep of random magnitudes: serde_json
    // without `float_roundtrip` misreads some of them by one bit.
    let mut rng = Rng::new(13);
    let texts = std::iter::once("503.53505996941203".to_owned())
        .chain((0..200_000).map(|_| serde_json::to_string(&rng.cost()).unwrap()));
    for text in texts {
        let value: Value = serde_json::from_str(&text).unwrap();
        let exact: f64 = text.parse().unwrap();
        assert_eq!(
            value.as_f64().map(f64::to_bits),
            Some(exact.to_bits()),
            "{text} must read back exactly"
        );
    }
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => any::<u64>().prop_map(Step::PeerCosts),
        2 => any::<u64>().prop_map(Step::AddPid),
        2 => any::<u64>().prop_map(Step::RemovePid),
        1 => any::<u64>().prop_map(Step::AddSource),
        1 => any::<u64>().prop_map(Step::RemoveSource),
        1 => any::<u64>().prop_map(Step::MovePid),
        2 => any::<u64>().prop_map(Step::Properties),
        1 => Just(Step::Same),
    ]
}

/// Peer sizes: mostly small, sometimes about one segment (1,700 entries),
/// so segment boundaries move when PIDs come and go.
fn sizes() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(prop_oneof![9 => 1usize..30, 1 => 1_695usize..1_706], 1..4)
}

/// Updates seen, by kind, over all cases: the test must see each.
#[derive(Default)]
struct Seen {
    merge: AtomicUsize,
    json: AtomicUsize,
    full: AtomicUsize,
    none: AtomicUsize,
}

/// One subscriber: a resource, how it takes updates, its copy, and the
/// snapshot that copy is of. A lagging one skips some publishes and then
/// gets one update across several (as the hub does when it coalesces).
struct Client {
    id: &'static str,
    updates: Updates,
    lag: bool,
    doc: Value,
    at: Arc<Snapshot>,
}

fn body(snapshot: &Snapshot, id: &str) -> Value {
    parse(&snapshot.resources[id].body.identity.to_bytes())
}

#[derive(Debug, Clone)]
struct Case {
    seed: u64,
    sources: usize,
    sizes: Vec<usize>,
    steps: Vec<Step>,
    max_line: Option<usize>,
    /// Subscriber -> CDN rows too (`output.direction = "both"`).
    reverse: bool,
}

fn run_case(case: &Case, seen: &Seen) -> Result<(), TestCaseError> {
    let mut world = World::new(case.seed, case.sources, &case.sizes);
    world.reverse = case.reverse;
    let first = Arc::new(build_snapshot(world.documents(), 1, None).unwrap());
    let mut clients = Vec::new();
    for id in [NET, NUM, PROPS] {
        for updates in [Updates::MergePatch, Updates::JsonPatch] {
            for lag in [false, true] {
                let (doc, at) = (body(&first, id), first.clone());
                clients.push(Client {
                    id,
                    updates,
                    lag,
                    doc,
                    at,
                });
            }
        }
    }
    let mut prev = first;
    let mut lag_rng = Rng::new(case.seed ^ 0x5EED);
    for (i, step) in case.steps.iter().enumerate() {
        world.apply(*step);
        let generation = 2 + i as u64;
        let next = Arc::new(build_snapshot(world.documents(), generation, Some(&prev)).unwrap());
        let skip = lag_rng.below(2) == 0 && i + 1 < case.steps.len();
        for c in clients.iter_mut().filter(|c| !(c.lag && skip)) {
            let update = update_between(c.at.clone(), next.clone(), c.id, c.updates, case.max_line);
            let counter = match &update {
                None => &seen.none,
                Some((MERGE, _)) => &seen.merge,
                Some((JSON_PATCH, _)) => &seen.json,
                Some(_) => &seen.full,
            };
            counter.fetch_add(1, Ordering::Relaxed);
            if let Some((media_type, data)) = update {
                apply(
                    &mut c.doc,
                    media_type,
                    &parse(data_text(&data.to_bytes()).as_bytes()),
                );
            }
            c.at = next.clone();
            let served = body(&next, c.id);
            bit_equal(&c.doc, &served, "").map_err(|e| {
                TestCaseError::fail(format!(
                    "{} ({:?}, lagging {}) after step {i} ({step:?}): {e}",
                    c.id, c.updates, c.lag
                ))
            })?;
        }
        prev = next;
    }
    Ok(())
}

#[test]
fn every_update_rebuilds_the_served_document_bit_for_bit() {
    let strategy = (
        any::<u64>(),
        1usize..5,
        sizes(),
        prop::collection::vec(step(), 1..8),
        prop_oneof![Just(None), (16usize..200).prop_map(Some)],
        any::<bool>(),
    )
        .prop_map(|(seed, sources, sizes, steps, max_line, reverse)| Case {
            seed,
            sources,
            sizes,
            steps,
            max_line,
            reverse,
        });
    let seen = Seen::default();
    let config = Config {
        failure_persistence: None,
        ..Config::with_cases(96)
    };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&strategy, |case| run_case(&case, &seen));
    if let Err(e) = result {
        panic!("{e}");
    }
    let count = |a: &AtomicUsize| a.load(Ordering::Relaxed);
    let (merge, json, full, none) = (
        count(&seen.merge),
        count(&seen.json),
        count(&seen.full),
        count(&seen.none),
    );
    eprintln!(
        "updates seen: {merge} merge patches, {json} JSON patches, {full} full, {none} unchanged"
    );
    assert!(merge > 100 && json > 100, "patches must be exercised");
    assert!(
        full > 0 && none > 0,
        "full replacements and no-change steps too"
    );
}
