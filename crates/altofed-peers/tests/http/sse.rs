//! Following a peer's RFC 8895 update stream: changes arrive as patches
//! (no new GET), and when the stream dies the watcher polls, then
//! subscribes again.

use std::time::Duration;

use altofed_core::config::HttpOptions;
use altofed_server::sse::StreamConfig;
use altofed_server::ServerConfig;
use prometheus_client::registry::Registry;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::support::{
    assert_maps_are, cost_of, isp_a, next_update, options, peer, render, sample, set_cost,
    wait_until, Server, COST, GUARD, NET, PEER,
};

fn config() -> ServerConfig {
    ServerConfig {
        update_streams: StreamConfig {
            // Keep-alive comments flow while the test waits.
            keep_alive: Duration::from_millis(50),
            ..StreamConfig::default()
        },
        ..ServerConfig::default()
    }
}

fn stream_updates(registry: &Registry, kind: &str) -> f64 {
    sample(
        &render(registry),
        "altofed_peer_update_stream_updates_total",
        &[("peer", PEER), ("kind", kind)],
    )
    .unwrap_or(0.0)
}

fn connected(registry: &Registry) -> bool {
    sample(
        &render(registry),
        "altofed_peer_update_stream_connected",
        &[("peer", PEER)],
    ) == Some(1.0)
}

#[tokio::test]
async fn patches_from_the_stream_then_polling_when_it_dies() {
    let mut docs = isp_a();
    let server = Server::start(config(), docs.clone()).await;
    let addr = server.addr;
    let options = HttpOptions {
        update_stream: true,
        ..options()
    };
    let (peer, registry) = peer(&server.url("/directory"), &options);
    let (tx, mut rx) = mpsc::channel(16);
    let shutdown = CancellationToken::new();
    let task = peer.spawn(0, tx, shutdown.clone());

    // The first pull, then the subscription.
    let maps = next_update(&mut rx, |e| panic!("{e}")).await;
    assert_maps_are(&maps, &docs);
    wait_until("subscribed", || {
        server.state.update_streams().open_streams() == 1 && connected(&registry)
    })
    .await;
    let cost_gets = server.map_gets(COST);
    let net_gets = server.map_gets(NET);

    // A new cost map reaches the client as a merge patch.
    set_cost(&mut docs, "pid1", "pid4", 7.0, "figure5-costmap-v2");
    server.state.publish(docs.clone()).unwrap();
    let maps = next_update(&mut rx, |e| panic!("{e}")).await;
    assert_eq!(cost_of(&maps, "pid1", "pid4"), 7.0);
    assert_maps_are(&maps, &docs);
    assert_eq!(stream_updates(&registry, "merge_patch"), 1.0);
    assert_eq!(stream_updates(&registry, "full"), 0.0, "tags were current");
    assert_eq!(
        server.map_gets(COST),
        cost_gets,
        "no GET: applied from the patch"
    );
    assert_eq!(server.map_gets(NET), net_gets);

    // The stream dies with its server; another starts on the same port
    // with newer maps. Polling picks them up.
    server.stop().await;
    set_cost(&mut docs, "pid2", "pid5", 8.0, "figure5-costmap-v3");
    let server = Server::start_at(addr, config(), docs.clone()).await;
    let maps = next_update(&mut rx, |_| {}).await;
    assert_eq!(cost_of(&maps, "pid2", "pid5"), 8.0);
    assert_maps_are(&maps, &docs);
    assert!(
        server.gets("/maps/{id}", COST, "200") >= 1.0,
        "fetched by polling"
    );

    // Later the watcher subscribes again, and updates flow by patch.
    wait_until("subscribed again", || {
        server.state.update_streams().open_streams() == 1 && connected(&registry)
    })
    .await;
    let cost_gets = server.map_gets(COST);
    set_cost(&mut docs, "pid3", "pid4", 9.0, "figure5-costmap-v4");
    server.state.publish(docs.clone()).unwrap();
    let maps = next_update(&mut rx, |e| panic!("{e}")).await;
    assert_eq!(cost_of(&maps, "pid3", "pid4"), 9.0);
    assert_maps_are(&maps, &docs);
    assert_eq!(server.map_gets(COST), cost_gets);
    assert_eq!(stream_updates(&registry, "merge_patch"), 2.0);

    shutdown.cancel();
    tokio::time::timeout(GUARD, task).await.unwrap().unwrap();
    server.stop().await;
}

/// A new network map and the cost map that goes with it arrive as two
/// events; the maps are sent only once both are current (RFC 8895 §9.2).
#[tokio::test]
async fn a_new_network_map_waits_for_its_cost_map() {
    use altofed_model::VersionTag;

    let mut docs = isp_a();
    let server = Server::start(config(), docs.clone()).await;
    let options = HttpOptions {
        update_stream: true,
        ..options()
    };
    let (peer, registry) = peer(&server.url("/directory"), &options);
    let (tx, mut rx) = mpsc::channel(16);
    let shutdown = CancellationToken::new();
    let task = peer.spawn(0, tx, shutdown.clone());
    next_update(&mut rx, |e| panic!("{e}")).await;
    wait_until("subscribed", || connected(&registry)).await;

    let vtag = VersionTag::new(NET, "figure5-netmap-v2");
    docs.network_map.meta.vtag = vtag.clone();
    docs.network_map
        .network_map
        .get_mut("pid1")
        .unwrap()
        .ipv4
        .push("203.0.113.0/24".parse().unwrap());
    docs.cost_maps[0].1.meta.dependent_vtags = vec![vtag.clone()];
    docs.property_maps[0].1.meta.dependent_vtags = vec![vtag];
    set_cost(&mut docs, "pid1", "pid5", 4.0, "figure5-costmap-v2");
    server.state.publish(docs.clone()).unwrap();

    // Every map set sent is consistent: never the new network map with
    // the old cost map. The property map may follow in a later event.
    let mut updates = 0;
    loop {
        let maps = next_update(&mut rx, |e| panic!("{e}")).await;
        updates += 1;
        maps.check(PEER).unwrap();
        assert_eq!(maps.network_map, docs.network_map);
        assert_eq!(maps.cost_map, docs.cost_maps[0].1);
        if maps.property_map.as_ref() == Some(&docs.property_maps[0].1) {
            break;
        }
    }
    assert!(updates <= 2, "{updates}");
    assert!(
        stream_updates(&registry, "merge_patch") + stream_updates(&registry, "json_patch") >= 2.0
    );
    shutdown.cancel();
    tokio::time::timeout(GUARD, task).await.unwrap().unwrap();
    server.stop().await;
}
