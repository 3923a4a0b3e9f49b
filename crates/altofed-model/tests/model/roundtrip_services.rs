//! Round trips of endpoint services (RFC 7285 §11.4, §11.5), property maps
//! (RFC 9240 §7, §8), the IRD (RFC 7285 §9.2) and error documents (§8.5).

use std::net::IpAddr;

use altofed_model::{
    parse_endpoints, Cost, DirectoryDoc, EndpointCostDoc, EndpointCostRequest, EndpointPropDoc,
    EndpointPropRequest, ErrorCode, ErrorDoc, PropertyMapDoc, PropertyMapFilter,
};
use serde_json::json;

use crate::{roundtrip, roundtrip_same};

#[test]
fn eps_request_and_response() {
    let req = r#"{ "properties": ["agg-netmap.pid"],
                   "endpoints": ["ipv4:192.0.2.10", "ipv6:2001:db8:ffff::1"] }"#;
    let req: EndpointPropRequest = roundtrip_same(req);
    let addrs = parse_endpoints(&req.endpoints).unwrap();
    assert_eq!(addrs[1].0, "2001:db8:ffff::1".parse::<IpAddr>().unwrap());

    let resp = r#"{
      "meta": { "dependent-vtags": [{ "resource-id": "agg-netmap", "tag": "5f1e0c9a7d3b44e1" }] },
      "endpoint-properties": {
        "ipv4:192.0.2.10": { "agg-netmap.pid": "pid-metro" },
        "ipv6:2001:db8:ffff::1": { "agg-netmap.pid": "pid-rest" }
      }
    }"#;
    let resp: EndpointPropDoc = roundtrip_same(resp);
    assert_eq!(
        resp.endpoint_properties["ipv4:192.0.2.10"]["agg-netmap.pid"],
        "pid-metro"
    );
}

#[test]
fn ecs_request_and_response() {
    let req = r#"{
      "cost-type": { "cost-mode": "ordinal", "cost-metric": "routingcost" },
      "endpoints": {
        "srcs": ["ipv4:192.0.2.10"],
        "dsts": ["ipv4:198.51.100.7", "ipv4:203.0.113.9", "ipv6:2001:db8:100::1"]
      }
    }"#;
    let req: EndpointCostRequest = roundtrip_same(req);
    assert_eq!(req.endpoints.srcs().len(), 1);
    assert_eq!(parse_endpoints(req.endpoints.dsts()).unwrap().len(), 3);

    let implicit_src = r#"{ "cost-type": { "cost-mode": "numerical", "cost-metric": "routingcost" },
      "constraints": ["le 5"], "endpoints": { "dsts": ["ipv4:198.51.100.7"] } }"#;
    let req: EndpointCostRequest = roundtrip_same(implicit_src);
    assert!(req.endpoints.srcs().is_empty());

    let resp = r#"{
      "meta": { "cost-type": { "cost-mode": "ordinal", "cost-metric": "routingcost" } },
      "endpoint-cost-map": {
        "ipv4:192.0.2.10": {
          "ipv4:198.51.100.7": 1, "ipv6:2001:db8:100::1": 1, "ipv4:203.0.113.9": 2
        }
      }
    }"#;
    let resp: EndpointCostDoc = roundtrip_same(resp);
    assert_eq!(
        resp.endpoint_cost_map["ipv4:192.0.2.10"]["ipv4:203.0.113.9"],
        Cost(2.0)
    );
}

#[test]
fn property_map_and_filter() {
    let req = r#"{ "entities": ["ipv4:192.0.2.10", "agg-netmap.pid:pid-metro"],
                   "properties": ["agg-netmap.pid", ".priv:agg-origin"] }"#;
    let req: PropertyMapFilter = roundtrip_same(req);
    assert_eq!(req.properties.len(), 2);
    // Both members are required (RFC 9240 §8.3).
    assert!(serde_json::from_str::<PropertyMapFilter>(r#"{ "entities": [] }"#).is_err());

    let resp = r#"{
      "meta": { "dependent-vtags": [{ "resource-id": "agg-netmap", "tag": "5f1e0c9a7d3b44e1" }] },
      "property-map": {
        "ipv4:192.0.2.10": { "agg-netmap.pid": "pid-metro" },
        "ipv4:192.0.2.0/24": { ".priv:agg-origin": null },
        "agg-netmap.pid:pid-metro": { ".priv:agg-origin": "peer-a" }
      }
    }"#;
    let resp: PropertyMapDoc = roundtrip_same(resp);
    // `null` blocks inheritance (RFC 9240 §6.1.3) and must survive.
    assert!(resp.property_map["ipv4:192.0.2.0/24"][".priv:agg-origin"].is_null());
}

const IRD: &str = r#"{
  "meta": {
    "cost-types": {
      "num-rc":  { "cost-mode": "numerical", "cost-metric": "routingcost" },
      "ord-rc":  { "cost-mode": "ordinal",   "cost-metric": "routingcost" },
      "num-owd": { "cost-mode": "numerical", "cost-metric": "delay-ow",
                   "description": "one-way delay in microseconds" }
    },
    "default-alto-network-map": "agg-netmap"
  },
  "resources": {
    "agg-netmap": { "uri": "https://alto.example.net/maps/net",
                    "media-type": "application/alto-networkmap+json" },
    "agg-netmap-filter": { "uri": "https://alto.example.net/maps/net/filter",
                           "media-type": "application/alto-networkmap+json",
                           "accepts": "application/alto-networkmapfilter+json",
                           "uses": ["agg-netmap"] },
    "agg-cost-num-rc": { "uri": "https://alto.example.net/maps/cost/num-rc",
                         "media-type": "application/alto-costmap+json",
                         "capabilities": { "cost-type-names": ["num-rc"] },
                         "uses": ["agg-netmap"] },
    "agg-cost-filter": { "uri": "https://alto.example.net/maps/cost/filter",
                         "media-type": "application/alto-costmap+json",
                         "accepts": "application/alto-costmapfilter+json",
                         "capabilities": { "cost-type-names": ["num-rc", "ord-rc", "num-owd"],
                                           "cost-constraints": true },
                         "uses": ["agg-netmap"] },
    "agg-eps": { "uri": "https://alto.example.net/eps",
                 "media-type": "application/alto-endpointprop+json",
                 "accepts": "application/alto-endpointpropparams+json",
                 "capabilities": { "prop-types": ["agg-netmap.pid"] } },
    "agg-ecs": { "uri": "https://alto.example.net/ecs",
                 "media-type": "application/alto-endpointcost+json",
                 "accepts": "application/alto-endpointcostparams+json",
                 "capabilities": { "cost-type-names": ["num-rc", "ord-rc"],
                                   "cost-constraints": true } },
    "agg-propmap": { "uri": "https://alto.example.net/propmap/lookup",
                     "media-type": "application/alto-propmap+json",
                     "accepts": "application/alto-propmapparams+json",
                     "uses": ["agg-netmap"],
                     "capabilities": { "mappings": {
                       "ipv4": ["agg-netmap.pid"],
                       "ipv6": ["agg-netmap.pid"],
                       "agg-netmap.pid": [".priv:agg-origin"] } } },
    "agg-updates": { "uri": "https://alto.example.net/updates",
                     "media-type": "text/event-stream",
                     "accepts": "application/alto-updatestreamparams+json",
                     "uses": ["agg-netmap", "agg-cost-num-rc"],
                     "capabilities": {
                       "incremental-change-media-types": {
                         "agg-netmap": "application/json-patch+json",
                         "agg-cost-num-rc": "application/merge-patch+json" },
                       "support-stream-control": true } },
    "multi": { "uri": "https://alto.example.net/multi",
               "media-type": "application/alto-costmap+json",
               "accepts": "application/alto-costmapfilter+json",
               "capabilities": { "cost-type-names": ["num-rc", "num-owd"], "max-cost-types": 2,
                                 "testable-cost-type-names": ["num-owd"] },
               "uses": ["agg-netmap"] }
  }
}"#;

/// The IRD of alto-protocol.md §7.3 plus a multi-cost entry (RFC 8189 §4.1.1).
pub fn example_ird() -> DirectoryDoc {
    serde_json::from_str(IRD).unwrap()
}

#[test]
fn ird() {
    let ird: DirectoryDoc = roundtrip_same(IRD);
    assert_eq!(
        ird.meta.default_alto_network_map.as_deref(),
        Some("agg-netmap")
    );
    assert_eq!(ird.meta.cost_types.len(), 3);
    let filter = &ird.resources["agg-cost-filter"];
    assert!(filter.is_post() && !ird.resources["agg-netmap"].is_post());
    let caps = filter.capabilities.as_ref().unwrap();
    assert_eq!(caps.cost_type_names.as_ref().unwrap().len(), 3);
    assert_eq!(caps.cost_constraints, Some(true));
    let updates = ird.resources["agg-updates"].capabilities.as_ref().unwrap();
    assert_eq!(updates.support_stream_control, Some(true));
    assert_eq!(
        updates
            .incremental_change_media_types
            .as_ref()
            .unwrap()
            .len(),
        2
    );
    let multi = ird.resources["multi"].capabilities.as_ref().unwrap();
    assert_eq!(multi.max_cost_types, Some(2));
}

#[test]
fn ird_legacy_properties_capability_is_read_as_prop_types() {
    let json = r#"{ "meta": {}, "resources": { "legacy-eps": {
        "uri": "/eps", "media-type": "application/alto-endpointprop+json",
        "accepts": "application/alto-endpointpropparams+json",
        "capabilities": { "properties": ["netmap.pid"] } } } }"#;
    let expected = json!({ "meta": {}, "resources": { "legacy-eps": {
        "uri": "/eps", "media-type": "application/alto-endpointprop+json",
        "accepts": "application/alto-endpointpropparams+json",
        "capabilities": { "prop-types": ["netmap.pid"] } } } });
    let ird: DirectoryDoc = roundtrip(json, &expected);
    let caps = ird.resources["legacy-eps"].capabilities.as_ref().unwrap();
    assert_eq!(caps.prop_types.as_deref().unwrap(), ["netmap.pid"]);
    // Both spellings at once: the RFC 7285 one wins, no duplicate-field error.
    let both = r#"{"resources":{"e":{"uri":"/e","media-type":"x","capabilities":
        {"prop-types":["a.pid"],"properties":["b.pid"]}}}}"#;
    let ird: DirectoryDoc = serde_json::from_str(both).unwrap();
    let caps = ird.resources["e"].capabilities.as_ref().unwrap();
    assert_eq!(caps.prop_types.as_deref().unwrap(), ["a.pid"]);
}

#[test]
fn error_docs() {
    let doc = ErrorDoc::invalid_field_value("cost-type/cost-mode", "cardinal");
    let json = r#"{ "meta": { "code": "E_INVALID_FIELD_VALUE", "field": "cost-type/cost-mode",
                              "value": "cardinal" } }"#;
    assert_eq!(roundtrip_same::<ErrorDoc>(json), doc);
    let doc = ErrorDoc::missing_field("cost-type/cost-metric");
    let json = r#"{"meta":{"code":"E_MISSING_FIELD","field":"cost-type/cost-metric"}}"#;
    assert_eq!(roundtrip_same::<ErrorDoc>(json), doc);
    let doc = ErrorDoc::invalid_field_type("pids/srcs");
    let json = r#"{"meta":{"code":"E_INVALID_FIELD_TYPE","field":"pids/srcs"}}"#;
    assert_eq!(roundtrip_same::<ErrorDoc>(json), doc);
    let doc = ErrorDoc::syntax(Some("line 1, column 7".to_owned()));
    let json = r#"{"meta":{"code":"E_SYNTAX","syntax-error":"line 1, column 7"}}"#;
    assert_eq!(roundtrip_same::<ErrorDoc>(json), doc);
    assert_eq!(doc.meta.syntax_error(), Some("line 1, column 7"));
    let bare = roundtrip_same::<ErrorDoc>(r#"{"meta":{"code":"E_SYNTAX"}}"#);
    assert_eq!(bare, ErrorDoc::syntax(None));
    assert_eq!(bare, ErrorDoc::new(ErrorCode::Syntax));
    assert_eq!(bare.meta.field(), None);
    assert_eq!(bare.meta.value(), None);
}

#[test]
fn error_docs_from_peers_are_read_liberally() {
    // RFC 8895 §7.6 sends an array as `value`; unknown codes and members are kept / ignored.
    let json = r#"{"meta":{"code":"E_INVALID_FIELD_VALUE","field":"remove","value":["rc", "x"],
        "extra":1}}"#;
    let doc: ErrorDoc = serde_json::from_str(json).unwrap();
    assert_eq!(doc.meta.code(), &ErrorCode::InvalidFieldValue);
    assert_eq!(doc.meta.value(), Some(r#"["rc","x"]"#));
    let doc: ErrorDoc =
        serde_json::from_str(r#"{"meta":{"code":"E_NOT_FOUND","field":"f","value":42}}"#).unwrap();
    assert_eq!(doc.meta.code(), &ErrorCode::Other("E_NOT_FOUND".to_owned()));
    assert_eq!(doc.meta.code().to_string(), "E_NOT_FOUND");
    assert_eq!(doc.meta.value(), Some("42"));
    let out = serde_json::to_value(&doc).unwrap();
    assert_eq!(
        out,
        json!({"meta":{"code":"E_NOT_FOUND","field":"f","value":"42"}})
    );
}

#[test]
fn request_objects_are_not_read_from_arrays_and_cost_modes_only_from_strings() {
    use altofed_model::{CostMapFilter, CostType};
    let err = |text: &str| {
        serde_json::from_str::<CostMapFilter>(text)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err(r#"{"cost-type": ["routingcost", "numerical"]}"#),
        "invalid type: sequence, expected a JSON object at line 1 column 14"
    );
    assert_eq!(
        err(r#"[{"cost-mode": "numerical", "cost-metric": "routingcost"}]"#),
        "invalid type: sequence, expected a JSON object at line 1 column 0"
    );
    assert_eq!(
        err(r#"{"cost-type": {"cost-mode": 1, "cost-metric": "routingcost"}}"#),
        "invalid type: integer `1`, expected a cost mode string, `numerical` or `ordinal` at line 1 column 29"
    );
    let ty: CostType = roundtrip_same(r#"{"cost-mode": "ordinal", "cost-metric": "routingcost"}"#);
    assert_eq!(ty.cost_mode.as_str(), "ordinal");
}
