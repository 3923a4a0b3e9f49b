//! Checks on one peer's documents that concern no other peer, made when
//! its maps arrive and before they are composed (`pipeline::compose_peer`),
//! so that a peer's trouble stays that peer's: failing one rejects that
//! peer's new maps only, and nothing that a peer sends can make the merge
//! of every peer's PIDs fail later.
//!
//! - [`check_costs`]: every cost of its cost map is finite and
//!   non-negative. The peer's costs are added into the published
//!   routingcost; a negative one would undercut every real path (and the
//!   ordinal map would rank it first).
//! - [`check_published_names`]: each PID it republishes is a valid PIDName
//!   once published as `<peer>:<pid>` (RFC 7285 §10.1: at most 64
//!   characters), and is not the name of a CDN PID or of the catch-all PID.
//! - [`check_size`]: at most `max-pids` PIDs and `max-prefixes` prefixes.
//! - [`CdnSpace`]: a prefix inside (or equal to) a CDN PID's prefix is
//!   dropped from what the peer publishes: the CDN's own addresses always
//!   map to CDN PIDs.

use std::collections::{BTreeMap, HashMap};

use altofed_model::{validate_pid_name, CostTable, EndpointAddrGroup, NameError};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use thiserror::Error;

use crate::output::published_name;

mod size;
use crate::topology::CdnPid;
pub use size::{check_size, SizeLimits};

/// Prefixes named one by one in the warning about dropped prefixes.
const NAMED_DROPS: usize = 10;

/// Why a peer's new maps are rejected.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum PeerCheckError {
    #[error("peer `{peer}`: cost {value} for `{src}` -> `{dst}` is negative; the peer's costs are added into the published routingcost and must be non-negative")]
    NegativeCost {
        peer: String,
        src: String,
        dst: String,
        value: f64,
    },
    #[error("peer `{peer}`: cost {value} for `{src}` -> `{dst}` is not a finite number")]
    NonFiniteCost {
        peer: String,
        src: String,
        dst: String,
        value: f64,
    },
    #[error("peer `{peer}`: PID `{pid}` cannot be published as `{published}`: {error}")]
    PidName {
        peer: String,
        pid: String,
        published: String,
        error: NameError,
    },
    #[error("peer `{peer}`: {count} {what}, more than the limit of {limit} (peer.{key})")]
    TooLarge {
        peer: String,
        what: &'static str,
        count: usize,
        limit: usize,
        key: &'static str,
    },
    #[error(
        "peer `{peer}`: PID `{pid}` would be published as `{published}`, which is already {owner}"
    )]
    NameTaken {
        peer: String,
        pid: String,
        published: String,
        owner: &'static str,
    },
}

/// Every cost of `table` finite and non-negative; the error names the
/// first pair that is not.
pub fn check_costs(peer: &str, table: &CostTable) -> Result<(), PeerCheckError> {
    if table.costs().all(|c| c.is_finite() && c >= 0.0) {
        return Ok(());
    }
    let names = table.names();
    for (r, &src) in table.sources().iter().enumerate() {
        let Some((&dst, &value)) = (table.row_segments(r))
            .flat_map(|(dsts, costs)| dsts.iter().zip(costs))
            .find(|(_, c)| !(c.is_finite() && **c >= 0.0))
        else {
            continue;
        };
        let (peer, src, dst) = (
            peer.to_owned(),
            names[src as usize].to_string(),
            names[dst as usize].to_string(),
        );
        return Err(if value.is_finite() {
            PeerCheckError::NegativeCost {
                peer,
                src,
                dst,
                value,
            }
        } else {
            PeerCheckError::NonFiniteCost {
                peer,
                src,
                dst,
                value,
            }
        });
    }
    Ok(())
}

/// Each of `subscribers` valid once published as `<peer>:<pid>`, and not
/// the name of one of `cdn` or of `catch_all`.
pub fn check_published_names(
    peer: &str,
    subscribers: &[String],
    cdn: &[CdnPid],
    catch_all: &str,
) -> Result<(), PeerCheckError> {
    for pid in subscribers {
        let published = published_name(peer, pid);
        let err = |published: String| (peer.to_owned(), pid.clone(), published);
        if let Err(error) = validate_pid_name(&published) {
            let (peer, pid, published) = err(published);
            return Err(PeerCheckError::PidName {
                peer,
                pid,
                published,
                error,
            });
        }
        let owner = if published == catch_all {
            Some("the catch-all PID (output.catch-all-pid)")
        } else if cdn.iter().any(|c| c.name == published) {
            Some("a CDN PID of the topology")
        } else {
            None
        };
        if let Some(owner) = owner {
            let (peer, pid, published) = err(published);
            return Err(PeerCheckError::NameTaken {
                peer,
                pid,
                published,
                owner,
            });
        }
    }
    Ok(())
}

/// The CDN's own address space: every prefix of its PIDs (catch-alls
/// excepted, as the merge ignores them).
#[derive(Debug, Clone, Default)]
pub struct CdnSpace {
    /// Prefix -> the CDN PID holding it.
    prefixes: HashMap<IpNet, String>,
    /// The prefix lengths in `prefixes`, per family: a peer prefix is
    /// looked up truncated to each, not compared with every CDN prefix.
    v4_lens: Vec<u8>,
    v6_lens: Vec<u8>,
}

impl CdnSpace {
    pub fn new(pids: &[CdnPid]) -> Self {
        let mut space = CdnSpace::default();
        for pid in pids {
            for net in pid.prefixes.prefixes().filter(|n| n.prefix_len() > 0) {
                let lens = match net {
                    IpNet::V4(_) => &mut space.v4_lens,
                    IpNet::V6(_) => &mut space.v6_lens,
                };
                if !lens.contains(&net.prefix_len()) {
                    lens.push(net.prefix_len());
                }
                space
                    .prefixes
                    .entry(net)
                    .or_insert_with(|| pid.name.clone());
            }
        }
        space
    }

    /// The CDN PID whose prefix holds `net` (equal or wider), if any.
    pub fn holder(&self, net: IpNet) -> Option<&str> {
        let lens = match net {
            IpNet::V4(_) => &self.v4_lens,
            IpNet::V6(_) => &self.v6_lens,
        };
        lens.iter()
            .filter(|&&len| len <= net.prefix_len())
            .filter_map(|&len| truncate(net, len))
            .find_map(|wider| self.prefixes.get(&wider).map(String::as_str))
    }

    /// `group` without the prefixes the CDN holds, with those dropped;
    /// `None` when it keeps every prefix.
    pub fn trim(&self, group: &EndpointAddrGroup) -> Option<(EndpointAddrGroup, Vec<IpNet>)> {
        if group.prefixes().all(|n| self.holder(n).is_none()) {
            return None;
        }
        let mut kept = EndpointAddrGroup::default();
        let mut dropped = Vec::new();
        for net in group.prefixes() {
            match (self.holder(net), net) {
                (Some(_), _) => dropped.push(net),
                (None, IpNet::V4(n)) => kept.ipv4.push(n),
                (None, IpNet::V6(n)) => kept.ipv6.push(n),
            }
        }
        Some((kept, dropped))
    }
}

fn truncate(net: IpNet, len: u8) -> Option<IpNet> {
    Some(match net {
        IpNet::V4(n) => IpNet::V4(Ipv4Net::new(n.network(), len).ok()?.trunc()),
        IpNet::V6(n) => IpNet::V6(Ipv6Net::new(n.network(), len).ok()?.trunc()),
    })
}

/// The groups of `subscribers` (from `network_map`) that lose prefixes to
/// the CDN's space, trimmed, and one warning naming the peer and what was
/// dropped (`None` when nothing was).
pub fn trim_subscribers(
    peer: &str,
    space: &CdnSpace,
    subscribers: &[String],
    network_map: &BTreeMap<String, EndpointAddrGroup>,
) -> (BTreeMap<String, EndpointAddrGroup>, Option<String>) {
    let mut trimmed = BTreeMap::new();
    let mut named = Vec::new();
    let mut count = 0usize;
    for pid in subscribers {
        let Some((kept, dropped)) = network_map.get(pid).and_then(|g| space.trim(g)) else {
            continue;
        };
        count += dropped.len();
        for net in dropped {
            if named.len() < NAMED_DROPS {
                let holder = space.holder(net).unwrap_or_default();
                named.push(format!("{net} (PID `{pid}`, inside CDN PID `{holder}`)"));
            }
        }
        trimmed.insert(pid.clone(), kept);
    }
    if count == 0 {
        return (trimmed, None);
    }
    let more = count - named.len();
    let more = if more > 0 {
        format!(", and {more} more")
    } else {
        String::new()
    };
    let warning = format!(
        "peer `{peer}`: {count} prefix(es) inside the CDN's own PIDs dropped (the CDN's addresses stay with its PIDs): {}{more}",
        named.join(", ")
    );
    (trimmed, Some(warning))
}

#[cfg(test)]
mod tests;
