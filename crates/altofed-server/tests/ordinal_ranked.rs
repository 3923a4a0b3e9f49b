//! An ordinal cost map ranked by the server from the numerical one
//! (`AppState::publish_ranking`, what `altofed serve` publishes) serves
//! what the given one does: on Figure 5 the same IRD, the same costs and
//! the same endpoint cost answers as the ranks `altofed compute` writes,
//! only its vtag derived from the numerical map's. A ranking it cannot do
//! is an error naming the map, and the snapshot served stays.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use altofed_model::media;
use altofed_server::snapshot::OrdinalOf;
use altofed_server::{AppState, Documents, ServerConfig};
use common::{figure5, post_raw, start, TestServer};
use serde_json::{json, Value};

const NUM: &str = "agg-routingcost-num";
const ORD: &str = "agg-routingcost-ord";

fn ordinal_of_num() -> Vec<OrdinalOf> {
    vec![OrdinalOf {
        id: ORD.to_owned(),
        numerical: NUM.to_owned(),
    }]
}

/// Figure 5 without its ordinal map.
fn numerical_only() -> Documents {
    let mut docs = figure5();
    docs.cost_maps.retain(|(id, _)| id == NUM);
    docs
}

async fn start_ranked() -> TestServer {
    let server = start(ServerConfig::default(), None).await;
    server
        .state
        .publish_ranking(numerical_only(), ordinal_of_num())
        .unwrap();
    server
}

async fn get(server: &TestServer, path: &str) -> Value {
    let response = reqwest::get(server.url(path)).await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

async fn ordinal_ecs(server: &TestServer) -> Value {
    let request = json!({
        "cost-type": {"cost-mode": "ordinal", "cost-metric": "routingcost"},
        "endpoints": {
            "srcs": ["ipv4:203.0.113.1", "ipv4:203.0.113.65", "ipv4:203.0.113.129"],
            "dsts": ["ipv4:198.51.100.200", "ipv4:192.0.2.1"]
        }
    });
    let (status, _, doc) = post_raw(
        server,
        "/endpointcost",
        media::ENDPOINT_COST_PARAMS,
        request.to_string(),
    )
    .await;
    assert_eq!(status, 200);
    let rows = doc["endpoint-cost-map"].as_object().unwrap();
    assert_eq!(rows.len(), 3, "every source has costs: {doc}");
    doc
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ranked_ordinal_map_serves_what_the_given_one_does() {
    let given = start(ServerConfig::default(), Some(figure5())).await;
    let ranked = start_ranked().await;
    assert_eq!(
        get(&given, "/directory").await,
        get(&ranked, "/directory").await,
        "the same IRD"
    );
    let path = format!("/maps/{ORD}");
    let (mine, theirs) = (get(&ranked, &path).await, get(&given, &path).await);
    assert_eq!(
        mine["cost-map"], theirs["cost-map"],
        "the ranks compute writes"
    );
    assert_eq!(mine["meta"]["cost-type"], theirs["meta"]["cost-type"]);
    assert_eq!(
        mine["meta"]["dependent-vtags"],
        theirs["meta"]["dependent-vtags"]
    );
    assert_eq!(mine["meta"]["vtag"]["resource-id"], ORD);
    let tag = mine["meta"]["vtag"]["tag"].as_str().unwrap().to_owned();
    let numerical = get(&ranked, &format!("/maps/{NUM}")).await;
    assert_ne!(json!(tag), numerical["meta"]["vtag"]["tag"]);
    assert_eq!(ordinal_ecs(&ranked).await, ordinal_ecs(&given).await);

    // The same numerical map again: the same ordinal vtag.
    ranked
        .state
        .publish_ranking(numerical_only(), ordinal_of_num())
        .unwrap();
    assert_eq!(get(&ranked, &path).await["meta"]["vtag"]["tag"], json!(tag));
    given.shutdown().await;
    ranked.shutdown().await;
}

#[test]
fn a_ranking_without_its_numerical_map_is_refused_and_the_snapshot_stays() {
    let state = AppState::new(ServerConfig::default());
    let first = state
        .publish_ranking(numerical_only(), ordinal_of_num())
        .unwrap();
    let missing = vec![OrdinalOf {
        id: ORD.to_owned(),
        numerical: "agg-routingcost-nope".to_owned(),
    }];
    let err = state
        .publish_ranking(numerical_only(), missing)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "resource `agg-routingcost-ord`: ranks cost map `agg-routingcost-nope`, which is not a numerical cost map of these documents"
    );
    let ordinal_of_ordinal = vec![OrdinalOf {
        id: "agg-ranks-of-ranks".to_owned(),
        numerical: ORD.to_owned(),
    }];
    let err = state
        .publish_ranking(figure5(), ordinal_of_ordinal)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("which is not a numerical cost map"),
        "{err}"
    );

    let mut untagged = numerical_only();
    untagged.cost_maps[0].1.meta.vtag = None;
    let err = state
        .publish_ranking(untagged, ordinal_of_num())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "resource `agg-routingcost-ord`: ranks cost map `agg-routingcost-num`, which has no vtag to derive its own from"
    );
    let served = state.snapshot().unwrap();
    assert_eq!(served.generation, first.generation, "nothing was published");
}
