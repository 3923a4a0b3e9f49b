//! Every property map and IRD ValidationError, with its exact message.

use altofed_model::{
    validate_endpoint_property_name, validate_entity_id, validate_ird, validate_property_map,
    validate_property_name, DirectoryDoc, IrdEntry, PropertyMapDoc, VersionTag,
};
use serde_json::json;

use crate::roundtrip_services::example_ird;

fn propmap() -> PropertyMapDoc {
    serde_json::from_value(json!({
      "meta": { "dependent-vtags": [{ "resource-id": "agg-netmap", "tag": "5f1e" }] },
      "property-map": {
        "ipv4:192.0.2.10": { "agg-netmap.pid": "pid-metro" },
        "ipv4:192.0.2.0/24": { "agg-netmap.pid": "pid-metro", ".country": "zz" },
        "ipv6:2001:db8::/32": { "agg-netmap.pid": null },
        "ipv6:2001:db8::1": { ".priv:x": 1 },
        "agg-netmap.pid:isp-a:pid1": { ".priv:agg-origin": "peer-a" }
      }
    }))
    .unwrap()
}

fn entity_err(id: &str) -> String {
    validate_entity_id(id).unwrap_err().to_string()
}

#[test]
fn valid_property_map_passes() {
    validate_property_map(&propmap()).unwrap();
}

#[test]
fn property_map_vtag() {
    let mut doc = propmap();
    doc.meta.dependent_vtags.push(VersionTag::new("cdni", ""));
    assert_eq!(
        validate_property_map(&doc).unwrap_err().to_string(),
        "property map meta.dependent-vtags[1]: vtag tag is empty (RFC 7285 §10.3)"
    );
}

#[test]
fn entity_ids() {
    let tail = "(RFC 9240 §5.1.3)";
    assert_eq!(
        entity_err("ipv4:192.0.2.300"),
        format!(
            "entity ID `ipv4:192.0.2.300` is not an IPv4 address or prefix after `ipv4:` {tail}"
        )
    );
    assert_eq!(
        entity_err("ipv6:2001:db8::/200"),
        format!(
            "entity ID `ipv6:2001:db8::/200` is not an IPv6 address or prefix after `ipv6:` {tail}"
        )
    );
    assert_eq!(
        entity_err("ipv4:192.0.2.1/24"),
        format!("entity ID `ipv4:192.0.2.1/24` is a prefix with host bits set {tail}")
    );
    let unknown = "is not of the form `ipv4:<addr>`, `ipv6:<addr>` or `<resource-id>.pid:<pid>`";
    for id in [
        "as64496",
        "asn:as64496",
        "agg-netmap.ipv4:192.0.2.1",
        "agg-netmap.pid",
    ] {
        assert_eq!(entity_err(id), format!("entity ID `{id}` {unknown} {tail}"));
    }
    assert_eq!(
        entity_err("agg netmap.pid:a"),
        format!("entity ID `agg netmap.pid:a` has an invalid resource ID before `.pid` {tail}")
    );
    assert_eq!(
        entity_err(".pid:a"),
        format!("entity ID `.pid:a` has an invalid resource ID before `.pid` {tail}")
    );
    assert_eq!(
        entity_err("agg-netmap.pid:"),
        format!("entity ID `agg-netmap.pid:` has an invalid PID name after `.pid:` {tail}")
    );
    let mut doc = propmap();
    doc.property_map
        .insert("ipv4:10.0.0.0/6".to_owned(), Default::default());
    let err = validate_property_map(&doc).unwrap_err().to_string();
    assert!(
        err.starts_with("entity ID `ipv4:10.0.0.0/6` is a prefix with host bits"),
        "{err}"
    );
}

#[test]
fn property_names() {
    for ok in ["agg-netmap.pid", ".priv:agg-origin", "def.pid", ".country"] {
        validate_property_name(ok).unwrap();
        validate_endpoint_property_name(ok).unwrap();
    }
    // RFC 7285 §10.8 global endpoint property names have no dot; RFC 9240
    // §5.2.2 entity property names always have one.
    for global in ["country", "priv:ietf-type"] {
        validate_endpoint_property_name(global).unwrap();
        assert_eq!(
            validate_property_name(global).unwrap_err().to_string(),
            format!("property name `{global}` has no `.`; an entity property name is `[ResourceID] '.' EntityPropertyType`, so a self-defined one is written `.{global}` (RFC 9240 §5.2.2)")
        );
    }
    assert_eq!(
        validate_property_name("agg@net.map.pid").unwrap_err().to_string(),
        "property name `agg@net.map.pid`: property type `map.pid` contains '.'; only ASCII letters, digits, `-`, `:` and `_` are allowed (RFC 7285 §10.8.2, RFC 9240 §5.2.1)"
    );
    assert_eq!(
        validate_property_name("agg#netmap.pid").unwrap_err().to_string(),
        "property name `agg#netmap.pid`: name `agg#netmap` contains '#'; only ASCII letters, digits, `-`, `:`, `@` and `_` are allowed (RFC 7285 §10.1)"
    );
    assert_eq!(
        validate_property_name("agg-netmap.")
            .unwrap_err()
            .to_string(),
        "property name `agg-netmap.`: property type is empty (RFC 7285 §10.8.2, RFC 9240 §5.2.1)"
    );
    let mut doc = propmap();
    let row = doc.property_map.get_mut("ipv4:192.0.2.10").unwrap();
    row.insert(".priv:".to_owned(), json!("x"));
    assert_eq!(
        validate_property_map(&doc).unwrap_err().to_string(),
        "property name `.priv:`: property type `priv:` needs a suffix after the private-use prefix (RFC 7285 §10.8.2, RFC 9240 §5.2.1)"
    );
    let mut doc = propmap();
    let row = doc.property_map.get_mut("ipv4:192.0.2.10").unwrap();
    row.insert("priv:kind".to_owned(), json!("cdn"));
    assert!(matches!(
        validate_property_map(&doc),
        Err(altofed_model::ValidationError::PropertyNoDot { property }) if property == "priv:kind"
    ));
}

fn ird_err(doc: &DirectoryDoc) -> String {
    validate_ird(doc).unwrap_err().to_string()
}

fn entry(media_type: &str) -> IrdEntry {
    IrdEntry {
        uri: "/x".to_owned(),
        media_type: media_type.to_owned(),
        accepts: None,
        capabilities: None,
        uses: vec![],
    }
}

#[test]
fn valid_ird_passes() {
    validate_ird(&example_ird()).unwrap();
    validate_ird(&DirectoryDoc::default()).unwrap();
}

#[test]
fn ird_resource_id() {
    let mut ird = example_ird();
    ird.resources.insert(
        "agg.extra".to_owned(),
        entry("application/alto-networkmap+json"),
    );
    assert_eq!(
        ird_err(&ird),
        "invalid IRD resource ID: name `agg.extra` contains `.`, which is reserved (RFC 7285 §10.1)"
    );
}

#[test]
fn ird_unknown_uses() {
    let mut ird = example_ird();
    ird.resources
        .get_mut("agg-cost-num-rc")
        .unwrap()
        .uses
        .push("peer-netmap".to_owned());
    assert_eq!(
        ird_err(&ird),
        "IRD resource `agg-cost-num-rc` uses `peer-netmap`, which is not a resource of this directory (RFC 7285 §9.2.2)"
    );
}

#[test]
fn ird_default_network_map() {
    let mut ird = example_ird();
    ird.meta.default_alto_network_map = Some("nope".to_owned());
    assert_eq!(
        ird_err(&ird),
        "default-alto-network-map `nope` is not a resource of this directory; it must name a network map resource (RFC 7285 §9.2.2)"
    );
    ird.meta.default_alto_network_map = Some("agg-cost-num-rc".to_owned());
    assert_eq!(
        ird_err(&ird),
        "default-alto-network-map `agg-cost-num-rc` has media type application/alto-costmap+json; it must name a network map resource (RFC 7285 §9.2.2)"
    );
}

#[test]
fn ird_cost_type_names() {
    let mut ird = example_ird();
    ird.meta.cost_types.remove("ord-rc");
    assert_eq!(
        ird_err(&ird),
        "IRD resource `agg-cost-filter` lists cost type name `ord-rc`, which is not in meta.cost-types (RFC 7285 §9.2.2, §11.2.3.4)"
    );
    let mut ird = example_ird();
    let caps = ird
        .resources
        .get_mut("multi")
        .unwrap()
        .capabilities
        .as_mut()
        .unwrap();
    caps.testable_cost_type_names = Some(vec!["num-hops".to_owned()]);
    assert_eq!(
        ird_err(&ird),
        "IRD resource `multi` lists cost type name `num-hops`, which is not in meta.cost-types (RFC 7285 §9.2.2, §11.2.3.4)"
    );
}

#[test]
fn ird_cost_metric() {
    let mut ird = example_ird();
    ird.meta.cost_types.get_mut("num-owd").unwrap().cost_metric = "delay.ow".to_owned();
    assert_eq!(
        ird_err(&ird),
        "IRD meta.cost-types `num-owd`: cost metric `delay.ow` contains '.'; only ASCII letters, digits, `-`, `:` and `_` are allowed (RFC 7285 §10.6)"
    );
}

#[test]
fn ird_mappings_property_names_have_the_dot() {
    let mut ird = example_ird();
    let mut propmap = entry("application/alto-propmap+json");
    let mappings = [("ipv4".to_owned(), vec!["priv:kind".to_owned()])];
    propmap.capabilities = Some(altofed_model::Capabilities {
        mappings: Some(mappings.into_iter().collect()),
        ..Default::default()
    });
    ird.resources.insert("agg-propmap".to_owned(), propmap);
    assert!(ird_err(&ird).starts_with("property name `priv:kind` has no `.`"));
}
