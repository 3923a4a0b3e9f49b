//! Cost map bodies built from pieces: byte for byte what serde_json writes
//! for the document, in every coding, and after a change only the segments
//! whose text changed are compressed again.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use altofed_model::{Cost, CostRows};
use altofed_server::snapshot::{Coding, Snapshot};
use altofed_server::{AppState, Documents, ServerConfig};

const NUM: &str = "agg-routingcost-num";

/// The body in `coding`, decoded; `None` where it is not kept in it.
fn decoded(snapshot: &Snapshot, id: &str, coding: Coding) -> Option<Vec<u8>> {
    let body = snapshot.resources[id].body.get(coding)?.to_bytes();
    Some(match coding {
        Coding::Identity => body.to_vec(),
        Coding::Zstd => zstd::decode_all(&body[..]).unwrap(),
        Coding::Gzip => common::gunzip(&body),
    })
}

/// Every coding of cost map `id` decodes to serde_json's text of its doc;
/// `compressed`: whether gzip and zstd must be there.
fn assert_body_is_the_document(snapshot: &Snapshot, id: &str, compressed: bool) {
    let doc = &snapshot.cost_maps.iter().find(|e| e.id == id).unwrap().doc;
    let want = serde_json::to_vec(doc).unwrap();
    for coding in [Coding::Identity, Coding::Gzip, Coding::Zstd] {
        match decoded(snapshot, id, coding) {
            Some(got) => assert!(
                got == want,
                "{id} in {coding:?} is not the document's serialization"
            ),
            None => assert!(!compressed, "{id} has no {coding:?} body"),
        }
    }
}

#[test]
fn figure5_bodies_are_the_documents_in_every_coding() {
    let state = AppState::new(ServerConfig::default());
    let snapshot = state.publish(common::figure5()).unwrap();
    for entry in snapshot.cost_maps.iter() {
        assert_body_is_the_document(&snapshot, &entry.id, false);
    }
}

/// Three peers' worth of columns (one with more than a segment's 1,700
/// PIDs), a catch-all, five CDN rows; costs integral and fractional.
fn rows(bump: &str) -> CostRows {
    let groups = [("as1239", 40), ("as3257", 2_100), ("isp-a", 7)];
    (0..5)
        .map(|s| {
            let mut row: std::collections::BTreeMap<String, Cost> = groups
                .iter()
                .flat_map(|(g, n)| (0..*n).map(move |d| (*g, d)))
                .map(|(g, d)| {
                    let extra = if g == bump { 0.25 } else { 0.0 };
                    let cost = (s * 7 + d % 13) as f64 + if d % 3 == 0 { 0.5 } else { 0.0 };
                    (format!("{g}:pid{d}"), Cost(cost + extra))
                })
                .collect();
            row.insert("default".into(), Cost(99.0));
            (format!("cdn{s}"), row)
        })
        .collect()
}

fn documents(bump: &str, tag: &str) -> Documents {
    common::figure5_with_costs(&rows(bump), tag)
}

#[test]
fn a_change_at_one_peer_rebuilds_only_its_segments() {
    let state = AppState::new(ServerConfig::default());
    let first = state.publish(documents("", "v1")).unwrap();
    assert_body_is_the_document(&first, NUM, true);
    let body = &first.cost_bodies[NUM];
    // Per row: as1239, as3257 in two segments (1,700 + 400), default, isp-a.
    assert_eq!((body.reused, body.built), (0, 5 * 5));

    let second = state.publish(documents("as3257", "v2")).unwrap();
    assert_body_is_the_document(&second, NUM, true);
    let body = &second.cost_bodies[NUM];
    assert_eq!(
        (body.reused, body.built),
        (5 * 3, 5 * 2),
        "only as3257's two segments of each row are new"
    );
    let parts = |s: &Snapshot| -> std::collections::HashSet<usize> {
        let body = &s.resources[NUM].body.identity;
        body.parts().iter().map(|p| p.as_ptr() as usize).collect()
    };
    assert_eq!(
        parts(&first).intersection(&parts(&second)).count(),
        5 * 3,
        "the reused segments' text is held once, by both snapshots"
    );

    let third = state.publish(documents("as3257", "v3")).unwrap();
    assert_body_is_the_document(&third, NUM, true);
    let body = &third.cost_bodies[NUM];
    assert_eq!(
        (body.reused, body.built),
        (5 * 5, 0),
        "same costs: all reused"
    );
}

#[test]
fn an_unchanged_network_map_and_property_map_are_taken_over_not_rebuilt() {
    let state = AppState::new(ServerConfig::default());
    let first = state.publish(documents("", "v1")).unwrap();
    let docs = documents("as3257", "v2");
    let computed = Arc::clone(&docs.network_map);
    let second = state.publish(docs).unwrap();
    let net = first.network_map_vtag().resource_id.clone();
    assert!(Arc::ptr_eq(&first.lookup, &second.lookup));
    assert!(
        Arc::ptr_eq(&computed, &second.network_map),
        "the snapshot holds the computation's network map, not a copy"
    );
    let same_bytes = |id: &str| {
        first.resources[id].body.identity.parts()[0].as_ptr()
            == second.resources[id].body.identity.parts()[0].as_ptr()
    };
    assert!(same_bytes(&net), "the network map body is shared");
    assert!(same_bytes("agg-propmap"), "the property map body is shared");

    let mut changed = documents("as3257", "v3");
    let pid = Arc::make_mut(&mut changed.network_map)
        .network_map
        .get_mut("cdn0")
        .unwrap();
    pid.ipv4.push("192.0.2.0/24".parse().unwrap());
    let third = state.publish(changed).unwrap();
    assert!(!Arc::ptr_eq(&second.lookup, &third.lookup));
    assert_eq!(
        third.lookup.lookup("192.0.2.7".parse().unwrap()),
        Some("cdn0"),
        "a changed network map is indexed again"
    );
    let body: serde_json::Value =
        serde_json::from_slice(&third.resources[&net].body.identity.to_bytes()).unwrap();
    assert_eq!(body["network-map"]["cdn0"]["ipv4"][0], "192.0.2.0/24");
}

/// A cost map on the previous snapshot's names (the same `Arc`, as the
/// engine's tables are) under the same network map is not checked or
/// indexed by name again, but its costs are: a non-finite cost is refused
/// with the resource and the pair named, and the last snapshot stays; a
/// finite change is served, and the PID index taken over finds its costs.
#[test]
fn a_map_on_the_previous_names_still_has_its_costs_checked() {
    let state = AppState::new(ServerConfig::default());
    let docs = common::figure5();
    let first = state.publish(docs.clone()).unwrap();
    let old = first.cost_maps.iter().find(|e| e.id == NUM).unwrap();
    let old_table = old.doc.get().cost_map.clone();
    let with_costs = |cost: &dyn Fn(usize, f64) -> f64| {
        let mut next = docs.clone();
        next.network_map = first.network_map.clone();
        let (_, doc) = next.cost_maps.iter_mut().find(|(id, _)| id == NUM).unwrap();
        let costs = old_table
            .costs()
            .enumerate()
            .map(|(i, c)| cost(i, c))
            .collect();
        doc.cost_map = old_table.with_costs(costs).unwrap();
        assert!(doc.cost_map.shares_names(&old_table));
        next
    };

    let refused = state
        .publish(with_costs(&|i, c| if i == 1 { f64::INFINITY } else { c }))
        .unwrap_err()
        .to_string();
    assert!(
        refused.starts_with(&format!("resource `{NUM}`: ")),
        "{refused}"
    );
    assert!(refused.contains("inf"), "{refused}");
    assert_eq!(state.snapshot().unwrap().generation, first.generation);

    let next = state.publish(with_costs(&|_, c| c + 1.0)).unwrap();
    let entry = next.cost_maps.iter().find(|e| e.id == NUM).unwrap();
    let pids: Vec<&String> = next.network_map.network_map.keys().collect();
    let number = |pid: &str| pids.iter().position(|p| *p == pid).unwrap();
    let mut pairs = 0;
    for (src, row) in entry.doc.get().cost_map.rows() {
        for (dst, cost) in row.iter() {
            let was = old_table.get(src, dst).unwrap().0;
            assert_eq!(cost.0, was + 1.0);
            assert_eq!(entry.cost_by_index(number(src), number(dst)), Some(cost.0));
            pairs += 1;
        }
    }
    assert!(pairs > 0);
}
