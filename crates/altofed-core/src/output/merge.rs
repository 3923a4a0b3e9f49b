//! Merging the CDN's PIDs and every peer's subscriber PIDs into one network
//! map that is complete and never holds an identical prefix in two PIDs
//! (RFC 7285 §11.2.2).
//!
//! Policy, in this order:
//! 1. Catch-alls (`0.0.0.0/0`, `::/0`) are taken from every PID and held by
//!    one PID of the aggregator's own (`output.catch-all-pid`), so that the
//!    map is complete whatever the peers publish.
//! 2. A prefix claimed by several PIDs stays with the CDN's PID if one
//!    claims it, else with the peer of highest `priority`, then the peer
//!    listed first, then the PID name first; every prefix given up is
//!    reported.
//! 3. A subscriber PID left without prefixes is not published (reported,
//!    unless it only ever held catch-alls).

use std::collections::BTreeMap;

use altofed_model::{validate_pid_name, EndpointAddrGroup};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use super::{published_name, OutputError};
use crate::topology::CdnPid;

/// Where a published PID comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PidOrigin {
    Cdn,
    Subscriber { peer: usize, isp_pid: String },
    CatchAll,
}

/// One PID of the merged map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedPid {
    pub name: String,
    pub origin: PidOrigin,
    pub prefixes: EndpointAddrGroup,
}

/// The subscriber PIDs one peer contributes, with their prefixes.
#[derive(Debug, Clone)]
pub struct PeerPids<'a> {
    pub name: &'a str,
    pub priority: i64,
    pub pids: Vec<(&'a str, &'a EndpointAddrGroup)>,
}

/// The merged map and what the merge reported.
#[derive(Debug, Clone, Default)]
pub struct MergedMap {
    /// In publication order: catch-all, CDN PIDs, then peers' PIDs.
    pub pids: Vec<PublishedPid>,
    pub warnings: Vec<String>,
}

/// Who wins an identical prefix: lower ranks first.
type Rank = (u8, i64, usize, String);

/// Merges as described in the module documentation.
pub fn merge_network_map(
    catch_all: &str,
    cdn: &[CdnPid],
    peers: &[PeerPids<'_>],
) -> Result<MergedMap, OutputError> {
    let mut candidates = Vec::new();
    candidates.push(candidate(
        catch_all.to_owned(),
        PidOrigin::CatchAll,
        (0, 0, 0, String::new()),
        &catch_all_group(),
    ));
    for pid in cdn {
        candidates.push(candidate(
            pid.name.clone(),
            PidOrigin::Cdn,
            (1, 0, 0, pid.name.clone()),
            &pid.prefixes,
        ));
    }
    for (p, peer) in peers.iter().enumerate() {
        for (isp_pid, group) in &peer.pids {
            let name = published_name(peer.name, isp_pid);
            validate_pid_name(&name).map_err(|error| OutputError::PidName {
                peer: peer.name.to_owned(),
                pid: (*isp_pid).to_owned(),
                published: name.clone(),
                error,
            })?;
            let origin = PidOrigin::Subscriber {
                peer: p,
                isp_pid: (*isp_pid).to_owned(),
            };
            candidates.push(candidate(
                name,
                origin,
                (2, -peer.priority, p, (*isp_pid).to_owned()),
                group,
            ));
        }
    }
    check_unique_names(&candidates)?;
    Ok(resolve(candidates))
}

struct Candidate {
    pid: PublishedPid,
    rank: Rank,
    prefixes: Vec<IpNet>,
}

fn candidate(name: String, origin: PidOrigin, rank: Rank, group: &EndpointAddrGroup) -> Candidate {
    let keep_catch_all = origin == PidOrigin::CatchAll;
    let prefixes = group
        .ipv4
        .iter()
        .map(|n| IpNet::V4(*n))
        .chain(group.ipv6.iter().map(|n| IpNet::V6(*n)))
        .filter(|n| keep_catch_all || n.prefix_len() != 0)
        .collect();
    Candidate {
        pid: PublishedPid {
            name,
            origin,
            prefixes: EndpointAddrGroup::default(),
        },
        rank,
        prefixes,
    }
}

fn catch_all_group() -> EndpointAddrGroup {
    EndpointAddrGroup {
        ipv4: vec![Ipv4Net::default()],
        ipv6: vec![Ipv6Net::default()],
    }
}

fn check_unique_names(candidates: &[Candidate]) -> Result<(), OutputError> {
    let mut seen: BTreeMap<&str, &PidOrigin> = BTreeMap::new();
    for c in candidates {
        if let Some(first) = seen.insert(&c.pid.name, &c.pid.origin) {
            return Err(OutputError::DuplicatePid {
                name: c.pid.name.clone(),
                first: describe(first),
                second: describe(&c.pid.origin),
            });
        }
    }
    Ok(())
}

fn describe(origin: &PidOrigin) -> String {
    match origin {
        PidOrigin::Cdn => "the CDN topology".to_owned(),
        PidOrigin::Subscriber { peer, isp_pid } => format!("peer #{peer} PID `{isp_pid}`"),
        PidOrigin::CatchAll => "output.catch-all-pid".to_owned(),
    }
}

/// Gives every prefix to its best-ranked claimant, then builds the groups.
fn resolve(mut candidates: Vec<Candidate>) -> MergedMap {
    let mut owner: BTreeMap<IpNet, usize> = BTreeMap::new();
    for (i, c) in candidates.iter().enumerate() {
        for prefix in &c.prefixes {
            owner
                .entry(*prefix)
                .and_modify(|o| {
                    if c.rank < candidates[*o].rank {
                        *o = i;
                    }
                })
                .or_insert(i);
        }
    }
    let names: Vec<String> = candidates.iter().map(|c| c.pid.name.clone()).collect();
    let mut warnings = Vec::new();
    for (i, c) in candidates.iter_mut().enumerate() {
        c.prefixes.sort();
        c.prefixes.dedup();
        for prefix in &c.prefixes {
            let o = owner[prefix];
            if o != i {
                warnings.push(format!(
                    "prefix {prefix} of `{}` is also claimed by `{}`, which keeps it",
                    c.pid.name, names[o]
                ));
                continue;
            }
            match prefix {
                IpNet::V4(n) => c.pid.prefixes.ipv4.push(*n),
                IpNet::V6(n) => c.pid.prefixes.ipv6.push(*n),
            }
        }
    }
    let mut merged = MergedMap {
        pids: Vec::new(),
        warnings,
    };
    for c in candidates {
        if c.pid.prefixes.is_empty() && matches!(c.pid.origin, PidOrigin::Subscriber { .. }) {
            // A PID that only held catch-alls (as RFC 7285 §11.2.2 makes most
            // ISPs have) is expected to go; one that lost real prefixes is news.
            if !c.prefixes.is_empty() {
                merged.warnings.push(format!(
                    "PID `{}` holds no prefix after merging and is not published",
                    c.pid.name
                ));
            }
            continue;
        }
        merged.pids.push(c.pid);
    }
    merged
}
