//! Third-party documents from e_alto (Apache-2.0, see
//! tests/data/alto-interop/README.md): they must parse, and the facts we
//! read from them must match the files.

use std::net::IpAddr;

use altofed_model::{
    validate_cost_map, validate_endpoint_property_name, validate_network_map,
    validate_network_map_complete, Cost, CostMapDoc, CostMode, EndpointCostDoc,
    EndpointCostRequest, EndpointPropDoc, NetworkMapDoc, PidLookup, TypedEndpointAddr, VersionTag,
};

macro_rules! data {
    ($path:literal) => {
        include_str!(concat!("../data/alto-interop/", $path))
    };
}

fn netmap(json: &str) -> NetworkMapDoc {
    serde_json::from_str(json).unwrap()
}

fn costmap(json: &str) -> CostMapDoc {
    serde_json::from_str(json).unwrap()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn default_network_map() {
    let doc = netmap(data!("default-map.json"));
    assert_eq!(
        doc,
        netmap(data!("interop-ietf93/default-network-map.json"))
    );
    assert_eq!(
        doc.meta.vtag,
        VersionTag::new("my-default-network-map", "initial")
    );
    assert_eq!(doc.network_map.len(), 13);
    assert_eq!(doc.network_map["mine1a"].ipv4.len(), 3);
    // `2001:DB8:0000::/33` and `::0/0` are parsed semantically.
    assert_eq!(
        doc.network_map["peer1"].ipv6[0],
        "2001:db8::/33".parse().unwrap()
    );
    assert_eq!(doc.network_map["default"].ipv6[0], "::/0".parse().unwrap());
    validate_network_map(&doc).unwrap();
    validate_network_map_complete(&doc).unwrap();

    let lpm = PidLookup::build(&doc.network_map).unwrap();
    let cases = [
        ("100.0.1.5", "mine1a"),
        ("100.0.2.1", "mine1"),
        ("100.64.0.1", "mine2"),
        ("100.200.0.1", "mine"),
        ("198.51.100.1", "default"),
        ("172.20.0.1", "private"),
        ("2001:db8:8000::1", "peer2"),
        ("2001:db8:7fff::1", "peer1"),
        ("::1", "loopback"),
        ("2001:db9::1", "default"),
    ];
    for (addr, pid) in cases {
        assert_eq!(lpm.lookup(ip(addr)), Some(pid), "{addr}");
    }
}

#[test]
fn alt_network_map() {
    let doc = netmap(data!("interop-ietf93/alt-networkmap.json"));
    assert_eq!(doc.network_map.len(), 12);
    assert_eq!(
        doc.network_map["linklocal"].ipv6[0],
        "ff80::/10".parse().unwrap()
    );
    validate_network_map(&doc).unwrap();
    let lpm = PidLookup::build(&doc.network_map).unwrap();
    assert_eq!(lpm.lookup(ip("203.0.113.9")), Some("user3"));
    assert_eq!(lpm.lookup(ip("100.0.0.1")), Some("default"));
}

#[test]
fn cost_maps() {
    let net = netmap(data!("default-map.json"));
    let alt = netmap(data!("interop-ietf93/alt-networkmap.json"));

    let d = costmap(data!("default-costmap.json"));
    assert_eq!(d.cost_map.len(), 13);
    assert_eq!(d.cost_map["mine1"]["mine2"], Cost(5.5));
    // Not a full matrix: undefined pairs stay absent.
    assert!(!d.cost_map["default"].contains_key("peer1"));
    assert_eq!(d.cost_map["linklocal"].len(), 1);
    validate_cost_map(&d, Some(&net)).unwrap();

    let rc = costmap(data!("interop-ietf93/routingcost-costmap.json"));
    assert_eq!(rc.cost_map["mine1"]["mine2"], Cost(6.5));
    assert_eq!(rc.meta.cost_type.cost_metric, "routingcost");
    validate_cost_map(&rc, Some(&net)).unwrap();

    let hc = costmap(data!("interop-ietf93/hopcount-costmap.json"));
    assert_eq!(hc.meta.cost_type.cost_metric, "hopcount");
    assert_eq!(hc.meta.cost_type.cost_mode, CostMode::Numerical);
    assert_eq!(hc.cost_map["mine1a"]["tran1"], Cost(6.0));
    validate_cost_map(&hc, Some(&net)).unwrap();

    let arc = costmap(data!("interop-ietf93/alt-routingcost-costmap.json"));
    assert_eq!(arc.cost_map["dc1"]["user4"], Cost(25.0));
    assert_eq!(arc.meta.dependent_vtags[0].resource_id, "alt-network-map");
    validate_cost_map(&arc, Some(&alt)).unwrap();
    // A cost map checked against the wrong network map is rejected.
    assert!(validate_cost_map(&arc, Some(&net)).is_err());

    let ahc = costmap(data!("interop-ietf93/alt-hopcount-costmap.json"));
    let total: usize = ahc.cost_map.values().map(|r| r.len()).sum();
    assert_eq!(total, 4 * 9 + 4 + 3 + 4 * 5);
    validate_cost_map(&ahc, Some(&alt)).unwrap();
}

#[test]
fn endpoint_properties_agree_with_lpm_on_both_maps() {
    let eps: EndpointPropDoc = serde_json::from_str(data!("ep_set1.json")).unwrap();
    assert_eq!(eps.endpoint_properties.len(), 5);
    assert_eq!(eps.meta.dependent_vtags[0].tag, "initial");
    let def = PidLookup::build(&netmap(data!("default-map.json")).network_map).unwrap();
    let alt = PidLookup::build(&netmap(data!("interop-ietf93/alt-networkmap.json")).network_map);
    let alt = alt.unwrap();
    for (endpoint, props) in &eps.endpoint_properties {
        let addr = TypedEndpointAddr::parse(endpoint).unwrap().0;
        assert_eq!(def.lookup(addr), props["def.pid"].as_str(), "{endpoint}");
        assert_eq!(alt.lookup(addr), props["alt.pid"].as_str(), "{endpoint}");
        for name in props.keys() {
            validate_endpoint_property_name(name).unwrap();
        }
    }
    assert_eq!(
        eps.endpoint_properties["ipv4:100.0.0.1"]["priv:ietf-type"],
        "mine"
    );
}

#[test]
fn endpoint_cost_response_and_requests() {
    let ecs: EndpointCostDoc = serde_json::from_str(data!("epcs_set1.json")).unwrap();
    assert_eq!(ecs.meta.cost_type.cost_metric, "routingcost");
    assert_eq!(ecs.endpoint_cost_map.len(), 2);
    assert_eq!(
        ecs.endpoint_cost_map["ipv4:100.0.0.128"]["ipv4:100.0.2.100"],
        Cost(2.5)
    );
    assert_eq!(
        ecs.endpoint_cost_map["ipv4:100.131.39.11"]["ipv4:100.0.1.100"],
        Cost(9.0)
    );

    let r1: EndpointCostRequest =
        serde_json::from_str(data!("interop-ietf93/epcs_req1.json")).unwrap();
    let srcs: Vec<TypedEndpointAddr> = r1
        .endpoints
        .srcs()
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(
        srcs,
        [
            TypedEndpointAddr(ip("127.0.0.1")),
            TypedEndpointAddr(ip("::1"))
        ]
    );
    assert_eq!(r1.endpoints.dsts(), ["ipv4:127.0.1.0"]);

    let r2: EndpointCostRequest =
        serde_json::from_str(data!("interop-ietf93/epcs_req2.json")).unwrap();
    assert_eq!(
        (r2.endpoints.srcs().len(), r2.endpoints.dsts().len()),
        (2, 7)
    );
    assert!(r2.constraints.is_none());
}
