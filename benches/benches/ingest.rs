//! Ingesting a peer's maps at production scale: parse and check a network
//! map of ~256k prefixes in 1,700 PIDs and a cost map of 1.3M pairs
//! (`altofed_benches::isp_scenario`), the way altofed does it for a peer
//! (`altofed_peers::parse_document` into `NetworkMapDoc` / `CostTableDoc`,
//! then the consistency check of `PeerMaps::check`), against the baseline
//! of going through `serde_json::Value` (parse to a `Value`, convert that to
//! the same typed documents, same check). For context, the cost map also
//! against altofed before the compact cost table: path-tracked parsing
//! into the tree form `CostMapDoc`; the network map also through `sonic-rs`
//! (a SIMD JSON reader) into the same type. Both sides must give the same documents
//! before anything is timed. Then the prefix lookup a composition builds
//! from the network map, against a `prefix-trie` trie of its prefixes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    missing_docs
)]

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

use altofed_benches::isp_scenario::{generate, IspMaps, ScenarioConfig};
use altofed_core::peer::check_cost_map;
use altofed_model::{CostMapDoc, CostTableDoc, EndpointAddrGroup, NetworkMapDoc, PidLookup};
use altofed_peers::parse_document;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use ipnet::IpNet;
use prefix_trie::joint::map::JointPrefixMap;
use serde::de::DeserializeOwned;

const PEER: &str = "isp0";

fn altofed<T: DeserializeOwned + 'static>(bytes: &[u8]) -> T {
    parse_document(bytes).unwrap()
}

/// The baseline: a `serde_json::Value` first, then the typed document.
fn via_value<T: DeserializeOwned>(bytes: &[u8]) -> T {
    let value: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    serde_json::from_value(value).unwrap()
}

/// For comparison: sonic-rs (SIMD JSON scanning) into the same typed
/// document, through the same serde impls.
fn via_sonic<T: DeserializeOwned>(bytes: &[u8]) -> T {
    sonic_rs::from_slice(bytes).unwrap()
}

/// altofed before the cost table: every key tracked and copied by
/// `serde_path_to_error`, rows in B-trees of `String`s.
fn tree_with_path(bytes: &[u8]) -> CostMapDoc {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).unwrap()
}

/// Parses the cost map with `parse` and checks it against `net`.
fn ingest_cost(
    bytes: &[u8],
    net: &NetworkMapDoc,
    parse: fn(&[u8]) -> CostTableDoc,
) -> CostTableDoc {
    let cost = parse(bytes);
    check_cost_map(PEER, net, &cost.meta).unwrap();
    cost
}

fn assert_same(isp: &IspMaps) -> NetworkMapDoc {
    let (net, cost) = (isp.network_map.as_bytes(), isp.cost_map.as_bytes());
    let ours: NetworkMapDoc = altofed(net);
    assert_eq!(ours, via_value::<NetworkMapDoc>(net));
    assert_eq!(ours, via_sonic::<NetworkMapDoc>(net));
    let prefixes: usize = ours.network_map.values().map(|g| g.ipv4.len()).sum();
    assert_eq!((prefixes, ours.network_map.len()), (isp.prefixes, isp.pids));

    let table = ingest_cost(cost, &ours, altofed);
    assert_eq!(table, ingest_cost(cost, &ours, via_value));
    assert_eq!(table, tree_with_path(cost));
    let nulls = isp.pairs / 100_003;
    assert_eq!(table.cost_map.len(), isp.pairs - nulls);
    ours
}

fn ingest(c: &mut Criterion) {
    let isps = generate(&ScenarioConfig::PRODUCTION);
    let isp = &isps[0];
    let net = assert_same(isp);
    let mb = |n: usize| n as f64 / 1e6;
    eprintln!(
        "{}: network map {:.1} MB, {} prefixes in {} PIDs; cost map {:.1} MB, {} pairs",
        isp.name,
        mb(isp.network_map.len()),
        isp.prefixes,
        isp.pids,
        mb(isp.cost_map.len()),
        isp.pairs
    );

    let bytes = isp.network_map.as_bytes();
    let mut group = c.benchmark_group("ingest_network_map");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("altofed", |b| b.iter(|| altofed::<NetworkMapDoc>(bytes)));
    group.bench_function("baseline_value", |b| {
        b.iter(|| via_value::<NetworkMapDoc>(bytes))
    });
    group.bench_function("sonic_rs_typed", |b| {
        b.iter(|| via_sonic::<NetworkMapDoc>(bytes))
    });
    group.finish();

    let bytes = isp.cost_map.as_bytes();
    let mut group = c.benchmark_group("ingest_cost_map");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("altofed", |b| b.iter(|| ingest_cost(bytes, &net, altofed)));
    group.bench_function("baseline_value", |b| {
        b.iter(|| ingest_cost(bytes, &net, via_value))
    });
    group.bench_function("before_tree_with_path", |b| {
        b.iter(|| tree_with_path(bytes))
    });
    group.finish();
    peer_lookup(c, &net);
}

/// The prefix lookup a peer's composition builds from its network map
/// (issue #16): `PidLookup::build` (IPv4 prefixes sorted into ranges, which
/// also finds a prefix in two PIDs) against a `prefix-trie` trie of the
/// same prefixes, which is what the lookup built before, beside its ranges.
fn peer_lookup(c: &mut Criterion, net: &NetworkMapDoc) {
    let map = &net.network_map;
    let lookup = PidLookup::build(map).unwrap();
    let trie = trie_of(map);
    assert_eq!(lookup.len(), trie.len());
    let mut group = c.benchmark_group("peer_lookup_build");
    group.throughput(Throughput::Elements(trie.len() as u64));
    group.sample_size(20);
    group.bench_function("altofed", |b| b.iter(|| PidLookup::build(map).unwrap()));
    group.bench_function("baseline_prefix_trie", |b| b.iter(|| trie_of(map)));
    group.finish();
    cold_lookups(c, map, &lookup);
}

/// Ten addresses looked up as an endpoint cost request does, with the
/// caches cold as a server thread finds them between requests (4 MiB
/// written before each, more than this machine's L2): side by side
/// (`PidLookup::lookup_indices`, whose misses overlap) against one after
/// the other (`lookup_index` in a loop, what the service did before).
fn cold_lookups(c: &mut Criterion, map: &BTreeMap<String, EndpointAddrGroup>, lookup: &PidLookup) {
    let v4: Vec<IpAddr> = (map.values().flat_map(EndpointAddrGroup::prefixes))
        .filter(|net| matches!(net, IpNet::V4(_)))
        .map(|net| net.network())
        .collect();
    let addrs: Vec<IpAddr> = v4.iter().step_by(v4.len() / 10).take(10).copied().collect();
    let one_by_one = |addrs: &[IpAddr]| -> Vec<Option<usize>> {
        addrs.iter().map(|a| lookup.lookup_index(*a)).collect()
    };
    assert_eq!(lookup.lookup_indices(&addrs), one_by_one(&addrs));
    assert!(one_by_one(&addrs).iter().all(Option::is_some));
    let mut sweep = vec![0u8; 4 << 20];
    let mut evict = || {
        for line in sweep.chunks_mut(64) {
            line[0] = line[0].wrapping_add(1);
        }
    };
    let mut group = c.benchmark_group("pid_lookup_10_cold");
    group.throughput(Throughput::Elements(addrs.len() as u64));
    group.bench_function("altofed_side_by_side", |b| {
        b.iter_batched(
            &mut evict,
            |()| lookup.lookup_indices(&addrs),
            BatchSize::PerIteration,
        )
    });
    group.bench_function("baseline_one_by_one", |b| {
        b.iter_batched(&mut evict, |()| one_by_one(&addrs), BatchSize::PerIteration)
    });
    group.finish();
}

/// Every prefix of `map` in one trie, refusing one in two PIDs.
fn trie_of(map: &BTreeMap<String, EndpointAddrGroup>) -> JointPrefixMap<IpNet, usize> {
    let mut trie = JointPrefixMap::new();
    for (idx, group) in map.values().enumerate() {
        for net in group.prefixes() {
            let prev = trie.insert(net.trunc(), idx);
            assert!(prev.is_none_or(|p| p == idx), "{net} in two PIDs");
        }
    }
    trie
}

criterion_group!(benches, ingest);
criterion_main!(benches);
