//! Network map and cost map rules (RFC 7285 §11.2.1, §11.2.2, §11.2.3).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;
use rayon::prelude::*;

use super::ValidationError;
use crate::cost::CostMode;
use crate::costmap::{CostMapDoc, CostMapMeta};
use crate::costtable::{CostTable, CostTableDoc};
use crate::name::{validate_cost_metric, validate_pid_name};
use crate::netmap::NetworkMapDoc;
use crate::vtag::VersionTag;

/// Checks the vtag (RFC 7285 §10.3), every PIDName (§10.1), that prefixes
/// have no host bits (RFC 4632 §3.1) and that no prefix is in two PIDs
/// (§11.2.2). Completeness is checked separately by
/// [`validate_network_map_complete`].
pub fn validate_network_map(doc: &NetworkMapDoc) -> Result<(), ValidationError> {
    check_vtag("network map meta.vtag", &doc.meta.vtag)?;
    let mut owner: HashMap<IpNet, &str> = HashMap::new();
    for (pid, group) in &doc.network_map {
        validate_pid_name(pid).map_err(|source| ValidationError::PidName {
            context: "network map",
            source,
        })?;
        for prefix in group.prefixes() {
            if prefix != prefix.trunc() {
                let pid = pid.clone();
                return Err(ValidationError::PrefixHostBits { pid, prefix });
            }
            match owner.insert(prefix, pid) {
                Some(first) if first != pid => {
                    return Err(ValidationError::DuplicatePrefix {
                        prefix,
                        first: first.to_owned(),
                        second: pid.clone(),
                    })
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Checks completeness (RFC 7285 §11.2.2): for each address family that
/// appears in the map, every address lies in some PID's prefix. Reports
/// the lowest uncovered address.
pub fn validate_network_map_complete(doc: &NetworkMapDoc) -> Result<(), ValidationError> {
    let groups = || doc.network_map.values();
    let v4 = groups().flat_map(|g| &g.ipv4);
    let v4: Vec<(u128, u128)> = v4
        .map(|n| {
            (
                u32::from(n.network()).into(),
                u32::from(n.broadcast()).into(),
            )
        })
        .collect();
    let v6 = groups().flat_map(|g| &g.ipv6);
    let v6: Vec<(u128, u128)> = v6
        .map(|n| (u128::from(n.network()), u128::from(n.broadcast())))
        .collect();
    if let Some(gap) = first_gap(v4, u32::MAX.into()) {
        #[allow(clippy::cast_possible_truncation)] // gap <= u32::MAX
        let gap = IpAddr::V4(Ipv4Addr::from(gap as u32));
        return Err(ValidationError::Incomplete { gap });
    }
    if let Some(gap) = first_gap(v6, u128::MAX) {
        let gap = IpAddr::V6(Ipv6Addr::from(gap));
        return Err(ValidationError::Incomplete { gap });
    }
    Ok(())
}

/// Lowest value in `0..=max` outside every inclusive range; `None` when
/// covered or when there are no ranges (family not used).
fn first_gap(mut ranges: Vec<(u128, u128)>, max: u128) -> Option<u128> {
    if ranges.is_empty() {
        return None;
    }
    ranges.sort_unstable();
    let mut next = 0u128; // lowest address not yet known to be covered
    for (start, end) in ranges {
        if start > next {
            return Some(next);
        }
        if end >= max {
            return None;
        }
        next = next.max(end + 1);
    }
    Some(next)
}

/// Checks a cost map before it is published: one valid dependent vtag
/// that matches `network_map` when given (RFC 7285 §11.2.3.6), the vtag
/// when present (§10.3), the cost metric (§10.6), PIDNames (§10.1) and
/// their presence in the network map, finite costs, and non-negative
/// integer ordinal costs (§6.1.2.2).
pub fn validate_cost_map(
    doc: &CostMapDoc,
    network_map: Option<&NetworkMapDoc>,
) -> Result<(), ValidationError> {
    let ordinal = check_cost_meta(&doc.meta, network_map)?;
    for (src, row) in &doc.cost_map {
        check_pid(src, "source", network_map)?;
        for (dst, cost) in row {
            check_pid(dst, "destination", network_map)?;
            check_cost(ordinal, src, dst, cost.0)?;
        }
    }
    Ok(())
}

/// [`validate_cost_map`] for a cost map kept as a [`CostTable`]: the same
/// rules and errors, each PID name checked once rather than once per pair.
pub fn validate_cost_table(
    doc: &CostTableDoc,
    network_map: Option<&NetworkMapDoc>,
) -> Result<(), ValidationError> {
    let ordinal = check_cost_meta(&doc.meta, network_map)?;
    check_table_names(&doc.cost_map, network_map)?;
    check_table_costs(&doc.cost_map, ordinal)
}

/// [`validate_cost_table`] of a table whose names passed it before against
/// this same `network_map` (one that [`CostTable::shares_names`] with a
/// table that did): the meta and the costs are checked, not the names, a
/// pass over every PID that a publish changing one peer's costs need not
/// make again.
pub fn validate_cost_table_costs(
    doc: &CostTableDoc,
    network_map: Option<&NetworkMapDoc>,
) -> Result<(), ValidationError> {
    let ordinal = check_cost_meta(&doc.meta, network_map)?;
    check_table_costs(&doc.cost_map, ordinal)
}

/// Every source, then every destination, is a valid PID name (of
/// `network_map`, if given).
fn check_table_names(
    table: &CostTable,
    network_map: Option<&NetworkMapDoc>,
) -> Result<(), ValidationError> {
    let names = table.names();
    let known = network_map.map(|net| known_pids(names, net));
    let check = |i: usize, role| {
        let net = network_map.zip(known.as_ref()).map(|(net, k)| (net, k[i]));
        check_known_pid(&names[i], role, net)
    };
    let mut is_source = vec![false; names.len()];
    for &s in table.sources() {
        is_source[s as usize] = true;
        check(s as usize, "source")?;
    }
    for (i, _) in is_source.iter().enumerate().filter(|(_, s)| !**s) {
        check(i, "destination")?;
    }
    Ok(())
}

/// Every cost is finite (and, when `ordinal`, a non-negative integer).
fn check_table_costs(table: &CostTable, ordinal: bool) -> Result<(), ValidationError> {
    let names = table.names();
    // A numerical map whose blocks are all finite passes; a block knows
    // that once computed, so a publish that shares blocks with the last one
    // checks only its new blocks.
    if !ordinal && table.blocks().par_iter().all(|b| b.all_finite()) {
        return Ok(());
    }
    // Rows in parallel (a published map has millions of pairs); the error
    // reported is still the first bad pair in row order.
    let row_ok = |(r, &src): (usize, &u32)| {
        table.row_segments(r).try_for_each(|(dsts, costs)| {
            dsts.iter().zip(costs).try_for_each(|(&dst, &cost)| {
                check_cost(ordinal, &names[src as usize], &names[dst as usize], cost)
            })
        })
    };
    let first_bad = (table.sources().par_iter().enumerate())
        .map(row_ok)
        .find_first(Result::is_err);
    first_bad.unwrap_or(Ok(()))
}

/// Checks the meta of a cost map; `true` when its mode is ordinal.
fn check_cost_meta(
    meta: &CostMapMeta,
    network_map: Option<&NetworkMapDoc>,
) -> Result<bool, ValidationError> {
    let deps = &meta.dependent_vtags;
    let [dep] = deps.as_slice() else {
        return Err(ValidationError::DependentVtagCount { count: deps.len() });
    };
    check_vtag("cost map meta.dependent-vtags[0]", dep)?;
    if let Some(net) = network_map {
        if *dep != net.meta.vtag {
            return Err(ValidationError::DependentVtagMismatch {
                found: dep.clone(),
                expected: net.meta.vtag.clone(),
            });
        }
    }
    if let Some(vtag) = &meta.vtag {
        check_vtag("cost map meta.vtag", vtag)?;
    }
    let cost_type = &meta.cost_type;
    validate_cost_metric(&cost_type.cost_metric).map_err(|source| ValidationError::CostMetric {
        context: "cost map meta.cost-type".to_owned(),
        source,
    })?;
    Ok(cost_type.cost_mode == CostMode::Ordinal)
}

/// A cost is finite; an ordinal one a non-negative integer.
fn check_cost(ordinal: bool, src: &str, dst: &str, value: f64) -> Result<(), ValidationError> {
    let pair = || (src.to_owned(), dst.to_owned());
    if !value.is_finite() {
        let (src, dst) = pair();
        return Err(ValidationError::NonFiniteCost { src, dst, value });
    }
    if ordinal && (value < 0.0 || value.fract() != 0.0) {
        let (src, dst) = pair();
        return Err(ValidationError::OrdinalCost { src, dst, value });
    }
    Ok(())
}

fn check_pid(
    pid: &str,
    role: &'static str,
    network_map: Option<&NetworkMapDoc>,
) -> Result<(), ValidationError> {
    let net = network_map.map(|net| (net, net.network_map.contains_key(pid)));
    check_known_pid(pid, role, net)
}

/// Whether each of `names` (sorted and unique, as a table's are) is a PID
/// of `network_map`: one walk along both sorted lists, where a search per
/// name costs ~17,000 string searches per publish.
fn known_pids(names: &[Box<str>], network_map: &NetworkMapDoc) -> Vec<bool> {
    let mut pids = network_map.network_map.keys().peekable();
    (names.iter())
        .map(|name| {
            while pids.next_if(|p| p.as_str() < &**name).is_some() {}
            pids.peek().is_some_and(|p| p.as_str() == &**name)
        })
        .collect()
}

/// [`check_pid`] with the PID's presence in the network map found
/// already: `(network map, present)`.
fn check_known_pid(
    pid: &str,
    role: &'static str,
    network_map: Option<(&NetworkMapDoc, bool)>,
) -> Result<(), ValidationError> {
    validate_pid_name(pid).map_err(|source| ValidationError::PidName {
        context: if role == "source" {
            "cost map source"
        } else {
            "cost map destination"
        },
        source,
    })?;
    match network_map {
        Some((net, false)) => Err(ValidationError::UnknownPid {
            role,
            pid: pid.to_owned(),
            network_map: net.meta.vtag.resource_id.clone(),
        }),
        _ => Ok(()),
    }
}

pub(super) fn check_vtag(member: &str, vtag: &VersionTag) -> Result<(), ValidationError> {
    vtag.validate().map_err(|source| ValidationError::Vtag {
        member: member.to_owned(),
        source,
    })
}
