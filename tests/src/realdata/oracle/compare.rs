//! Comparing what `altofed compute` wrote with the oracle. Each function
//! returns a list of mismatches (empty = agreement), so a test can also
//! check that a wrong expectation *is* caught.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;
use serde_json::Value;

use super::input::{cost_map_of, network_map_of};

/// Relative tolerance for costs.
pub const TOLERANCE: f64 = 1e-9;

pub fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= TOLERANCE * want.abs().max(1.0)
}

/// Every expected (source, destination) pair with its cost, and no other.
pub fn costs(expected: &BTreeMap<(String, String), f64>, costmap: &Value) -> Vec<String> {
    let mut got = BTreeMap::new();
    for (src, row) in cost_map_of(costmap) {
        for (dst, cost) in row {
            got.insert((src.clone(), dst), cost);
        }
    }
    let mut out = Vec::new();
    for ((src, dst), want) in expected {
        match got.get(&(src.clone(), dst.clone())) {
            None => out.push(format!("{src} -> {dst}: missing, expected {want}")),
            Some(g) if !close(*g, *want) => {
                out.push(format!("{src} -> {dst}: got {g}, expected {want}"))
            }
            Some(_) => {}
        }
    }
    for ((src, dst), g) in &got {
        if !expected.contains_key(&(src.clone(), dst.clone())) {
            out.push(format!("{src} -> {dst}: unexpected cost {g}"));
        }
    }
    out
}

/// The published PIDs and each one's exact prefix set.
pub fn network_map(expected: &BTreeMap<String, BTreeSet<IpNet>>, netmap: &Value) -> Vec<String> {
    let got: BTreeMap<String, BTreeSet<IpNet>> = network_map_of(netmap, "network-map")
        .into_iter()
        .map(|(pid, p)| (pid, p.into_iter().collect()))
        .collect();
    let mut out = Vec::new();
    for pid in expected.keys().chain(got.keys()).collect::<BTreeSet<_>>() {
        match (expected.get(pid), got.get(pid)) {
            (Some(_), None) => out.push(format!("PID {pid}: missing")),
            (None, Some(_)) => out.push(format!("PID {pid}: unexpected")),
            (Some(w), Some(g)) if w != g => {
                let missing: Vec<_> = w.difference(g).collect();
                let extra: Vec<_> = g.difference(w).collect();
                out.push(format!(
                    "PID {pid}: missing {missing:?}, unexpected {extra:?}"
                ));
            }
            _ => {}
        }
    }
    out
}

/// Each prefix in exactly one published PID.
pub fn each_once<'a>(prefixes: impl IntoIterator<Item = &'a IpNet>, netmap: &Value) -> Vec<String> {
    let mut holders: BTreeMap<IpNet, Vec<String>> = BTreeMap::new();
    for (pid, list) in network_map_of(netmap, "network-map") {
        for prefix in list {
            holders.entry(prefix).or_default().push(pid.clone());
        }
    }
    prefixes
        .into_iter()
        .filter_map(|p| match holders.get(p).map(Vec::as_slice) {
            Some([_]) => None,
            other => Some(format!(
                "prefix {p} is published in {other:?}, not in exactly one PID"
            )),
        })
        .collect()
}

/// The ordinal map ranks the numerical one: same pairs, dense ranks from
/// 1 over all values of the map, equal costs sharing a rank.
pub fn ordinal(numerical: &Value, ordinal: &Value) -> Vec<String> {
    let num = cost_map_of(numerical);
    let ord = cost_map_of(ordinal);
    let mut values: Vec<f64> = num.values().flat_map(|r| r.values().copied()).collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    let mut out = Vec::new();
    for (src, row) in &num {
        for (dst, v) in row {
            let rank = values.iter().position(|x| x == v).map(|i| i + 1);
            let got = ord.get(src).and_then(|r| r.get(dst));
            #[allow(clippy::cast_precision_loss)]
            if got.copied() != rank.map(|r| r as f64) {
                out.push(format!(
                    "ordinal {src} -> {dst}: got {got:?}, expected rank {rank:?}"
                ));
            }
        }
    }
    let (n, o) = (
        num.values().map(BTreeMap::len).sum::<usize>(),
        ord.values().map(BTreeMap::len).sum::<usize>(),
    );
    if n != o {
        out.push(format!("ordinal map has {o} entries, the numerical {n}"));
    }
    out
}

/// `.priv:kind` (and, for subscribers, `.priv:origin-peer`/`.priv:origin-pid`)
/// of every published PID; `origins` maps a published PID to its expected
/// properties.
pub fn properties(
    origins: &BTreeMap<String, BTreeMap<&str, String>>,
    netmap_id: &str,
    propmap: &Value,
) -> Vec<String> {
    let rows = propmap["property-map"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    for (pid, want) in origins {
        let entity = format!("{netmap_id}.pid:{pid}");
        let got: BTreeMap<&str, String> = rows
            .get(&entity)
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or("?").to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        if &got != want {
            out.push(format!("{entity}: got {got:?}, expected {want:?}"));
        }
    }
    if rows.len() != origins.len() {
        out.push(format!(
            "property map has {} entities, expected {}",
            rows.len(),
            origins.len()
        ));
    }
    out
}
