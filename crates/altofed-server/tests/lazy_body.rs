//! The ordinal cost map's body is built on first use (`snapshot::Body`):
//! a publish leaves it unbuilt; the first GET builds it and gets the
//! document's text in every coding, with the vtag as ETag; a conditional
//! GET that matches builds nothing; the next snapshot shares a built body
//! while the map is the same and gets a new, unbuilt one when it changes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use altofed_model::{
    Cost, CostMapMeta, CostMode, CostRows, CostTable, CostTableDoc, CostType, VersionTag,
};
use altofed_server::snapshot::Snapshot;
use altofed_server::{AppState, Documents, ServerConfig};
use serde_json::json;

const NUM: &str = "agg-routingcost-num";
const ORD: &str = "agg-routingcost-ord";

/// 5 rows x 300 destinations, costs in 0..=44 plus `shift`: big enough
/// (> 512 bytes) to be kept in gzip and zstd.
fn rows(shift: f64) -> CostRows {
    (0..5)
        .map(|s| {
            let row = (0..300)
                .map(|d| {
                    (
                        format!("isp:p{d}"),
                        Cost(f64::from((s * 7 + d) % 45) + shift),
                    )
                })
                .collect();
            (format!("cdn{s}"), row)
        })
        .collect()
}

/// Dense ranks from 1 (RFC 7285 §6.1.2.2), written out plainly.
fn ranks(rows: &CostRows) -> CostRows {
    let mut values: Vec<f64> = rows
        .values()
        .flat_map(|r| r.values().map(|c| c.0))
        .collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    let rank = |c: f64| values.iter().position(|v| *v == c).unwrap() as f64 + 1.0;
    let row = |r: &BTreeMap<String, Cost>| {
        r.iter()
            .map(|(d, c)| (d.clone(), Cost(rank(c.0))))
            .collect()
    };
    rows.iter().map(|(s, r)| (s.clone(), row(r))).collect()
}

/// Figure 5's documents with `rows(shift)` as the numerical map and its
/// ranks as the ordinal map, both tagged `tag`.
fn documents(shift: f64, tag: &str) -> Documents {
    let rows = rows(shift);
    let mut docs = common::figure5_with_costs(&rows, tag);
    let meta = CostMapMeta {
        dependent_vtags: vec![docs.network_map.meta.vtag.clone()],
        cost_type: CostType::routingcost(CostMode::Ordinal),
        vtag: Some(VersionTag::new(ORD, tag)),
    };
    let table = CostTable::from(&ranks(&rows));
    let ordinal = CostTableDoc {
        meta,
        cost_map: table,
    };
    docs.cost_maps.push((ORD.to_owned(), ordinal));
    docs
}

fn decode(coding: &str, bytes: &[u8]) -> Vec<u8> {
    match coding {
        "zstd" => zstd::decode_all(bytes).unwrap(),
        "gzip" => common::gunzip(bytes),
        _ => bytes.to_vec(),
    }
}

fn ordinal_text(snapshot: &Snapshot) -> Vec<u8> {
    let entry = snapshot.cost_maps.iter().find(|e| e.id == ORD).unwrap();
    serde_json::to_vec(&entry.doc).unwrap()
}

#[tokio::test]
async fn the_ordinal_body_is_built_by_its_first_reader() {
    let server = common::start(ServerConfig::default(), Some(documents(0.0, "v1"))).await;
    let snapshot = server.state.snapshot().unwrap();
    let body = snapshot.resources[ORD].body.clone();
    assert!(body.is_lazy() && !body.is_ready(), "published unbuilt");
    assert!(
        snapshot.resources[NUM].body.is_ready(),
        "numerical encoded at publish"
    );
    let held_unbuilt = snapshot.encoded_bytes();
    assert!(!body.is_ready(), "encoded_bytes builds nothing");

    let client = common::raw_client();
    let url = server.url(&format!("/maps/{ORD}"));
    let matching = client
        .get(&url)
        .header("if-none-match", "\"v1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(matching.status(), 304);
    assert!(!body.is_ready(), "a 304 builds no body");

    let want = ordinal_text(&snapshot);
    for (coding, suffix) in [("identity", ""), ("gzip", "-gz"), ("zstd", "-zst")] {
        let response = client
            .get(&url)
            .header("accept", "application/alto-costmap+json")
            .header("accept-encoding", coding)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{coding}");
        assert_eq!(
            response.headers()["etag"],
            format!("\"v1{suffix}\"").as_str()
        );
        let sent = response
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(
            sent.as_deref(),
            (coding != "identity").then_some(coding),
            "{coding}"
        );
        let bytes = response.bytes().await.unwrap();
        assert!(
            decode(coding, &bytes) == want,
            "{coding} is the document's text"
        );
    }
    assert!(body.is_ready(), "built by the first GET");
    assert!(
        snapshot.encoded_bytes() > held_unbuilt,
        "and counted once built"
    );
    server.shutdown().await;
}

#[test]
fn a_small_ordinal_body_is_encoded_at_publish() {
    // Figure 5's ordinal map has a few pairs: too small to be sure it is
    // kept compressed, which a body must be to be built on first use.
    let state = AppState::new(ServerConfig::default());
    let snapshot = state.publish(common::figure5()).unwrap();
    assert!(!snapshot.resources[ORD].body.is_lazy());
}

#[test]
fn a_built_ordinal_body_is_shared_while_the_map_is_the_same() {
    let state = AppState::new(ServerConfig::default());
    let first = state.publish(documents(0.0, "v1")).unwrap();
    let second = state.publish(documents(0.0, "v1")).unwrap();
    assert!(
        !first.resources[ORD].body.same(&second.resources[ORD].body),
        "an unbuilt body is not handed on: each snapshot builds from its own map"
    );
    let built = &second.resources[ORD].body;
    assert_eq!(built.identity.to_bytes(), ordinal_text(&second));
    let third = state.publish(documents(0.0, "v1")).unwrap();
    assert!(
        built.same(&third.resources[ORD].body),
        "same vtag: the built body is shared"
    );

    // Every cost one more: same ranks, but a new vtag, so a new body.
    let fourth = state.publish(documents(1.0, "v2")).unwrap();
    let body = &fourth.resources[ORD].body;
    assert!(!body.same(built) && !body.is_ready());
    assert_eq!(body.identity.to_bytes(), ordinal_text(&fourth));
    assert!(
        body.pieces().is_some(),
        "its pieces are kept for the update streams"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_stream_gets_the_ordinal_map_whole_then_patched() {
    use altofed_tests::sse_client::{apply, open, Sse};
    let server = common::start(ServerConfig::default(), Some(documents(0.0, "v1"))).await;
    let request = format!(r#"{{"add": {{"ord": {{"resource-id": "{ORD}"}}}}}}"#);
    let client = reqwest::Client::new();
    let mut sse = Sse::new(open(&client, &server.url(""), &request).await);
    sse.control_uri().await;
    let (event, mut ord) = sse.event().await;
    assert_eq!(event, "application/alto-costmap+json,ord");
    let served = |s: &Snapshot| serde_json::from_slice::<serde_json::Value>(&ordinal_text(s));
    assert_eq!(ord, served(&server.state.snapshot().unwrap()).unwrap());

    // New costs and ranks: the stream's update rebuilds the new map.
    let mut docs = documents(0.0, "v2");
    let cell =
        |r: &mut CostRows| *r.get_mut("cdn0").unwrap().get_mut("isp:p0").unwrap() = Cost(99.0);
    let mut rows = rows(0.0);
    cell(&mut rows);
    let ordinal = &mut docs.cost_maps[1].1;
    ordinal.cost_map = CostTable::from(&ranks(&rows));
    server.state.publish(docs).unwrap();
    let (event, data) = sse.event().await;
    apply(&mut ord, &event, &data);
    assert_eq!(ord, served(&server.state.snapshot().unwrap()).unwrap());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ranked_ordinal_map_is_ranked_by_its_first_reader_and_encoded_by_a_get() {
    use altofed_server::snapshot::OrdinalOf;
    let server = common::start(ServerConfig::default(), None).await;
    let mut docs = documents(0.0, "v1");
    docs.cost_maps.retain(|(id, _)| id == NUM);
    let ordinal = vec![OrdinalOf {
        id: ORD.to_owned(),
        numerical: NUM.to_owned(),
    }];
    let snapshot = server.state.publish_ranking(docs, ordinal).unwrap();
    let entry = snapshot.cost_maps.iter().find(|e| e.id == ORD).unwrap();
    let body = &snapshot.resources[ORD].body;
    assert!(
        !entry.doc.is_ready() && !body.is_ready(),
        "published unranked"
    );

    // A filtered cost map ranks it, and answers from the ranks.
    let filter = json!({
        "cost-type": {"cost-mode": "ordinal", "cost-metric": "routingcost"},
        "pids": {"srcs": ["cdn1"], "dsts": ["isp:p3", "isp:p44"]}
    });
    let response = reqwest::Client::new()
        .post(server.url(&format!("/maps/{ORD}/filtered")))
        .header("content-type", "application/alto-costmapfilter+json")
        .body(filter.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: serde_json::Value = response.json().await.unwrap();
    let want = ranks(&rows(0.0));
    let rank = |d: &str| want["cdn1"][d].0 as u64;
    assert_eq!(
        answer["cost-map"],
        json!({"cdn1": {"isp:p3": rank("isp:p3"), "isp:p44": rank("isp:p44")}})
    );
    assert!(
        entry.doc.is_ready() && !body.is_ready(),
        "ranked, not encoded"
    );

    let got = reqwest::get(server.url(&format!("/maps/{ORD}")))
        .await
        .unwrap();
    let got: serde_json::Value = got.json().await.unwrap();
    let want_doc: serde_json::Value = serde_json::from_slice(&ordinal_text(&snapshot)).unwrap();
    assert_eq!(got, want_doc);
    assert!(body.is_ready());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_readers_all_get_the_one_body() {
    let server = common::start(ServerConfig::default(), Some(documents(0.0, "v1"))).await;
    let snapshot = server.state.snapshot().unwrap();
    let want = ordinal_text(&snapshot);
    let url = server.url(&format!("/maps/{ORD}"));
    let client = common::raw_client();
    let readers: Vec<_> = (0..16)
        .map(|_| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(
                async move { client.get(url).send().await.unwrap().bytes().await.unwrap() },
            )
        })
        .collect();
    for reader in readers {
        assert!(
            reader.await.unwrap() == want,
            "every reader gets the document's text"
        );
    }
    let again = client
        .get(&url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(again == want);
    assert!(snapshot.resources[ORD].body.is_ready());
    server.shutdown().await;
}
