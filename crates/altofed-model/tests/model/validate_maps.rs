//! Every network map and cost map ValidationError, with its exact message.

use altofed_model::{
    validate_cost_map, validate_cost_table, validate_network_map, validate_network_map_complete,
    Cost, CostMapDoc, CostMode, CostTableDoc, NetworkMapDoc, VersionTag,
};

fn net() -> NetworkMapDoc {
    serde_json::from_str(
        r#"{"meta":{"vtag":{"resource-id":"agg-netmap","tag":"5f1e"}},"network-map":{
        "pid-metro":{"ipv4":["192.0.2.0/24","198.51.100.0/25"],"ipv6":["2001:db8:100::/48"]},
        "pid-rest":{"ipv4":["0.0.0.0/0"],"ipv6":["::/0"]}}}"#,
    )
    .unwrap()
}

fn cost() -> CostMapDoc {
    serde_json::from_str(
        r#"{"meta":{"dependent-vtags":[{"resource-id":"agg-netmap","tag":"5f1e"}],
        "cost-type":{"cost-mode":"numerical","cost-metric":"routingcost"},
        "vtag":{"resource-id":"agg-cost","tag":"c1"}},
        "cost-map":{"pid-metro":{"pid-metro":1,"pid-rest":12.5},"pid-rest":{"pid-metro":12.5}}}"#,
    )
    .unwrap()
}

fn net_err(doc: &NetworkMapDoc) -> String {
    validate_network_map(doc).unwrap_err().to_string()
}

/// The error of `doc`, which the table form's validator must give too.
fn cost_err(doc: &CostMapDoc, with_net: bool) -> String {
    let n = net();
    let net = with_net.then_some(&n);
    let tree = validate_cost_map(doc, net).unwrap_err().to_string();
    let table = validate_cost_table(&CostTableDoc::from(doc), net).unwrap_err();
    assert_eq!(table.to_string(), tree, "validate_cost_table agrees");
    tree
}

#[test]
fn valid_maps_pass() {
    validate_network_map(&net()).unwrap();
    validate_network_map_complete(&net()).unwrap();
    validate_cost_map(&cost(), None).unwrap();
    validate_cost_map(&cost(), Some(&net())).unwrap();
}

#[test]
fn network_map_vtag() {
    let mut doc = net();
    doc.meta.vtag.tag = String::new();
    assert_eq!(
        net_err(&doc),
        "network map meta.vtag: vtag tag is empty (RFC 7285 §10.3)"
    );
}

#[test]
fn network_map_pid_name() {
    let mut doc = net();
    let g = doc.network_map.remove("pid-rest").unwrap();
    doc.network_map.insert("peer.rest".to_owned(), g);
    assert_eq!(
        net_err(&doc),
        "invalid PID name in network map: name `peer.rest` contains `.`, which is reserved (RFC 7285 §10.1)"
    );
}

#[test]
fn network_map_host_bits() {
    let mut doc = net();
    doc.network_map.get_mut("pid-metro").unwrap().ipv4[0] = "192.0.2.1/24".parse().unwrap();
    assert_eq!(
        net_err(&doc),
        "prefix 192.0.2.1/24 of PID `pid-metro` has host bits set; write 192.0.2.0/24 (RFC 7285 §10.4.4, RFC 4632 §3.1)"
    );
}

#[test]
fn network_map_duplicate_prefix() {
    let mut doc = net();
    let p = "2001:db8:100::/48".parse().unwrap();
    doc.network_map.get_mut("pid-rest").unwrap().ipv6.push(p);
    assert_eq!(
        net_err(&doc),
        "prefix 2001:db8:100::/48 is in PID `pid-metro` and in PID `pid-rest`; a prefix must not be in two PIDs (RFC 7285 §11.2.2)"
    );
    // The same prefix twice in one PID, and nested prefixes, are fine.
    let mut doc = net();
    let metro = doc.network_map.get_mut("pid-metro").unwrap();
    metro.ipv4.push("192.0.2.0/24".parse().unwrap());
    metro.ipv4.push("192.0.2.128/25".parse().unwrap());
    validate_network_map(&doc).unwrap();
}

#[test]
fn network_map_incomplete() {
    let mut doc = net();
    doc.network_map.get_mut("pid-rest").unwrap().ipv4 = vec!["0.0.0.0/1".parse().unwrap()];
    let err = validate_network_map_complete(&doc).unwrap_err().to_string();
    assert_eq!(
        err,
        "ipv4 address 128.0.0.0 is in no PID; a network map must place every address of each address type it uses in some PID (RFC 7285 §11.2.2)"
    );
    let mut doc = net();
    doc.network_map.get_mut("pid-rest").unwrap().ipv6 = vec!["8000::/1".parse().unwrap()];
    let err = validate_network_map_complete(&doc).unwrap_err().to_string();
    assert!(err.starts_with("ipv6 address :: is in no PID"), "{err}");
    // A family nobody uses need not be covered; both halves cover the space.
    let mut doc = net();
    for g in doc.network_map.values_mut() {
        g.ipv6.clear();
    }
    let rest = doc.network_map.get_mut("pid-rest").unwrap();
    rest.ipv4 = vec!["128.0.0.0/1".parse().unwrap(), "0.0.0.0/1".parse().unwrap()];
    validate_network_map_complete(&doc).unwrap();
}

#[test]
fn cost_map_dependent_vtag_count() {
    let mut doc = cost();
    doc.meta.dependent_vtags.push(VersionTag::new("other", "1"));
    assert_eq!(
        cost_err(&doc, false),
        "cost map meta.dependent-vtags has 2 elements; it must hold exactly one, the network map's vtag (RFC 7285 §11.2.3.6)"
    );
    doc.meta.dependent_vtags.clear();
    assert!(cost_err(&doc, false).starts_with("cost map meta.dependent-vtags has 0 elements"));
}

#[test]
fn cost_map_vtags() {
    let mut doc = cost();
    doc.meta.dependent_vtags[0].resource_id = "agg netmap".to_owned();
    assert_eq!(
        cost_err(&doc, false),
        "cost map meta.dependent-vtags[0]: vtag resource-id: name `agg netmap` contains ' '; only ASCII letters, digits, `-`, `:`, `@` and `_` are allowed (RFC 7285 §10.1)"
    );
    let mut doc = cost();
    doc.meta.vtag = Some(VersionTag::new("agg-cost", "tag\u{e9}"));
    assert_eq!(
        cost_err(&doc, false),
        "cost map meta.vtag: vtag tag contains 'é'; only U+0021..U+007E are allowed (RFC 7285 §10.3)"
    );
}

#[test]
fn cost_map_dependent_vtag_mismatch() {
    let mut doc = cost();
    doc.meta.dependent_vtags[0].tag = "old".to_owned();
    assert_eq!(
        cost_err(&doc, true),
        "cost map depends on network map `agg-netmap` tag `old`, but the network map is `agg-netmap` tag `5f1e` (RFC 7285 §11.2.3.6)"
    );
}

#[test]
fn cost_map_metric() {
    let mut doc = cost();
    doc.meta.cost_type.cost_metric = "priv:".to_owned();
    assert_eq!(
        cost_err(&doc, false),
        "cost map meta.cost-type: cost metric `priv:` needs a suffix after the private-use prefix (RFC 7285 §10.6)"
    );
}

#[test]
fn cost_map_pid_names() {
    let mut doc = cost();
    doc.cost_map.insert(String::new(), Default::default());
    assert_eq!(
        cost_err(&doc, false),
        "invalid PID name in cost map source: name is empty (RFC 7285 §10.1)"
    );
    let mut doc = cost();
    doc.cost_map
        .get_mut("pid-rest")
        .unwrap()
        .insert("x/y".to_owned(), Cost(1.0));
    assert_eq!(
        cost_err(&doc, false),
        "invalid PID name in cost map destination: name `x/y` contains '/'; only ASCII letters, digits, `-`, `:`, `@` and `_` are allowed (RFC 7285 §10.1)"
    );
}

#[test]
fn cost_map_unknown_pid() {
    let mut doc = cost();
    doc.cost_map
        .get_mut("pid-rest")
        .unwrap()
        .insert("pid-gone".to_owned(), Cost(1.0));
    validate_cost_map(&doc, None).unwrap();
    assert_eq!(
        cost_err(&doc, true),
        "cost map destination PID `pid-gone` is not in network map `agg-netmap` (RFC 7285 §11.2.3.6)"
    );
    let mut doc = cost();
    doc.cost_map
        .insert("pid-gone".to_owned(), Default::default());
    assert_eq!(
        cost_err(&doc, true),
        "cost map source PID `pid-gone` is not in network map `agg-netmap` (RFC 7285 §11.2.3.6)"
    );
}

#[test]
fn cost_map_ordinal_values() {
    let mut doc = cost();
    doc.meta.cost_type.cost_mode = CostMode::Ordinal;
    assert_eq!(
        cost_err(&doc, false),
        "ordinal cost 12.5 for `pid-metro` -> `pid-rest` is not a non-negative integer (RFC 7285 §6.1.2.2)"
    );
    let row = doc.cost_map.get_mut("pid-metro").unwrap();
    row.insert("pid-rest".to_owned(), Cost(-1.0));
    assert_eq!(
        cost_err(&doc, false),
        "ordinal cost -1 for `pid-metro` -> `pid-rest` is not a non-negative integer (RFC 7285 §6.1.2.2)"
    );
    for row in doc.cost_map.values_mut() {
        row.values_mut().for_each(|c| *c = Cost(2.0));
    }
    validate_cost_map(&doc, Some(&net())).unwrap();
}

#[test]
fn cost_map_non_finite() {
    let mut doc = cost();
    doc.cost_map
        .get_mut("pid-rest")
        .unwrap()
        .insert("pid-rest".to_owned(), Cost(f64::NAN));
    assert_eq!(
        cost_err(&doc, false),
        "cost NaN for `pid-rest` -> `pid-rest` is not a finite number (RFC 7285 §11.2.3.6, RFC 8259 §6)"
    );
}

proptest::proptest! {
    /// The table's validator finds its PIDs in the network map by one walk
    /// along both sorted name lists; it reports what a search per name
    /// would (the first unknown source in row order, else the first
    /// unknown destination) for any names on both sides: before, between
    /// and after the network map's.
    #[test]
    fn the_table_finds_unknown_pids_as_the_tree_does(
        in_net in proptest::collection::btree_set("p[a-f]{0,2}", 0..12),
        pairs in proptest::collection::vec(("p[a-f]{0,2}", "p[a-f]{0,2}"), 0..20),
    ) {
        let mut n = net();
        let group = n.network_map["pid-rest"].clone();
        n.network_map = in_net.iter().map(|p| (p.clone(), group.clone())).collect();
        let mut doc = cost();
        doc.cost_map.clear();
        for (src, dst) in pairs {
            doc.cost_map.entry(src).or_default().insert(dst, Cost(1.0));
        }
        let table = CostTableDoc::from(&doc);
        let names = table.cost_map.names();
        let unknown = |i: &u32| !n.network_map.contains_key(&*names[*i as usize]);
        let sources = table.cost_map.sources();
        let first_source = sources.iter().find(|i| unknown(i));
        let others: Vec<u32> = (0..names.len() as u32).filter(|i| !sources.contains(i)).collect();
        let message = |role, i: &u32| {
            format!("cost map {role} PID `{}` is not in network map `agg-netmap` (RFC 7285 §11.2.3.6)", names[*i as usize])
        };
        let expected = match (first_source, others.iter().find(|i| unknown(i))) {
            (Some(s), _) => Err(message("source", s)),
            (None, Some(d)) => Err(message("destination", d)),
            (None, None) => Ok(()),
        };
        let found = validate_cost_table(&table, Some(&n)).map_err(|e| e.to_string());
        proptest::prop_assert_eq!(found, expected);
    }
}
