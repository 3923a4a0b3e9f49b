//! The admin API under many status changes: concurrent changes share
//! publishes, each answer comes once its change is served, and a status
//! publish rebuilds the property map only, sharing everything else with
//! the previous snapshot.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use altofed_server::snapshot::Coding;
use altofed_server::ServerConfig;
use altofed_tests::prometheus::sample;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{client, documents, Server, NETMAP, PROPMAP};

const CLIENTS: usize = 50;
const PUTS_PER_CLIENT: usize = 10;

/// Node `n` of the burst: 10.0.x.y.
fn node(n: usize) -> IpAddr {
    let [_, _, hi, lo] = u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes();
    IpAddr::V4(Ipv4Addr::new(10, 0, hi, lo))
}

/// A status that differs per node and per round.
fn status(n: usize, round: usize) -> Value {
    let load = ((n * 7 + round * 3) % 101) as f64 / 100.0;
    let health = if n.is_multiple_of(3) { "down" } else { "up" };
    json!({"health": health, "load": load, "drained": !round.is_multiple_of(2)})
}

async fn put(http: &reqwest::Client, server: &Server, address: IpAddr, body: &Value) {
    let r = http
        .put(server.url(&format!("/admin/nodes/{address}")))
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{address}");
}

async fn property_map(server: &Server) -> Value {
    let r = client()
        .get(server.url(&format!("/maps/{PROPMAP}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap()["property-map"].clone()
}

/// The properties a status is published as.
fn published(status: &Value) -> Value {
    json!({
        ".priv:health": status["health"],
        ".priv:load": status["load"],
        ".priv:drained": status["drained"],
    })
}

async fn node_publishes(server: &Server) -> f64 {
    let text = client()
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let labels = [("cause", "node-status")];
    sample(&text, "altofed_snapshot_publishes_total", &labels).unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_concurrent_changes_is_published_in_far_fewer_snapshots() {
    let server = Arc::new(Server::published(ServerConfig::default()).await);
    let generation = server.state.snapshot().unwrap().generation;
    let mut clients = Vec::new();
    for c in 0..CLIENTS {
        let server = server.clone();
        clients.push(tokio::spawn(async move {
            let http = client();
            for round in 0..PUTS_PER_CLIENT {
                let n = c * PUTS_PER_CLIENT + round;
                put(&http, &server, node(n), &status(n, round)).await;
                // Answered: the served property map holds the change.
                let snapshot = server.state.snapshot().unwrap();
                let entity = format!("ipv4:{}", node(n));
                let served = &snapshot.property_maps[PROPMAP].property_map[&entity];
                assert_eq!(json!(served), published(&status(n, round)));
            }
        }));
    }
    for c in clients {
        c.await.unwrap();
    }
    let map = property_map(&server).await;
    let changes = CLIENTS * PUTS_PER_CLIENT;
    for n in 0..changes {
        let round = n % PUTS_PER_CLIENT;
        let entity = format!("ipv4:{}", node(n));
        assert_eq!(map[&entity], published(&status(n, round)), "{entity}");
    }
    let publishes = server.state.snapshot().unwrap().generation - generation;
    assert!(
        publishes < 100,
        "{changes} changes took {publishes} publishes"
    );
    assert_eq!(node_publishes(&server).await, publishes as f64);
    let server = Arc::into_inner(server).unwrap();
    server.stop().await;
}

#[tokio::test]
async fn each_sequential_change_is_served_when_it_is_answered() {
    let server = Server::published(ServerConfig::default()).await;
    let http = client();
    let generation = server.state.snapshot().unwrap().generation;
    let nodes = 5;
    for round in 0..20 {
        let n = round % nodes;
        let body = status(n, round);
        put(&http, &server, node(n), &body).await;
        let map = property_map(&server).await;
        assert_eq!(map[format!("ipv4:{}", node(n))], published(&body));
    }
    let r = http
        .delete(server.url(&format!("/admin/nodes/{}", node(0))))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(property_map(&server).await.get("ipv4:10.0.0.0").is_none());
    // Nothing to coalesce: one publish per change.
    let publishes = server.state.snapshot().unwrap().generation - generation;
    assert_eq!(publishes, 21);
    assert_eq!(node_publishes(&server).await, 21.0);
    server.stop().await;
}

#[tokio::test]
async fn a_status_publish_shares_everything_but_the_property_map() {
    let server = Server::published(ServerConfig::default()).await;
    let before = server.state.snapshot().unwrap();
    put(&client(), &server, node(1), &status(1, 0)).await;
    let after = server.state.snapshot().unwrap();
    assert_eq!(after.generation, before.generation + 1);

    // The documents and indexes are the same allocations, not copies.
    assert!(Arc::ptr_eq(&before.network_map, &after.network_map));
    assert!(Arc::ptr_eq(&before.lookup, &after.lookup));
    assert!(Arc::ptr_eq(&before.cost_maps, &after.cost_maps));
    assert!(Arc::ptr_eq(&before.cost_bodies, &after.cost_bodies));
    // So are the encoded bodies, in every coding, and the ETags stay.
    assert!(after.cost_maps.len() == 2);
    for id in after
        .cost_maps
        .iter()
        .map(|c| &c.id)
        .chain([&NETMAP.to_owned()])
    {
        let (old, new) = (&before.resources[id], &after.resources[id]);
        assert_eq!(old.etag, new.etag, "{id}");
        for coding in [Coding::Identity, Coding::Gzip, Coding::Zstd] {
            let parts = |r: &altofed_server::snapshot::Resource| {
                r.body
                    .get(coding)
                    .map(|rope| rope.parts().iter().map(|p| p.as_ptr()).collect::<Vec<_>>())
            };
            assert_eq!(parts(old), parts(new), "{id} {coding:?}");
        }
    }
    // Only the property map changed.
    assert_ne!(
        before.resources[PROPMAP].etag,
        after.resources[PROPMAP].etag
    );
    assert!(after.property_maps[PROPMAP]
        .property_map
        .contains_key("ipv4:10.0.0.1"));
    server.stop().await;
}

#[tokio::test]
async fn a_change_that_cannot_be_published_is_undone() {
    // No property map, and a cost map under the id the status property map
    // would get: the first status cannot be published.
    let server = Server::start(ServerConfig::default()).await;
    let mut docs = documents();
    docs.property_maps.clear();
    docs.cost_maps[0].0 = PROPMAP.to_owned();
    server.state.publish(docs).unwrap();
    let generation = server.state.snapshot().unwrap().generation;

    let http = client();
    let r = http
        .put(server.url("/admin/nodes/192.0.2.10"))
        .json(&status(1, 0))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let text = r.text().await.unwrap();
    assert!(
        text.contains(&format!("`{PROPMAP}` is used twice")),
        "{text}"
    );
    let batch = json!({"nodes": {"192.0.2.11": status(2, 0), "192.0.2.12": status(3, 0)}});
    let r = http
        .put(server.url("/admin/nodes"))
        .json(&batch)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);

    assert!(server.state.node_statuses().is_empty());
    assert_eq!(server.state.snapshot().unwrap().generation, generation);
    assert_eq!(node_publishes(&server).await, 0.0);
    server.stop().await;
}
