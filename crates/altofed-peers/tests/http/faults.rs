//! Each way a peer can fail: the exact error, a `PeerEvent::Failed`, the
//! metric, and recovery (`Updated`) once the peer behaves again.

use std::time::Duration;

use altofed_core::config::HttpOptions;
use altofed_model::media;
use altofed_peers::{FetchError, PeerEvent};
use altofed_server::ServerConfig;
use tokio::net::TcpListener;

use crate::raw::{Fault, RawPeer, COST_PATH, IRD_PATH, NET_PATH};
use crate::support::{
    assert_maps_are, fetches, isp_a, next_event, next_failure, next_update, options, peer, watch,
    Server,
};

/// A fetch fails with `message` (class `class`); the watcher reports the
/// same message, keeps retrying, and sends `Updated` once the fault is
/// gone.
async fn fault_then_recovery(
    raw: &RawPeer,
    options: &HttpOptions,
    path: &str,
    fault: Fault,
    message: &str,
    class: &str,
) {
    raw.set_fault(path, fault);
    let (mut peer, registry) = peer(&raw.url(IRD_PATH), options);
    let error: FetchError = peer.fetch().await.unwrap_err();
    assert_eq!(error.to_string(), message);
    assert_eq!(error.class(), class);
    assert_eq!(fetches(&registry, class), 1.0);
    assert!(peer.maps().is_none());

    let (mut rx, watcher) = watch(peer);
    match next_event(&mut rx).await {
        PeerEvent::Failed {
            peer,
            error,
            url,
            class: got,
        } => {
            assert_eq!(peer, 0);
            assert_eq!(error, message);
            assert_eq!(got, class);
            assert!(message.contains(&url), "{url}");
        }
        other => panic!("the fault is still set: {other:?}"),
    }
    raw.clear_fault();
    let maps = next_update(&mut rx, |error| assert_eq!(error, message)).await;
    assert_maps_are_isp_a(&maps);
    assert!(fetches(&registry, class) >= 2.0);
    assert_eq!(fetches(&registry, "ok"), 1.0);
    watcher.stop().await;
}

fn assert_maps_are_isp_a(maps: &altofed_core::peer::PeerMaps) {
    let docs = isp_a();
    assert_eq!(maps.network_map, *docs.network_map);
    assert_eq!(maps.cost_map, docs.cost_maps[0].1);
    assert_eq!(
        maps.property_map, None,
        "the raw peer offers no property map"
    );
}

#[tokio::test]
async fn http_500() {
    let raw = RawPeer::start().await;
    let msg = format!(
        "peer `isp-a`: GET {}: HTTP 500 Internal Server Error",
        raw.url(NET_PATH)
    );
    fault_then_recovery(
        &raw,
        &options(),
        NET_PATH,
        Fault::Status(500),
        &msg,
        "status",
    )
    .await;
}

#[tokio::test]
async fn hanging_past_the_timeout() {
    let raw = RawPeer::start().await;
    let options = HttpOptions {
        timeout: Duration::from_secs(1),
        ..options()
    };
    let msg = format!(
        "peer `isp-a`: GET {}: no complete response within 1s",
        raw.url(COST_PATH)
    );
    fault_then_recovery(&raw, &options, COST_PATH, Fault::Hang, &msg, "timeout").await;
}

#[tokio::test]
async fn malformed_json_names_the_key() {
    let raw = RawPeer::start().await;
    let bad = br#"{"meta": {"dependent-vtags": [{"resource-id": "isp-a-netmap", "tag": "figure5-netmap-v1"}],
                   "cost-type": {"cost-mode": "numerical", "cost-metric": "routingcost"}},
                  "cost-map": {"pid1": {"pid4": "cheap"}}}"#;
    let msg = format!(
        "peer `isp-a`: GET {}: not a valid cost map: at `cost-map.pid1.pid4`: \
         invalid value: string \"cheap\", expected a finite number, or a string holding one at line 3 column 55",
        raw.url(COST_PATH)
    );
    let fault = Fault::Body(media::COST_MAP, bad.to_vec());
    fault_then_recovery(&raw, &options(), COST_PATH, fault, &msg, "malformed").await;
}

#[tokio::test]
async fn malformed_ird() {
    let raw = RawPeer::start().await;
    let bad = br#"{"resources": {"net": {"media-type": "application/alto-networkmap+json"}}}"#;
    let msg = format!(
        "peer `isp-a`: GET {}: not a valid IRD: at `resources.net`: missing field `uri` at line 1 column 72",
        raw.url(IRD_PATH)
    );
    let fault = Fault::Body(media::DIRECTORY, bad.to_vec());
    fault_then_recovery(&raw, &options(), IRD_PATH, fault, &msg, "malformed").await;
}

#[tokio::test]
async fn wrong_media_type() {
    let raw = RawPeer::start().await;
    let body = std::fs::read(crate::support::isp_a_dir().join("networkmap.json")).unwrap();
    let msg = format!(
        "peer `isp-a`: GET {}: Content-Type is `application/json`, expected \
         `application/alto-networkmap+json` (RFC 7285 §8.3.4.2)",
        raw.url(NET_PATH)
    );
    let fault = Fault::Body("application/json", body);
    fault_then_recovery(&raw, &options(), NET_PATH, fault, &msg, "media_type").await;
}

#[tokio::test]
async fn body_over_the_size_limit_however_it_is_framed() {
    let raw = RawPeer::start().await;
    let options = HttpOptions {
        max_bytes: 4096,
        ..options()
    };
    let msg = format!(
        "peer `isp-a`: GET {}: response body is over the limit of 4096 bytes (max-bytes)",
        raw.url(NET_PATH)
    );
    for fault in [
        // Declared too large: refused before reading.
        Fault::Declared(1 << 20),
        // No Content-Length: counted while streaming.
        Fault::Chunked(1 << 20),
        // Never ends: reading stops at the limit.
        Fault::Endless,
        // Small on the wire, large once inflated.
        Fault::Gzip(1 << 20),
    ] {
        fault_then_recovery(&raw, &options, NET_PATH, fault, &msg, "too_large").await;
    }
}

#[tokio::test]
async fn cost_map_for_another_network_map_version() {
    let raw = RawPeer::start().await;
    let body = std::fs::read_to_string(crate::support::isp_a_dir().join("costmap.json"))
        .unwrap()
        .replace("figure5-netmap-v1", "figure5-netmap-v0");
    let msg = format!(
        "peer `isp-a`: cost map depends on network map isp-a-netmap/figure5-netmap-v0, \
         but the network map is isp-a-netmap/figure5-netmap-v1 (RFC 7285 §11.2.3.6); \
         cost map from {}",
        raw.url(COST_PATH)
    );
    let fault = Fault::Body(media::COST_MAP, body.into_bytes());
    fault_then_recovery(&raw, &options(), COST_PATH, fault, &msg, "inconsistent").await;
    // The network map was asked for a second time before giving up.
    let net_gets = raw
        .requests()
        .iter()
        .filter(|r| r.starts_with(&format!("GET {NET_PATH} ")))
        .count();
    assert!(net_gets >= 3, "{net_gets}");
}

#[tokio::test]
async fn no_cost_map_of_the_metric() {
    let raw = RawPeer::start().await;
    let options = HttpOptions {
        cost_metric: "delay-ow".to_owned(),
        ..options()
    };
    let (mut peer, registry) = peer(&raw.url(IRD_PATH), &options);
    let error = peer.fetch().await.unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "peer `isp-a`: IRD {}: no numerical `delay-ow` GET cost map that uses network map `isp-a-netmap`",
            raw.url(IRD_PATH)
        )
    );
    assert_eq!(fetches(&registry, "directory"), 1.0);
}

#[tokio::test]
async fn peer_down_then_back() {
    // A port nobody listens on (bound, then released).
    let addr = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap()
    };
    let url = format!("http://{addr}/directory");
    let msg = format!("peer `isp-a`: GET {url}: cannot connect: connection refused");
    let (mut peer, registry) = peer(&url, &options());
    let error = peer.fetch().await.unwrap_err();
    assert_eq!(error.to_string(), msg);
    assert_eq!(fetches(&registry, "connect"), 1.0);

    let (mut rx, watcher) = watch(peer);
    match next_event(&mut rx).await {
        PeerEvent::Failed { error, .. } => assert_eq!(error, msg),
        other => panic!("nobody listens yet: {other:?}"),
    }
    let docs = isp_a();
    let server = Server::start_at(addr, ServerConfig::default(), docs.clone()).await;
    let maps = next_update(&mut rx, |error| assert_eq!(error, msg)).await;
    assert_maps_are(&maps, &docs);
    assert!(fetches(&registry, "connect") >= 2.0);
    watcher.stop().await;
    server.stop().await;
}

#[tokio::test]
async fn back_with_the_same_maps_after_a_failure_is_current_again() {
    let docs = isp_a();
    let server = Server::start(ServerConfig::default(), docs.clone()).await;
    let addr = server.addr;
    let url = format!("http://{addr}/directory");
    let polling = HttpOptions {
        poll_interval: Duration::from_millis(50),
        ..options()
    };
    let (peer, _registry) = peer(&url, &polling);
    let (mut rx, watcher) = watch(peer);
    let maps = next_update(&mut rx, |error| panic!("{error}")).await;
    assert_maps_are(&maps, &docs);

    server.stop().await;
    let error = next_failure(&mut rx).await;
    assert!(error.contains(&url), "{error}");
    let server = Server::start_at(addr, ServerConfig::default(), docs).await;
    loop {
        match next_event(&mut rx).await {
            PeerEvent::Current { peer } => break assert_eq!(peer, 0),
            PeerEvent::Failed { .. } => {}
            other => panic!("the maps did not change: {other:?}"),
        }
    }
    watcher.stop().await;
    server.stop().await;
}
