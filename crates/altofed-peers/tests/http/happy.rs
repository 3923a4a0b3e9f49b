//! Pulling a real ALTO server: the maps as published, conditional
//! requests for unchanged ones, a changed cost map.

use altofed_peers::Fetched;
use altofed_server::ServerConfig;

use crate::support::{
    assert_maps_are, cost_of, fetches, isp_a, options, peer, render, sample, set_cost, Server,
    COST, NET, PEER, PROP,
};

#[tokio::test]
async fn fetch_then_unchanged_by_conditional_get_then_changed_cost_map() {
    let mut docs = isp_a();
    let server = Server::start(ServerConfig::default(), docs.clone()).await;
    let (mut peer, registry) = peer(&server.url("/directory"), &options());

    let Fetched::Updated(maps) = peer.fetch().await.unwrap() else {
        panic!("first fetch must give maps");
    };
    assert_maps_are(&maps, &docs);
    maps.check(PEER).unwrap();
    assert!(peer.maps().is_some());

    // Second fetch: every resource answered 304 to If-None-Match.
    assert!(matches!(peer.fetch().await.unwrap(), Fetched::Unchanged));
    assert_eq!(server.gets("/directory", "directory", "304"), 1.0);
    for id in [NET, COST, PROP] {
        assert_eq!(server.gets("/maps/{id}", id, "200"), 1.0, "{id}");
        assert_eq!(server.gets("/maps/{id}", id, "304"), 1.0, "{id}");
    }

    // A new cost map (new values, new vtag): only it comes with a body.
    set_cost(&mut docs, "pid1", "pid4", 7.0, "figure5-costmap-v2");
    server.state.publish(docs.clone()).unwrap();
    let Fetched::Updated(maps) = peer.fetch().await.unwrap() else {
        panic!("the cost map changed");
    };
    assert_eq!(cost_of(&maps, "pid1", "pid4"), 7.0);
    assert_maps_are(&maps, &docs);
    assert_eq!(server.gets("/maps/{id}", COST, "200"), 2.0);
    assert_eq!(server.gets("/maps/{id}", NET, "304"), 2.0);
    assert_eq!(server.gets("/maps/{id}", PROP, "304"), 2.0);

    assert_eq!(fetches(&registry, "ok"), 2.0);
    assert_eq!(fetches(&registry, "unchanged"), 1.0);
    let last = sample(
        &render(&registry),
        "altofed_peer_last_success_timestamp_seconds",
        &[("peer", PEER)],
    )
    .unwrap();
    assert!(last > 1.0e9, "{last}");
}

/// Without ETags (a peer that sends none), an equal network map vtag and
/// equal documents still mean unchanged.
#[tokio::test]
async fn same_vtag_without_etags_is_unchanged() {
    let raw = crate::raw::RawPeer::start().await;
    let (mut peer, registry) = peer(&raw.url("/alto/directory"), &options());
    assert!(matches!(peer.fetch().await.unwrap(), Fetched::Updated(_)));
    assert!(matches!(peer.fetch().await.unwrap(), Fetched::Unchanged));
    assert_eq!(fetches(&registry, "unchanged"), 1.0);
    // No request carried If-None-Match: the raw peer sends no ETag.
    assert!(raw
        .requests()
        .iter()
        .all(|r| !r.to_ascii_lowercase().contains("if-none-match")));
}

/// A Root IRD that only delegates (RFC 7285 §9.2.4): the maps are found
/// in the IRD it points to, whose relative URIs resolve against its own
/// URL.
#[tokio::test]
async fn follows_a_delegated_ird() {
    use crate::raw::{Fault, RawPeer, IRD_PATH};

    let docs = isp_a();
    let server = Server::start(ServerConfig::default(), docs.clone()).await;
    let raw = RawPeer::start().await;
    let root = format!(
        r#"{{"meta": {{"default-alto-network-map": "isp-a-netmap"}},
            "resources": {{"isp-a-more": {{"uri": "{}",
                                           "media-type": "application/alto-directory+json"}}}}}}"#,
        server.url("/directory")
    );
    raw.set_fault(
        IRD_PATH,
        Fault::Body(altofed_model::media::DIRECTORY, root.into_bytes()),
    );
    let (mut peer, _) = peer(&raw.url(IRD_PATH), &options());
    let Fetched::Updated(maps) = peer.fetch().await.unwrap() else {
        panic!("maps expected");
    };
    assert_maps_are(&maps, &docs);
    assert!(matches!(peer.fetch().await.unwrap(), Fetched::Unchanged));
    assert_eq!(server.gets("/directory", "directory", "200"), 1.0);
    assert_eq!(server.gets("/directory", "directory", "304"), 1.0);
    server.stop().await;
}

/// An IRD without `default-alto-network-map` (openalto sends none) and
/// one network map: that map is pulled, and an INFO line says so once.
#[tokio::test]
async fn the_only_network_map_of_an_ird_without_a_default() {
    use crate::raw::{Fault, RawPeer, IRD_PATH};
    use crate::support::Logs;

    let raw = RawPeer::start().await;
    let ird = r#"{"meta": {"cost-types": {"num-rc": {"cost-mode": "numerical", "cost-metric": "routingcost"}}},
                  "resources": {
                    "isp-a-netmap": {"uri": "net", "media-type": "application/alto-networkmap+json"},
                    "isp-a-routingcost": {"uri": "/maps/cost", "media-type": "application/alto-costmap+json",
                                          "capabilities": {"cost-type-names": ["num-rc"]},
                                          "uses": ["isp-a-netmap"]}}}"#;
    raw.set_fault(
        IRD_PATH,
        Fault::Body(altofed_model::media::DIRECTORY, ird.as_bytes().to_vec()),
    );
    let (mut peer, _) = peer(&raw.url(IRD_PATH), &options());
    let (logs, _guard) = Logs::capture();
    let Fetched::Updated(maps) = peer.fetch().await.unwrap() else {
        panic!("maps expected");
    };
    assert_eq!(maps.network_map, *isp_a().network_map);
    assert!(matches!(peer.fetch().await.unwrap(), Fetched::Unchanged));
    let line =
        "the IRD names no default-alto-network-map; using its only network map `isp-a-netmap`";
    assert_eq!(logs.lines("INFO", line), 1);
}
