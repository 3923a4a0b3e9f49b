//! The usual request read by [`ecsparams`] and the same request read by
//! serde give the same answer, byte for byte, and the same errors; and
//! both give what serializing the answer's document gives.

use std::collections::BTreeMap;
use std::path::PathBuf;

use altofed_model::endpoint::{EndpointCostDoc, EndpointCostMeta, EndpointCostRequest};
use altofed_model::{CostTableDoc, NetworkMapDoc, PropertyMapDoc};
use serde_json::{json, Value};

use super::*;
use crate::http::body::parse_body;
use crate::ops::nodes::{PROP_DRAINED, PROP_HEALTH};
use crate::routes::ecsparams;
use crate::snapshot::{build_snapshot, Documents};

fn read<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../topologies/figure5/expected/multipath")
        .join(name);
    let text = std::fs::read(path).unwrap_or_default();
    serde_json::from_slice(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Figure 5, with node 203.0.113.5 (pid8) down and 2001:db8:9::7 (pid9)
/// drained.
fn snapshot() -> Arc<Snapshot> {
    let mut prop: PropertyMapDoc = read("propmap.json");
    let mut node = |entity: &str, key: &str, value: Value| {
        let props = prop.property_map.entry(entity.to_owned()).or_default();
        props.insert(key.to_owned(), value);
    };
    node("ipv4:203.0.113.5", PROP_HEALTH, json!("down"));
    node("ipv6:2001:db8:9::7", PROP_DRAINED, json!(true));
    let network_map: NetworkMapDoc = read("networkmap.json");
    let docs = Documents {
        network_map: network_map.into(),
        cost_maps: vec![
            ("num".into(), read::<CostTableDoc>("costmap.json")),
            ("ord".into(), read::<CostTableDoc>("costmap-ordinal.json")),
        ],
        property_maps: vec![("props".into(), prop)],
    };
    Arc::new(build_snapshot(docs, 1, None).unwrap_or_else(|e| panic!("{e}")))
}

const ASK: Ask = Ask {
    client: SocketAddr::new(IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 70)), 4000),
    max_pairs: 20,
    published: None,
};

type Answer = Result<String, String>;

fn text(result: Result<Vec<u8>, ApiError>) -> Answer {
    result
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .map_err(|e| format!("{e:?}"))
}

/// The answer when the body is read by serde.
fn by_serde(snapshot: &Arc<Snapshot>, body: &str) -> Answer {
    text(
        parse_body::<EndpointCostRequest>(body.as_bytes()).and_then(|request| {
            ASK.plan(snapshot.clone(), request.into())?
                .write(&Cancel::never())
        }),
    )
}

/// The answer when the body is read by [`ecsparams::parse`].
fn by_reader(snapshot: &Arc<Snapshot>, body: &str) -> Option<Answer> {
    let params = ecsparams::parse(body.as_bytes())?;
    let selection = ASK.plan(snapshot.clone(), params);
    Some(text(selection.and_then(|s| s.write(&Cancel::never()))))
}

fn body(mode: &str, srcs: &[&str], dsts: &[&str]) -> String {
    json!({
        "cost-type": {"cost-metric": "routingcost", "cost-mode": mode},
        "endpoints": {"srcs": srcs, "dsts": dsts}
    })
    .to_string()
}

/// Requests the reader takes, answered and refused.
fn usual_bodies() -> Vec<String> {
    let v4 = [
        "ipv4:203.0.113.1",
        "ipv4:203.0.113.65",
        "ipv4:203.0.113.129",
    ];
    let subs = [
        "ipv4:198.51.100.1",
        "ipv6:2001:db8:2::1",
        "IPv4:192.0.2.200",
    ];
    vec![
        body("numerical", &v4, &subs),
        body("ordinal", &v4, &subs),
        // Repeated, unknown to every PID but the catch-all, nodes down.
        body(
            "numerical",
            &["ipv4:203.0.113.1", "ipv4:203.0.113.1", "ipv4:203.0.113.5"],
            &["ipv4:10.0.0.1", "ipv4:198.51.100.1", "ipv6:2001:db8:9::7"],
        ),
        body("numerical", &["ipv6:2001:db8:8::1", "ipv6:2001:DB8:10::1"], &subs),
        body("numerical", &["ipv4:198.51.100.1"], &["ipv4:203.0.113.1"]),
        // The client's own address stands in for an empty list.
        body("numerical", &[], &subs),
        body("numerical", &v4, &[]),
        // Errors.
        body("numerical", &[], &[]),
        body("numerical", &["ipv4:203.0.113.1"], &["ipv4:300.0.0.1"]),
        body("numerical", &["ipv5:1.2.3.4"], &subs),
        body("numerical", &["203.0.113.1"], &subs),
        body("numerical", &[&v4[..], &subs[..]].concat(), &[&v4[..], &subs[..]].concat()),
        r#"{"cost-type":{"cost-metric":"hopcount","cost-mode":"numerical"},"endpoints":{"dsts":["ipv4:1.2.3.4"]}}"#.into(),
    ]
}

#[test]
fn the_reader_and_serde_give_the_same_bytes() {
    let snapshot = snapshot();
    for body in usual_bodies() {
        let fast = by_reader(&snapshot, &body).unwrap_or_else(|| panic!("declined: {body}"));
        assert_eq!(fast, by_serde(&snapshot, &body), "{body}");
    }
}

#[test]
fn other_forms_are_answered_by_serde_alone() {
    let snapshot = snapshot();
    let escaped = r#"{"cost-type":{"cost-metric":"routingcost","cost-mode":"numerical"},"endpoints":{"srcs":["ipv4:203.0.113.\u0031"],"dsts":["ipv4:198.51.100.1"]}}"#;
    let constrained = r#"{"cost-type":{"cost-metric":"routingcost","cost-mode":"numerical"},"constraints":["le 5"],"endpoints":{"srcs":["ipv4:203.0.113.1"],"dsts":["ipv4:198.51.100.1","ipv6:2001:db8:2::1"]}}"#;
    for body in [escaped, constrained] {
        assert!(by_reader(&snapshot, body).is_none(), "{body}");
        let answer = by_serde(&snapshot, body).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            Ok(answer.clone()),
            Ok::<_, String>(expected(&snapshot, body))
        );
    }
}

#[test]
fn answers_are_the_serialized_documents() {
    let snapshot = snapshot();
    for body in usual_bodies() {
        if let Ok(answer) = by_serde(&snapshot, &body) {
            assert_eq!(answer, expected(&snapshot, &body), "{body}");
        }
    }
}

/// The answer as the service wrote it before it wrote its own JSON: the
/// document with costs looked up by PID names, through serde_json.
fn expected(snapshot: &Snapshot, body: &str) -> String {
    let request: EndpointCostRequest = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}"));
    let entry = snapshot
        .cost_map_for(&request.cost_type)
        .unwrap_or_else(|| panic!("no cost map"));
    let own = vec![TypedEndpointAddr(ASK.client.ip()).to_string()];
    let list = |l: &[String]| {
        if l.is_empty() {
            own.clone()
        } else {
            l.to_vec()
        }
    };
    let (srcs, dsts) = (
        list(request.endpoints.srcs()),
        list(request.endpoints.dsts()),
    );
    let nodes = unusable::unusable_nodes(snapshot);
    let pid = |text: &str| {
        let addr = TypedEndpointAddr::parse(text).ok()?.0;
        (!nodes.contains(&addr)).then(|| snapshot.lookup.lookup(addr))?
    };
    let constraints = parse_constraints(request.constraints.as_deref().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e:?}"));
    let mut rows = BTreeMap::new();
    for src in &srcs {
        let mut row = BTreeMap::new();
        for dst in &dsts {
            let cost = pid(src)
                .zip(pid(dst))
                .and_then(|(s, d)| entry.doc.cost_map.get(s, d));
            if let Some(cost) = cost.filter(|c| constraints.iter().all(|x| x.holds(c.0))) {
                row.insert(dst.clone(), cost);
            }
        }
        if !row.is_empty() {
            rows.insert(src.clone(), row);
        }
    }
    let doc = EndpointCostDoc {
        meta: EndpointCostMeta {
            cost_type: entry.doc.meta.cost_type.clone(),
        },
        endpoint_cost_map: rows,
    };
    serde_json::to_string(&doc).unwrap_or_default()
}

/// Requests wider than the costs looked up at once before writing
/// (`GATHER_PAIRS`), by rows of one, a few and many destinations, with
/// sources in no PID, nodes down and pairs without a cost among them.
#[test]
fn wide_requests_are_the_serialized_documents() {
    let snapshot = snapshot();
    let ask = Ask {
        max_pairs: 10_000,
        ..ASK
    };
    let v4 = |net: &str, n: usize, step: usize| -> Vec<String> {
        (0..n)
            .map(|i| format!("ipv4:{net}.{}", i * step % 256))
            .collect()
    };
    let mut mixed = v4("203.0.113", 40, 7);
    mixed.extend(v4("198.51.100", 30, 9));
    mixed.extend(["ipv4:10.0.0.1", "ipv6:2001:db8:2::1", "ipv6:2001:db8:9::7"].map(String::from));
    let shapes = [
        (mixed.clone(), vec!["ipv4:198.51.100.1".to_owned()]),
        (v4("203.0.113", 20, 13), mixed[38..45].to_vec()),
        (mixed[..3].to_vec(), mixed.clone()),
    ];
    for (srcs, dsts) in shapes {
        let (srcs, dsts): (Vec<&str>, Vec<&str>) = (
            srcs.iter().map(String::as_str).collect(),
            dsts.iter().map(String::as_str).collect(),
        );
        let body = body("numerical", &srcs, &dsts);
        let params = ecsparams::parse(body.as_bytes()).unwrap_or_else(|| panic!("declined"));
        let answer = text(
            ask.plan(snapshot.clone(), params)
                .and_then(|s| s.write(&Cancel::never())),
        );
        assert_eq!(answer, Ok(expected(&snapshot, &body)), "{body}");
        assert!(
            answer.is_ok_and(|a| a.matches("ipv4:").count() > 10),
            "{body}"
        );
    }
}
