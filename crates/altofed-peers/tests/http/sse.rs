//! Following a peer's RFC 8895 update stream: changes arrive as patches
//! (no new GET), and when the stream dies the watcher polls, then
//! subscribes again.

use std::sync::Arc;
use std::time::Duration;

use altofed_core::config::HttpOptions;
use altofed_peers::PeerEvent;
use altofed_server::sse::StreamConfig;
use altofed_server::ServerConfig;
use prometheus_client::registry::Registry;

use crate::support::{
    assert_maps_are, cost_of, isp_a, next_update, options, peer, render, sample, set_cost,
    wait_until, watch, Server, COST, NET, PEER,
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
    let (mut rx, watcher) = watch(peer);

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
    // Only the property map (it has no vtag to send) came whole, at the
    // start; the network and cost map tags sent were current.
    assert_eq!(stream_updates(&registry, "full"), 1.0);
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

    watcher.stop().await;
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
    let (mut rx, watcher) = watch(peer);
    next_update(&mut rx, |e| panic!("{e}")).await;
    wait_until("subscribed", || connected(&registry)).await;

    let vtag = VersionTag::new(NET, "figure5-netmap-v2");
    let net = Arc::make_mut(&mut docs.network_map);
    net.meta.vtag = vtag.clone();
    net.network_map
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
        assert_eq!(maps.network_map, *docs.network_map);
        assert_eq!(maps.cost_map, docs.cost_maps[0].1);
        if maps.property_map.as_ref() == Some(&docs.property_maps[0].1) {
            break;
        }
    }
    assert!(updates <= 2, "{updates}");
    assert!(
        stream_updates(&registry, "merge_patch") + stream_updates(&registry, "json_patch") >= 2.0
    );
    watcher.stop().await;
    server.stop().await;
}

/// Writes one SSE event: the `event` line, a `data` line per line of
/// `data`.
fn event(event_type: &str, data: &str) -> Vec<u8> {
    let mut out = format!("event: {event_type}\n");
    for line in data.lines() {
        out.push_str(&format!("data: {line}\n"));
    }
    out.push('\n');
    out.into_bytes()
}

/// A scripted stream: the subscription carries the tags held; a JSON
/// patch to the network map waits for the merge patch to its cost map;
/// a `stopped` control event and an unappliable patch each end the
/// stream, and polling takes over.
#[tokio::test]
async fn scripted_stream_json_and_merge_patches_then_stop_and_bad_patch() {
    use altofed_model::media;

    use crate::raw::{RawPeer, IRD_PATH, STREAM_PATH};

    let (raw, mut scripts) = RawPeer::with_streams(2).await;
    let second = scripts.pop().unwrap();
    let first = scripts.pop().unwrap();
    let options = HttpOptions {
        update_stream: true,
        ..options()
    };
    let (peer, registry) = peer(&raw.url(IRD_PATH), &options);
    let (mut rx, watcher) = watch(peer);
    let original = next_update(&mut rx, |e| panic!("{e}")).await;

    // The subscription asks for patches with the tags held.
    let stream_request = || {
        raw.requests()
            .into_iter()
            .find(|r| r.starts_with(&format!("POST {STREAM_PATH} ")))
    };
    wait_until("stream requested", || stream_request().is_some()).await;
    let request = stream_request().unwrap();
    let body: serde_json::Value =
        serde_json::from_str(request.split_once("\r\n\r\n").unwrap().1).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"add": {
            "net": {"resource-id": NET, "tag": "figure5-netmap-v1", "incremental-changes": true},
            "cost": {"resource-id": COST, "tag": "figure5-costmap-v1", "incremental-changes": true}
        }})
    );
    let lower = request.to_ascii_lowercase();
    assert!(lower.contains("content-type: application/alto-updatestreamparams+json"));
    assert!(lower.contains("accept: text/event-stream,application/alto-error+json"));

    first
        .send(event(
            media::UPDATE_STREAM_CONTROL,
            r#"{"control-uri": "/updates/ctl/1"}"#,
        ))
        .unwrap();
    first.send(b": keep-alive\n\n".to_vec()).unwrap();
    first
        .send(event(
            &format!("{},net", media::JSON_PATCH),
            r#"[{"op": "replace", "path": "/meta/vtag/tag", "value": "figure5-netmap-v2"},
                {"op": "add", "path": "/network-map/pid1/ipv4/-", "value": "203.0.113.0/24"}]"#,
        ))
        .unwrap();
    // Give the client a chance to read the network map patch on its own.
    tokio::time::sleep(Duration::from_millis(50)).await;
    first.send(b": keep-alive\n\n".to_vec()).unwrap();
    first
        .send(event(
            &format!("{},cost", media::MERGE_PATCH),
            r#"{"meta": {"dependent-vtags": [{"resource-id": "isp-a-netmap", "tag": "figure5-netmap-v2"}],
                         "vtag": {"tag": "figure5-costmap-v2"}},
                "cost-map": {"pid1": {"pid4": 6, "pid5": null}}}"#,
        ))
        .unwrap();
    let maps = next_update(&mut rx, |e| panic!("{e}")).await;
    maps.check(PEER).unwrap();
    assert_eq!(maps.network_map.meta.vtag.tag, "figure5-netmap-v2");
    assert_eq!(
        maps.network_map.network_map["pid1"]
            .ipv4
            .last()
            .unwrap()
            .to_string(),
        "203.0.113.0/24"
    );
    assert_eq!(cost_of(&maps, "pid1", "pid4"), 6.0);
    assert_eq!(maps.cost_map.cost_map.get("pid1", "pid5"), None);
    assert_eq!(stream_updates(&registry, "json_patch"), 1.0);
    assert_eq!(stream_updates(&registry, "merge_patch"), 1.0);

    // The peer stops the cost substream: polling brings back the maps the
    // peer serves by GET.
    first
        .send(event(
            media::UPDATE_STREAM_CONTROL,
            r#"{"stopped": ["cost"], "description": "maintenance"}"#,
        ))
        .unwrap();
    let maps = next_update(&mut rx, |e| panic!("{e}")).await;
    assert_eq!(maps.network_map, original.network_map);
    assert_eq!(maps.cost_map, original.cost_map);
    let failures = |result: &str| {
        sample(
            &render(&registry),
            "altofed_peer_update_stream_failures_total",
            &[("peer", PEER), ("result", result)],
        )
        .unwrap_or(0.0)
    };
    assert_eq!(failures("stopped"), 1.0);

    // The next subscription gets a patch that cannot be applied: the
    // stream is given up (and counted), the maps stay as they were.
    second
        .send(event(
            &format!("{},net", media::JSON_PATCH),
            r#"[{"op": "remove", "path": "/network-map/no-such-pid"}]"#,
        ))
        .unwrap();
    wait_until("bad patch refused", || failures("malformed") == 1.0).await;
    // The poll that follows finds the maps unchanged: at most `Current`.
    while let Ok(event) = rx.try_recv() {
        assert!(
            matches!(event, PeerEvent::Current { .. }),
            "no new maps for a refused patch: {event:?}"
        );
    }

    watcher.stop().await;
    drop((first, second));
}
