//! The pure steps on hand-made sets: consistency, the stale mark, and the
//! comparison of a snapshot with the upstream's bodies.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use altofed_model::content_tag;
use altofed_peers::http::upstream::{MapDoc, PulledMap, UpstreamSet};
use altofed_peers::parse_document;
use altofed_server::snapshot::build_snapshot;
use reqwest::Url;
use serde_json::{json, Value};

use super::*;

fn net(tag: &str) -> Value {
    json!({"meta": {"vtag": {"resource-id": "net", "tag": tag}},
        "network-map": {"p1": {"ipv4": ["192.0.2.0/24"]}, "p2": {"ipv4": ["0.0.0.0/0"]}}})
}

/// Costs that print in every float form (short, exponent, long, extremes).
fn cost(mode: &str, dep: &str) -> Value {
    let costs = if mode == "ordinal" {
        json!({"p1": {"p2": 2, "p1": 1}, "p2": {"p1": 3}})
    } else {
        json!({"p1": {"p2": 0.1, "p1": 1e-7}, "p2": {"p1": 1.0 / 3.0, "p2": 1.797_693_134_862_315_7e308}})
    };
    json!({"meta": {"dependent-vtags": [{"resource-id": "net", "tag": dep}],
        "cost-type": {"cost-mode": mode, "cost-metric": "routingcost"}},
        "cost-map": costs})
}

fn prop(dep: &str) -> Value {
    json!({"meta": {"dependent-vtags": [{"resource-id": "net", "tag": dep}]},
        "property-map": {"net.pid:p1": {".priv:kind": "cdn"}, "ipv4:192.0.2.1": {".priv:health": "up"}}})
}

fn pulled(id: &str, value: &Value) -> PulledMap {
    let doc = match id {
        "net" => MapDoc::Network(Arc::new(serde_json::from_value(value.clone()).unwrap())),
        "prop" => MapDoc::Property(Arc::new(serde_json::from_value(value.clone()).unwrap())),
        _ => MapDoc::Cost(Arc::new(serde_json::from_value(value.clone()).unwrap())),
    };
    PulledMap {
        id: id.to_owned(),
        url: Url::parse(&format!("http://upstream.example/maps/{id}")).unwrap(),
        doc,
        etag: None,
        digest: String::new(),
    }
}

fn set(maps: Vec<PulledMap>) -> UpstreamSet {
    UpstreamSet {
        maps,
        ird_digest: String::new(),
        ird_etag: None,
        stream: None,
    }
}

fn good() -> UpstreamSet {
    set(vec![
        pulled("net", &net("n1")),
        pulled("num", &cost("numerical", "n1")),
        pulled("ord", &cost("ordinal", "n1")),
        pulled("prop", &prop("n1")),
    ])
}

#[test]
fn a_consistent_set_becomes_documents() {
    let docs = documents(&good()).unwrap();
    assert_eq!(docs.network_map.meta.vtag.tag, "n1");
    let ids: Vec<&str> = docs.cost_maps.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["num", "ord"]);
    assert_eq!(docs.property_maps.len(), 1);
}

#[test]
fn a_cost_map_of_another_network_map_version_is_refused() {
    let mut caught = good();
    caught.maps[2] = pulled("ord", &cost("ordinal", "n0"));
    assert_eq!(
        documents(&caught).unwrap_err().to_string(),
        "cost map `ord` depends on network map version `net/n0`, but the network map `net` is at `n1`; waiting for a consistent set (RFC 8895 §9.2)"
    );
    let mut caught = good();
    caught.maps[3] = pulled("prop", &prop("n0"));
    assert!(matches!(
        documents(&caught),
        Err(MirrorError::Inconsistent {
            what: "property map",
            ..
        })
    ));
}

#[test]
fn the_network_map_is_served_under_its_own_id() {
    let mut other = net("n1");
    other["meta"]["vtag"]["resource-id"] = json!("elsewhere");
    let wrong = set(vec![pulled("net", &other)]);
    assert_eq!(
        documents(&wrong).unwrap_err(),
        MirrorError::NetworkMapId {
            id: "net".to_owned(),
            vtag_id: "elsewhere".to_owned()
        }
    );
}

/// What an upstream serves for `set` (its snapshot), and the set a mirror
/// pulls from it: each map parsed from the upstream's identity body as the
/// client parses it, with the body's content tag and the gzip ETag.
fn as_served(set: &UpstreamSet) -> (UpstreamSet, Snapshot) {
    let upstream = build_snapshot(documents(set).unwrap(), 1, None).unwrap();
    let mut pulled = set.clone();
    for map in &mut pulled.maps {
        let resource = &upstream.resources[&map.id];
        let bytes = resource.body.identity.to_bytes();
        map.doc = match map.doc {
            MapDoc::Network(_) => MapDoc::Network(Arc::new(parse_document(&bytes).unwrap())),
            MapDoc::Cost(_) => MapDoc::Cost(Arc::new(parse_document(&bytes).unwrap())),
            MapDoc::Property(_) => MapDoc::Property(Arc::new(parse_document(&bytes).unwrap())),
        };
        map.digest = content_tag(&bytes);
        map.etag = Some(format!("\"{}-gz\"", resource.etag));
    }
    pulled.ird_digest = content_tag(&upstream.directory.body.identity.to_bytes());
    (pulled, upstream)
}

#[test]
fn documents_parsed_from_the_upstreams_bodies_give_its_bytes_in_every_coding() {
    let (pulled, upstream) = as_served(&good());
    let mirror = build_snapshot(documents(&pulled).unwrap(), 7, None).unwrap();
    assert_eq!(divergences(&mirror, &pulled), []);
    for (id, theirs) in &upstream.resources {
        let ours = &mirror.resources[id];
        assert_eq!(ours.etag, theirs.etag, "{id}");
        for coding in [Coding::Identity, Coding::Gzip, Coding::Zstd] {
            let bytes =
                |r: &altofed_server::snapshot::Resource| r.body.get(coding).map(|b| b.to_bytes());
            assert_eq!(bytes(ours), bytes(theirs), "{id} {coding:?}");
        }
    }
}

#[test]
fn a_stale_mark_is_on_every_property_map_entity_and_shows_as_divergence() {
    let (set, upstream) = as_served(&good());
    let mut docs = documents_of(&upstream);
    mark_stale(&mut docs, "2026-12-06T09:00:00Z");
    let (_, prop) = &docs.property_maps[0];
    for props in prop.property_map.values() {
        assert_eq!(props.get(STALE_SINCE), Some(&json!("2026-12-06T09:00:00Z")));
    }
    let stale = build_snapshot(docs, 2, Some(&upstream)).unwrap();
    let found = divergences(&stale, &set);
    let what: Vec<(&str, &str)> = found.iter().map(|d| (d.id.as_str(), d.what)).collect();
    // The IRD names the new property; the property map's body and ETag change.
    assert_eq!(
        what,
        [("directory", "body"), ("prop", "body"), ("prop", "etag")]
    );
}
