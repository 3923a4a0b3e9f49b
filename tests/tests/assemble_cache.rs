//! The engine's merge cache: `assemble_with` gives exactly what a fresh
//! `assemble` gives, whether its inputs changed since the last call or not
//! (the Figure 5 scenario).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use altofed_core::cdn_cost::cdn_costs;
use altofed_core::config::Config;
use altofed_core::peer::PeerMaps;
use altofed_core::pipeline::{
    assemble, assemble_with, compose_peer, Computed, MergeCache, PeerColumns, PeerInput,
};
use altofed_core::topology::build::build_network;
use altofed_core::topology::spec::CdnSpec;
use altofed_core::topology::CdnNetwork;
use altofed_peers::{DirectorySource, PeerSource};
use altofed_tests::fixtures::scenario;

fn inputs<'a>(
    peers: &'a [PeerMaps],
    columns: &'a [PeerColumns],
    present: &[bool],
) -> Vec<Option<PeerInput<'a>>> {
    peers
        .iter()
        .zip(columns)
        .zip(present)
        .map(|((maps, columns), here)| {
            here.then_some(PeerInput {
                maps,
                columns,
                stale_since: None,
            })
        })
        .collect()
}

/// Figure 5's configuration, CDN and isp-a's maps and columns.
fn figure5() -> (Config, CdnNetwork, [PeerMaps; 1], [PeerColumns; 1]) {
    let dir = scenario("figure5");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let config = Config::from_toml(&read("altofed.toml")).unwrap();
    let spec = CdnSpec::from_toml(&read("cdn.toml")).unwrap();
    let cdn = build_network(&spec, None).unwrap().0;
    let peers = [DirectorySource::new(dir.join("isp-a")).fetch().unwrap()];
    let (costs, _) = cdn_costs(&cdn);
    let columns = [compose_peer(&config, 0, &peers[0], &cdn, &costs).unwrap()];
    (config, cdn, peers, columns)
}

fn same(a: &Computed, b: &Computed) {
    assert_eq!(a.network_map, b.network_map);
    assert_eq!(a.cost_map, b.cost_map);
    assert_eq!(a.ordinal_cost_map, b.ordinal_cost_map);
    assert_eq!(a.property_map, b.property_map);
    assert_eq!(a.warnings, b.warnings);
}

#[test]
fn a_cached_merge_gives_what_a_fresh_one_gives() {
    let (config, cdn, peers, columns) = figure5();
    let mut cache = MergeCache::default();
    // The peer; the same again (cached); withdrawn; back.
    for present in [[true], [true], [false], [true]] {
        let peers = inputs(&peers, &columns, &present);
        let fresh = assemble(&config, &cdn, &peers, Vec::new()).unwrap();
        let cached = assemble_with(&config, &cdn, &peers, &[], Vec::new(), &mut cache).unwrap();
        same(&cached, &fresh);
        let isp_a = fresh.network_map.network_map.contains_key("isp-a:pid1");
        assert_eq!(isp_a, present[0], "the peer's PIDs follow its presence");
    }
}

#[test]
fn the_property_map_is_taken_over_exactly_while_its_inputs_are_the_same() {
    use altofed_core::output::mark_never_fetched;
    use std::sync::Arc;

    let (config, cdn, peers, columns) = figure5();
    let mut cache = MergeCache::default();
    let with_stale = |stale: Option<&'static str>| {
        let mut inputs = inputs(&peers, &columns, &[true]);
        inputs[0].as_mut().unwrap().stale_since = stale;
        inputs
    };
    let mut run = |stale, never: &[&str]| {
        let inputs = with_stale(stale);
        let cached = assemble_with(&config, &cdn, &inputs, never, Vec::new(), &mut cache).unwrap();
        let mut fresh = assemble(&config, &cdn, &inputs, Vec::new()).unwrap();
        let net = fresh.network_map.meta.vtag.clone();
        let catch_all = &config.output.catch_all_pid;
        mark_never_fetched(
            Arc::make_mut(&mut fresh.property_map),
            &net,
            catch_all,
            never,
        );
        same(&cached, &fresh);
        cached.property_map
    };
    let first = run(None, &[]);
    let again = run(None, &[]);
    assert!(Arc::ptr_eq(&first, &again), "same inputs: the same map");
    let since = "2026-12-07T00:00:00Z";
    let stale = run(Some(since), &[]);
    assert!(!Arc::ptr_eq(&again, &stale), "a stale peer: a new map");
    let stale_text = serde_json::to_string(&*stale).unwrap();
    assert!(stale_text.contains(since), "{stale_text}");
    assert!(Arc::ptr_eq(&stale, &run(Some(since), &[])));
    let never = run(Some(since), &["isp-b"]);
    assert!(
        !Arc::ptr_eq(&stale, &never),
        "a peer never fetched: a new map"
    );
    assert!(serde_json::to_string(&*never).unwrap().contains("isp-b"));
    let back = run(None, &[]);
    assert!(!Arc::ptr_eq(&never, &back));
    assert_eq!(*back, *first, "back to the first inputs: the first map");
}
