//! The merged network map of the last computation, kept so that the next
//! one can skip merging and validating it again when its inputs are the
//! same: the usual case, since a peer's costs change far more often than
//! its PIDs. Merging a production-sized map (17k PIDs, 250k prefixes) costs
//! more than composing one peer.

use std::sync::Arc;

use altofed_model::validate::validate_network_map;
use altofed_model::{EndpointAddrGroup, NetworkMapDoc};

use super::blocks::TableCache;
use super::props::PropertyCache;
use super::ComputeError;
use crate::output::{merge_network_map, OutputError, PeerPids, PublishedPid};
use crate::topology::CdnPid;

/// What the merge reads of one peer, written out by [`peer_input`]: its
/// subscribers in column order, each with the address group it is
/// published with. Written once per composition (kept in
/// [`PeerColumns`](super::PeerColumns)), so that a publish compares the
/// changed peer's alone, and the others by pointer.
pub type PeerMergeInput = Arc<[u8]>;

/// What a merge reads: equal keys, equal merges. A few bytes per PID,
/// where holding a copy of every name and address group would cost a
/// hundred.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct MergeKey {
    /// The catch-all PID's name and the CDN PIDs, written out.
    head: Vec<u8>,
    /// Each configured peer's name, priority and [`PeerMergeInput`].
    peers: Vec<PeerKey>,
}

#[derive(Debug, Clone)]
struct PeerKey {
    name: String,
    priority: i64,
    pids: PeerMergeInput,
}

impl PartialEq for PeerKey {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.priority == other.priority
            && (Arc::ptr_eq(&self.pids, &other.pids) || self.pids == other.pids)
    }
}

impl MergeKey {
    /// The key of a merge of `cdn`'s PIDs, the catch-all and `peers`
    /// (name, priority, input; `None` for a peer that publishes nothing).
    pub(super) fn new<'a>(
        catch_all: &str,
        cdn: &[CdnPid],
        peers: impl Iterator<Item = (&'a str, i64, Option<&'a PeerMergeInput>)>,
    ) -> Self {
        let mut head = Vec::new();
        put_str(&mut head, catch_all);
        put_len(&mut head, cdn.len());
        for pid in cdn {
            put_pid(&mut head, &pid.name, Some(&pid.prefixes));
        }
        let none = peer_input(std::iter::empty());
        let peers = peers
            .map(|(name, priority, pids)| PeerKey {
                name: name.to_owned(),
                priority,
                pids: pids.unwrap_or(&none).clone(),
            })
            .collect();
        Self { head, peers }
    }
}

/// One peer's [`PeerMergeInput`]: every subscriber, in column order, with
/// its group (or none). Equal inputs, equal subscriber lists: the columns
/// of a peer's PIDs stay where the last merge found them.
pub(super) fn peer_input<'a>(
    subscribers: impl ExactSizeIterator<Item = (&'a str, Option<&'a EndpointAddrGroup>)>,
) -> PeerMergeInput {
    let mut out = Vec::new();
    put_len(&mut out, subscribers.len());
    for (name, group) in subscribers {
        put_pid(&mut out, name, group);
    }
    out.into()
}

/// The last merge and its result. `Default` is empty: the first use merges.
#[derive(Debug, Clone, Default)]
pub struct MergeCache {
    last: Option<(MergeKey, Merged)>,
    /// The last published table's blocks (kept here because it is what
    /// the engine holds between assembles).
    pub(super) table: TableCache,
    /// The last property map, for the same reason.
    pub(super) props: PropertyCache,
}

/// A merged and validated network map.
#[derive(Debug, Clone)]
pub(super) struct Merged {
    /// Names and origins; their prefixes are in `network_map` (taken out
    /// by the `to_doc` of [`MergeCache::merge`]).
    pub pids: Vec<PublishedPid>,
    pub warnings: Vec<String>,
    /// Shared with what is computed (and published) from it; a new `Arc`
    /// per merge, so that it also names the merge (see [`TableCache`]).
    pub network_map: Arc<NetworkMapDoc>,
}

impl MergeCache {
    /// The merge of what `key` was made of: the last one if the key is
    /// equal, else a new one of `cdn` and `peers()`, turned into a document
    /// by `to_doc` (which may take the PIDs' prefixes) and validated.
    pub(super) fn merge<'p>(
        &mut self,
        key: MergeKey,
        catch_all: &str,
        cdn: &[CdnPid],
        peers: impl FnOnce() -> Vec<PeerPids<'p>>,
        to_doc: impl FnOnce(&mut [PublishedPid]) -> NetworkMapDoc,
    ) -> Result<&Merged, ComputeError> {
        match self.last.take() {
            Some((last, merged)) if last == key => Ok(&self.last.insert((last, merged)).1),
            _ => {
                let mut merged = merge_network_map(catch_all, cdn, &peers())?;
                let network_map = to_doc(&mut merged.pids);
                validate_network_map(&network_map).map_err(|e| OutputError::Invalid {
                    document: "network map",
                    reason: e.to_string(),
                })?;
                merged.pids.shrink_to_fit();
                // In name order, as the cost table wants them: sorted once
                // per merge, not on every publish.
                merged.pids.sort_unstable_by(|a, b| a.name.cmp(&b.name));
                let merged = Merged {
                    pids: merged.pids,
                    warnings: merged.warnings,
                    network_map: Arc::new(network_map),
                };
                Ok(&self.last.insert((key, merged)).1)
            }
        }
    }
}

fn put_len(out: &mut Vec<u8>, len: usize) {
    out.extend_from_slice(&(len as u64).to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_len(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

/// A name and its group, or a marker where it has none.
fn put_pid(out: &mut Vec<u8>, name: &str, group: Option<&EndpointAddrGroup>) {
    put_str(out, name);
    let Some(group) = group else {
        out.push(0);
        return;
    };
    out.push(1);
    put_len(out, group.ipv4.len());
    for net in &group.ipv4 {
        out.extend_from_slice(&net.addr().octets());
        out.push(net.prefix_len());
    }
    put_len(out, group.ipv6.len());
    for net in &group.ipv6 {
        out.extend_from_slice(&net.addr().octets());
        out.push(net.prefix_len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(nets: &[&str]) -> EndpointAddrGroup {
        let mut g = EndpointAddrGroup::default();
        for n in nets {
            match n.parse() {
                Ok(ipnet::IpNet::V4(v4)) => g.ipv4.push(v4),
                Ok(ipnet::IpNet::V6(v6)) => g.ipv6.push(v6),
                Err(e) => panic!("{n}: {e}"),
            }
        }
        g
    }

    type Peer<'a> = (&'a str, i64, Vec<(&'a str, Option<&'a EndpointAddrGroup>)>);

    /// The key as `assemble_with` makes it, each peer's input written anew
    /// (so that equal keys are equal by content, not by pointer).
    fn key(catch_all: &str, cdn: &[CdnPid], peers: &[Peer<'_>]) -> MergeKey {
        let inputs: Vec<PeerMergeInput> = (peers.iter())
            .map(|(_, _, pids)| peer_input(pids.iter().copied()))
            .collect();
        let peers = (peers.iter().zip(&inputs)).map(|((name, p, _), i)| (*name, *p, Some(i)));
        MergeKey::new(catch_all, cdn, peers)
    }

    #[test]
    fn keys_are_equal_exactly_when_what_the_merge_reads_is() {
        let cdn = [CdnPid {
            name: "cdn1".into(),
            prefixes: group(&["203.0.113.0/24"]),
            attachments: Vec::new(),
        }];
        let (a, b) = (
            group(&["10.0.0.0/8"]),
            group(&["10.0.0.0/9", "2001:db8::/32"]),
        );
        let base: [Peer<'_>; 1] = [("isp-a", 0, vec![("p1", Some(&a)), ("p2", Some(&b))])];
        let of = |peers: &[Peer<'_>]| key("default", &cdn, peers);
        assert_eq!(of(&base), of(&base.clone()));
        let other_group = group(&["10.0.0.0/9", "2001:db8::/33"]);
        for changed in [
            [("isp-b", 0, vec![("p1", Some(&a)), ("p2", Some(&b))])],
            [("isp-a", 1, vec![("p1", Some(&a)), ("p2", Some(&b))])],
            [("isp-a", 0, vec![("p1", Some(&a)), ("p3", Some(&b))])],
            [(
                "isp-a",
                0,
                vec![("p1", Some(&a)), ("p2", Some(&other_group))],
            )],
            [("isp-a", 0, vec![("p1", Some(&a))])],
            // A subscriber without a group still holds a column.
            [(
                "isp-a",
                0,
                vec![("p0", None), ("p1", Some(&a)), ("p2", Some(&b))],
            )],
            // The same bytes split differently between name and list.
            [("isp-a", 0, vec![("p1", Some(&a)), ("p", Some(&b))])],
        ] {
            assert_ne!(of(&base), of(&changed), "{:?}", changed[0].2);
        }
        assert_ne!(of(&base), key("other", &cdn, &base));
        assert_ne!(of(&base), key("default", &[], &base));
        // A peer with nothing to publish merges as one with no subscribers.
        let silent = MergeKey::new("default", &cdn, [("isp-a", 0, None)].into_iter());
        assert_eq!(silent, of(&[("isp-a", 0, vec![])]));
    }
}
