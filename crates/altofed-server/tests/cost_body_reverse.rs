//! Cost map bodies with subscriber -> CDN PID rows (`output.direction`):
//! many rows of few entries. Each reverse row is one segment (CDN PID
//! names share the group of names without `:`), its text is the
//! document's, and a change at one peer rebuilds only that peer's forward
//! segments and its own subscribers' rows.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use altofed_model::{Cost, CostRows};
use altofed_server::{AppState, Documents, ServerConfig};

const NUM: &str = "agg-routingcost-num";
const PEERS: [(&str, usize); 2] = [("as1239", 40), ("isp-a", 7)];

fn cost(s: usize, d: usize, bumped: bool) -> Cost {
    let half = if (s + d).is_multiple_of(3) { 0.5 } else { 0.0 };
    Cost((s * 7 + d % 13) as f64 + half + if bumped { 0.25 } else { 0.0 })
}

/// Five CDN rows to every subscriber and `default`, and every subscriber's
/// row to the five CDN PIDs; `bump`'s costs moved in both directions.
fn rows(bump: &str) -> CostRows {
    let subscribers: Vec<(String, bool)> = PEERS
        .iter()
        .flat_map(|(g, n)| (0..*n).map(move |d| (format!("{g}:pid{d}"), *g == bump)))
        .collect();
    let mut rows = CostRows::new();
    for c in 0..5 {
        let mut row: std::collections::BTreeMap<String, Cost> = subscribers
            .iter()
            .enumerate()
            .map(|(d, (name, bumped))| (name.clone(), cost(c, d, *bumped)))
            .collect();
        row.insert("default".into(), Cost(99.0));
        rows.insert(format!("cdn{c}"), row);
    }
    for (s, (name, bumped)) in subscribers.iter().enumerate() {
        let row = (0..5)
            .map(|c| (format!("cdn{c}"), cost(s, c, *bumped)))
            .collect();
        rows.insert(name.clone(), row);
    }
    rows
}

fn documents(bump: &str, tag: &str) -> Documents {
    common::figure5_with_costs(&rows(bump), tag)
}

/// The identity body is serde_json's text of the document.
fn assert_body_is_the_document(snapshot: &altofed_server::Snapshot) {
    let doc = &snapshot.cost_maps.iter().find(|e| e.id == NUM).unwrap().doc;
    let body = snapshot.resources[NUM].body.identity.to_bytes();
    assert!(body[..] == serde_json::to_vec(doc).unwrap()[..]);
}

#[test]
fn reverse_rows_are_one_segment_each_and_reused_per_peer() {
    let state = AppState::new(ServerConfig::default());
    let first = state.publish(documents("", "v1")).unwrap();
    assert_body_is_the_document(&first);
    let body = &first.cost_bodies[NUM];
    // CDN rows: as1239, default, isp-a (3 segments each); 47 subscriber
    // rows of one segment each.
    assert_eq!((body.reused, body.built), (0, 5 * 3 + 47));

    let second = state.publish(documents("as1239", "v2")).unwrap();
    assert_body_is_the_document(&second);
    let body = &second.cost_bodies[NUM];
    assert_eq!(
        (body.reused, body.built),
        (5 * 2 + 7, 5 + 40),
        "as1239's segment of each CDN row and as1239's own rows are new"
    );
}
