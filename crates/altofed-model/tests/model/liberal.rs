//! Liberal parsing of peer documents (RFC 7285 §8.3.7, §11.2.1.6).

use altofed_model::{
    parse_ipv4_prefix, parse_ipv6_prefix, Cost, CostMapDoc, DirectoryDoc, EndpointAddrGroup,
    EndpointCostDoc, NetworkMapDoc, PropertyMapDoc,
};
use serde_json::json;

fn cost_map(rows: &str) -> Result<CostMapDoc, serde_json::Error> {
    serde_json::from_str(&format!(
        r#"{{"meta":{{"dependent-vtags":[{{"resource-id":"n","tag":"1"}}],
             "cost-type":{{"cost-mode":"numerical","cost-metric":"routingcost"}}}},
           "cost-map":{rows}}}"#
    ))
}

#[test]
fn costs_as_strings() {
    let doc = cost_map(r#"{"a":{"a":"1","b":" 2.5 ","c":"-3e2"}}"#).unwrap();
    let row = &doc.cost_map["a"];
    assert_eq!(
        (row["a"], row["b"], row["c"]),
        (Cost(1.0), Cost(2.5), Cost(-300.0))
    );
    // Written back as numbers.
    let out = serde_json::to_value(&doc).unwrap();
    assert_eq!(out["cost-map"], json!({"a":{"a":1,"b":2.5,"c":-300}}));
}

#[test]
fn bad_cost_strings_are_errors() {
    let err = cost_map(r#"{"a":{"b":"near"}}"#).unwrap_err().to_string();
    assert!(err.contains("near"), "{err}");
    assert!(cost_map(r#"{"a":{"b":"NaN"}}"#).is_err());
    assert!(cost_map(r#"{"a":{"b":true}}"#).is_err());
}

#[test]
fn null_costs_are_dropped() {
    let doc = cost_map(r#"{"a":{"a":1,"b":null},"b":null,"c":{"a":null}}"#).unwrap();
    assert_eq!(doc.cost_map["a"].len(), 1);
    assert!(!doc.cost_map["a"].contains_key("b"));
    assert!(!doc.cost_map.contains_key("b"));
    assert!(doc.cost_map["c"].is_empty());

    let ecs = r#"{"meta":{"cost-type":{"cost-mode":"numerical","cost-metric":"routingcost"}},
        "endpoint-cost-map":{"ipv4:192.0.2.1":{"ipv4:192.0.2.2":null,"ipv4:192.0.2.3":"4"}}}"#;
    let ecs: EndpointCostDoc = serde_json::from_str(ecs).unwrap();
    let row = &ecs.endpoint_cost_map["ipv4:192.0.2.1"];
    assert_eq!(row.len(), 1);
    assert_eq!(row["ipv4:192.0.2.3"], Cost(4.0));
}

#[test]
fn unknown_address_types_are_ignored_and_pid_kept() {
    let g: EndpointAddrGroup = serde_json::from_str(
        r#"{"ipv4":["192.0.2.0/24"],"mac":["00:00:5e:00:53:01"],"asn":[64496]}"#,
    )
    .unwrap();
    assert_eq!(g.ipv4.len(), 1);
    assert!(g.ipv6.is_empty());
    let doc: NetworkMapDoc = serde_json::from_str(
        r#"{"meta":{"vtag":{"resource-id":"n","tag":"1"}},"network-map":{"only-mac":{"mac":["x"]}}}"#,
    )
    .unwrap();
    // RFC 7285 §11.2.1.6: the PID stays valid with nothing understood left in it.
    assert!(doc.network_map["only-mac"].is_empty());
}

#[test]
fn unknown_members_are_ignored() {
    let json = r#"{
      "meta": { "vtag": { "resource-id": "n", "tag": "1", "x-extra": true },
                "dependent-vtags": [], "x-generated": "2015" },
      "network-map": { "a": { "ipv4": ["192.0.2.0/24"] } },
      "x-vendor": { "anything": [1, 2, 3] }
    }"#;
    let doc: NetworkMapDoc = serde_json::from_str(json).unwrap();
    assert_eq!(doc.network_map.len(), 1);
    let cm = r#"{"meta":{"dependent-vtags":[{"resource-id":"n","tag":"1"}],
        "cost-type":{"cost-mode":"ordinal","cost-metric":"routingcost","cost-context":{"cost-source":"estimation"}},
        "multi-cost-types":[]},"cost-map":{},"extra":null}"#;
    assert!(serde_json::from_str::<CostMapDoc>(cm).is_ok());
}

#[test]
fn bare_addresses_are_host_prefixes() {
    assert_eq!(
        parse_ipv4_prefix("192.0.2.7").unwrap(),
        "192.0.2.7/32".parse().unwrap()
    );
    assert_eq!(
        parse_ipv6_prefix("2001:db8::7").unwrap(),
        "2001:db8::7/128".parse().unwrap()
    );
    let g: EndpointAddrGroup =
        serde_json::from_str(r#"{"ipv4":["198.51.100.1"],"ipv6":["2001:DB8::1"]}"#).unwrap();
    assert_eq!(g.ipv4[0].prefix_len(), 32);
    assert_eq!(g.ipv6[0], "2001:db8::1/128".parse().unwrap());
}

#[test]
fn host_bits_are_truncated() {
    assert_eq!(
        parse_ipv4_prefix("192.0.2.77/24").unwrap(),
        "192.0.2.0/24".parse().unwrap()
    );
    let g: EndpointAddrGroup =
        serde_json::from_str(r#"{"ipv4":[" 203.0.113.9/25"],"ipv6":["2001:db8::1/32"]}"#).unwrap();
    assert_eq!(g.ipv4[0], "203.0.113.0/25".parse().unwrap());
    assert_eq!(g.ipv6[0], "2001:db8::/32".parse().unwrap());
    let out = serde_json::to_value(&g).unwrap();
    assert_eq!(
        out,
        json!({"ipv4":["203.0.113.0/25"],"ipv6":["2001:db8::/32"]})
    );
}

#[test]
fn non_prefix_strings_are_errors_naming_the_string() {
    let err =
        serde_json::from_str::<EndpointAddrGroup>(r#"{"ipv4":["192.0.2.0/24","10.0.0.0/33"]}"#)
            .unwrap_err()
            .to_string();
    assert!(
        err.starts_with("`10.0.0.0/33` is not an IPv4 prefix or address (RFC 7285 §10.4.4)"),
        "{err}"
    );
    let err = serde_json::from_str::<EndpointAddrGroup>(r#"{"ipv6":["192.0.2.0/24"]}"#)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("`192.0.2.0/24` is not an IPv6 prefix"),
        "{err}"
    );
    assert!(serde_json::from_str::<EndpointAddrGroup>(r#"{"ipv4":[17]}"#).is_err());
    assert!(serde_json::from_str::<EndpointAddrGroup>(r#"{"ipv4":"192.0.2.0/24"}"#).is_err());
}

/// A repeated member is ambiguous (RFC 8259 §4): refused, naming the key,
/// at every level where a peer names PIDs, entities or resources.
#[test]
fn repeated_keys_are_refused_naming_the_key() {
    let message = |e: serde_json::Error| e.to_string();
    let in_row = cost_map(r#"{"a":{"b":1,"c":2,"b":3}}"#).map_err(message);
    assert!(in_row.unwrap_err().starts_with("duplicate key `b`"));
    let row = cost_map(r#"{"d":{"e":1},"a":{},"d":{"f":2}}"#).map_err(message);
    assert!(row.unwrap_err().starts_with("duplicate key `d`"));

    let net = r#"{"meta":{"vtag":{"resource-id":"n","tag":"1"}},
        "network-map":{"p1":{"ipv4":["192.0.2.0/24"]},"p1":{"ipv4":["198.51.100.0/24"]}}}"#;
    let err = serde_json::from_str::<NetworkMapDoc>(net).unwrap_err();
    assert!(err.to_string().starts_with("duplicate key `p1`"), "{err}");

    let props = r#"{"property-map":{"pid:p1":{".x":1,".x":2}}}"#;
    let err = serde_json::from_str::<PropertyMapDoc>(props).unwrap_err();
    assert!(err.to_string().starts_with("duplicate key `.x`"), "{err}");
    let props = r#"{"property-map":{"pid:p1":{},"pid:p1":{}}}"#;
    let err = serde_json::from_str::<PropertyMapDoc>(props).unwrap_err();
    assert!(
        err.to_string().starts_with("duplicate key `pid:p1`"),
        "{err}"
    );

    let ird = r#"{"resources":{"n":{"uri":"http://a/n","media-type":"m"},
                                "n":{"uri":"http://a/m","media-type":"m"}}}"#;
    let err = serde_json::from_str::<DirectoryDoc>(ird).unwrap_err();
    assert!(err.to_string().starts_with("duplicate key `n`"), "{err}");
    // A struct member said twice was always refused (serde's derive).
    let group = serde_json::from_str::<EndpointAddrGroup>(r#"{"ipv4":[],"ipv4":[]}"#);
    assert!(group
        .unwrap_err()
        .to_string()
        .starts_with("duplicate field `ipv4`"));
}
