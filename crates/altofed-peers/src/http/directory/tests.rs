//! Resource choice from IRDs: URIs resolved, the network map (configured,
//! default, or the only one), the cost map of the metric, the stream.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn ird(json: &str) -> DirectoryDoc {
    serde_json::from_str(json).unwrap()
}

const IRD: &str = r#"{
  "meta": {
    "cost-types": {
      "num-rc": {"cost-mode": "numerical", "cost-metric": "routingcost"},
      "ord-rc": {"cost-mode": "ordinal", "cost-metric": "routingcost"},
      "num-hops": {"cost-mode": "numerical", "cost-metric": "hopcount"}
    },
    "default-alto-network-map": "net"
  },
  "resources": {
    "net": {"uri": "maps/net", "media-type": "application/alto-networkmap+json"},
    "a-ord": {"uri": "/ord", "media-type": "application/alto-costmap+json",
              "capabilities": {"cost-type-names": ["ord-rc"]}, "uses": ["net"]},
    "b-hops": {"uri": "/hops", "media-type": "application/alto-costmap+json",
               "capabilities": {"cost-type-names": ["num-hops"]}, "uses": ["net"]},
    "c-num": {"uri": "https://other.example/num", "media-type": "application/alto-costmap+json",
              "capabilities": {"cost-type-names": ["num-rc"]}, "uses": ["net"]},
    "filtered": {"uri": "/f", "media-type": "application/alto-costmap+json",
                 "accepts": "application/alto-costmapfilter+json",
                 "capabilities": {"cost-type-names": ["num-rc"]}, "uses": ["net"]},
    "props": {"uri": "../props", "media-type": "application/alto-propmap+json", "uses": ["net"]},
    "more": {"uri": "sub/directory", "media-type": "application/alto-directory+json"},
    "updates": {"uri": "/updates", "media-type": "text/event-stream",
                "accepts": "application/alto-updatestreamparams+json",
                "uses": ["net", "c-num"],
                "capabilities": {"incremental-change-media-types": {
                   "net": "application/json-patch+json",
                   "c-num": "application/merge-patch+json,application/x-other"}}}
  }
}"#;

fn resolved() -> (BTreeMap<String, Resolved>, Vec<Url>) {
    let base = Url::parse("http://peer.example/alto/directory").unwrap();
    let mut into = BTreeMap::new();
    let delegated = collect(&ird(IRD), &base, &mut into);
    (into, delegated)
}

#[test]
fn relative_uris_resolve_against_the_ird() {
    let (r, delegated) = resolved();
    assert_eq!(r["net"].url.as_str(), "http://peer.example/alto/maps/net");
    assert_eq!(r["a-ord"].url.as_str(), "http://peer.example/ord");
    assert_eq!(r["props"].url.as_str(), "http://peer.example/props");
    assert_eq!(r["c-num"].url.as_str(), "https://other.example/num");
    assert_eq!(
        delegated.iter().map(Url::as_str).collect::<Vec<_>>(),
        ["http://peer.example/alto/sub/directory"]
    );
}

#[test]
fn picks_the_numerical_cost_map_of_the_metric_and_its_stream() {
    let (r, _) = resolved();
    let s = select(Some("net"), &r, &HttpOptions::default()).unwrap();
    assert_eq!(s.net.id, "net");
    assert_eq!(s.cost.id, "c-num");
    assert_eq!(s.prop.as_ref().map(|p| p.id.as_str()), Some("props"));
    let stream = s.stream.unwrap();
    assert_eq!(stream.url.as_str(), "http://peer.example/updates");
    assert!(stream.patches_supported("net"));
    assert!(!stream.patches_supported("c-num"));
    assert!(stream.patches_supported("props"));

    let hops = HttpOptions {
        cost_metric: "hopcount".to_owned(),
        ..HttpOptions::default()
    };
    let s = select(Some("net"), &r, &hops).unwrap();
    assert_eq!(s.cost.id, "b-hops");
    assert_eq!(s.stream, None, "the stream does not cover b-hops");
}

#[test]
fn explains_what_is_missing() {
    let (r, _) = resolved();
    let delay = HttpOptions {
        cost_metric: "delay-ow".to_owned(),
        ..HttpOptions::default()
    };
    assert_eq!(
        select(Some("net"), &r, &delay).unwrap_err(),
        "no numerical `delay-ow` GET cost map that uses network map `net`"
    );
    let named = HttpOptions {
        network_map: Some("c-num".to_owned()),
        ..HttpOptions::default()
    };
    assert_eq!(
        select(Some("net"), &r, &named).unwrap_err(),
        "no GET network map `c-num` (media type application/alto-networkmap+json)"
    );
}

/// An IRD without `default-alto-network-map`, with `nets` network maps
/// (`net0`, `net1`, ...) and a numerical cost map using the first.
fn without_default(nets: usize) -> BTreeMap<String, Resolved> {
    let mut resources: Vec<String> = (0..nets)
        .map(|i| {
            format!(r#""net{i}": {{"uri": "/net{i}", "media-type": "application/alto-networkmap+json"}}"#)
        })
        .collect();
    resources.push(
        r#""cost": {"uri": "/cost", "media-type": "application/alto-costmap+json",
                    "capabilities": {"cost-type-names": ["num-rc"]}, "uses": ["net0"]}"#
            .to_owned(),
    );
    let json = format!(
        r#"{{"meta": {{"cost-types": {{"num-rc": {{"cost-mode": "numerical", "cost-metric": "routingcost"}}}}}},
            "resources": {{{}}}}}"#,
        resources.join(",")
    );
    let base = Url::parse("http://peer.example/directory").unwrap();
    let mut into = BTreeMap::new();
    collect(&ird(&json), &base, &mut into);
    into
}

#[test]
fn without_a_default_the_only_network_map_is_taken() {
    let s = select(None, &without_default(1), &HttpOptions::default()).unwrap();
    assert_eq!(s.net.id, "net0");
    assert_eq!(s.net.url.as_str(), "http://peer.example/net0");
    assert_eq!(s.cost.id, "cost");
}

#[test]
fn without_a_default_and_no_network_map_says_so() {
    assert_eq!(
        select(None, &without_default(0), &HttpOptions::default()).unwrap_err(),
        "no network map configured and no `default-alto-network-map` in the IRD, \
         and no GET network map in it"
    );
}

#[test]
fn without_a_default_several_network_maps_are_listed_unless_one_is_configured() {
    assert_eq!(
        select(None, &without_default(3), &HttpOptions::default()).unwrap_err(),
        "no network map configured and no `default-alto-network-map` in the IRD, \
         which offers 3 network maps: `net0`, `net1`, `net2`; \
         set peer.http.network-map to one of them"
    );
    let named = HttpOptions {
        network_map: Some("net0".to_owned()),
        ..HttpOptions::default()
    };
    let s = select(None, &without_default(3), &named).unwrap();
    assert_eq!((s.net.id.as_str(), s.cost.id.as_str()), ("net0", "cost"));
}
