//! Round trips of map documents and map-filtering requests (RFC 7285 §11.2,
//! §11.3), on examples in documentation address space.

use altofed_model::{
    Constraint, ConstraintOp, Cost, CostMapDoc, CostMapFilter, CostMode, NetworkMapDoc,
    NetworkMapFilter, VersionTag,
};
use serde_json::json;

use crate::{roundtrip, roundtrip_same};

const NETMAP: &str = r#"{
  "meta": { "vtag": { "resource-id": "agg-netmap", "tag": "5f1e0c9a7d3b44e1" } },
  "network-map": {
    "pid-metro": { "ipv4": ["192.0.2.0/24", "198.51.100.0/25"], "ipv6": ["2001:db8:100::/48"] },
    "pid-rest":  { "ipv4": ["0.0.0.0/0"], "ipv6": ["::/0"] }
  }
}"#;

#[test]
fn network_map() {
    let doc: NetworkMapDoc = roundtrip_same(NETMAP);
    assert_eq!(
        doc.meta.vtag,
        VersionTag::new("agg-netmap", "5f1e0c9a7d3b44e1")
    );
    assert_eq!(doc.network_map.len(), 2);
    let metro = &doc.network_map["pid-metro"];
    assert_eq!(metro.ipv4[1], "198.51.100.0/25".parse().unwrap());
    assert_eq!(metro.ipv6[0], "2001:db8:100::/48".parse().unwrap());
}

#[test]
fn network_map_pid_without_addresses_is_written_as_empty_object() {
    let json = r#"{"meta":{"vtag":{"resource-id":"n","tag":"1"}},"network-map":{"empty":{}}}"#;
    let doc: NetworkMapDoc = roundtrip_same(json);
    assert!(doc.network_map["empty"].is_empty());
}

#[test]
fn cost_map_numerical() {
    let json = r#"{
      "meta": {
        "dependent-vtags": [{ "resource-id": "agg-netmap", "tag": "5f1e0c9a7d3b44e1" }],
        "cost-type": { "cost-mode": "numerical", "cost-metric": "routingcost" }
      },
      "cost-map": {
        "pid-metro": { "pid-metro": 1, "pid-rest": 12.5 },
        "pid-rest": { "pid-metro": 12.5 }
      }
    }"#;
    let doc: CostMapDoc = roundtrip_same(json);
    assert_eq!(doc.meta.cost_type.cost_mode, CostMode::Numerical);
    assert_eq!(doc.cost_map["pid-metro"]["pid-rest"], Cost(12.5));
    assert!(!doc.cost_map["pid-rest"].contains_key("pid-rest"));
    assert!(doc.meta.vtag.is_none());
}

#[test]
fn cost_map_ordinal_with_own_vtag_and_description() {
    let json = r#"{
      "meta": {
        "dependent-vtags": [{ "resource-id": "agg-netmap", "tag": "5f1e0c9a7d3b44e1" }],
        "cost-type": { "cost-mode": "ordinal", "cost-metric": "routingcost",
                       "description": "rank" },
        "vtag": { "resource-id": "agg-cost-ord-rc", "tag": "a1" }
      },
      "cost-map": { "pid-metro": { "pid-metro": 1, "pid-rest": 2 }, "pid-rest": { "pid-metro": 2 } }
    }"#;
    let doc: CostMapDoc = roundtrip_same(json);
    assert_eq!(doc.meta.cost_type.cost_mode, CostMode::Ordinal);
    assert_eq!(doc.meta.cost_type.description.as_deref(), Some("rank"));
    assert_eq!(
        doc.meta.vtag,
        Some(VersionTag::new("agg-cost-ord-rc", "a1"))
    );
}

#[test]
fn integral_float_costs_are_written_as_integers() {
    let json = r#"{"meta":{"dependent-vtags":[{"resource-id":"n","tag":"1"}],
      "cost-type":{"cost-mode":"numerical","cost-metric":"routingcost"}},
      "cost-map":{"a":{"a":60.0,"b":6.5}}}"#;
    let expected = json!({"meta":{"dependent-vtags":[{"resource-id":"n","tag":"1"}],
      "cost-type":{"cost-mode":"numerical","cost-metric":"routingcost"}},
      "cost-map":{"a":{"a":60,"b":6.5}}});
    roundtrip::<CostMapDoc>(json, &expected);
}

#[test]
fn network_map_filter() {
    let f: NetworkMapFilter =
        roundtrip_same(r#"{ "pids": ["pid-metro"], "address-types": ["ipv4"] }"#);
    assert_eq!(f.pids, ["pid-metro"]);
    let f: NetworkMapFilter = roundtrip_same(r#"{ "pids": [] }"#);
    assert!(f.pids.is_empty() && f.address_types.is_none());
}

#[test]
fn cost_map_filter() {
    let json = r#"{
      "cost-type": { "cost-mode": "numerical", "cost-metric": "routingcost" },
      "constraints": ["le 10", "gt 0.5"],
      "pids": { "srcs": ["pid-metro"], "dsts": [] }
    }"#;
    let f: CostMapFilter = roundtrip_same(json);
    let pids = f.pids.as_ref().unwrap();
    assert_eq!((pids.srcs.len(), pids.dsts.len()), (1, 0));
    let cs: Vec<Constraint> = f
        .constraints
        .unwrap()
        .iter()
        .map(|c| Constraint::parse(c).unwrap())
        .collect();
    assert_eq!(cs[0].op, ConstraintOp::Le);
    assert_eq!(cs[1].value, 0.5);

    let minimal = r#"{"cost-type":{"cost-mode":"ordinal","cost-metric":"routingcost"}}"#;
    let f: CostMapFilter = roundtrip_same(minimal);
    assert!(f.constraints.is_none() && f.pids.is_none());
}

#[test]
fn constraints_parse_and_hold() {
    let holds = |c: &str, v: f64| Constraint::parse(c).unwrap().holds(v);
    assert!(holds("gt 5", 5.5) && !holds("gt 5", 5.0));
    assert!(holds("lt 5", 4.9) && !holds("lt 5", 5.0));
    assert!(holds("ge 5", 5.0) && !holds("ge 5", 4.9));
    assert!(holds("le 5", 5.0) && !holds("le 5", 5.1));
    assert!(holds("eq 5", 5.0) && !holds("eq 5", 5.1));
    assert!(holds("  le   -1e1 ", -10.0));
    assert_eq!(Constraint::parse("ge 2.5").unwrap().to_string(), "ge 2.5");
}
