//! The merged network map of the last computation, kept so that the next
//! one can skip merging and validating it again when its inputs are the
//! same: the usual case, since a peer's costs change far more often than
//! its PIDs. Merging a production-sized map (17k PIDs, 250k prefixes) costs
//! more than composing one peer.

use std::sync::Arc;

use altofed_model::validate::validate_network_map;
use altofed_model::{EndpointAddrGroup, NetworkMapDoc};

use super::ComputeError;
use crate::output::{merge_network_map, OutputError, PeerPids, PublishedPid};
use crate::topology::CdnPid;

/// What the merge read: catch-all name, CDN PIDs, each peer's name,
/// priority and subscriber PIDs with their prefixes.
type MergeInputs = (
    String,
    Vec<(String, EndpointAddrGroup)>,
    Vec<(String, i64, Vec<(String, EndpointAddrGroup)>)>,
);

/// The last merge and its result. `Default` is empty: the first use merges.
#[derive(Debug, Clone, Default)]
pub struct MergeCache {
    last: Option<(MergeInputs, Merged)>,
}

/// A merged and validated network map.
#[derive(Debug, Clone)]
pub(super) struct Merged {
    pub pids: Vec<PublishedPid>,
    pub warnings: Vec<String>,
    /// Shared with what is computed (and published) from it.
    pub network_map: Arc<NetworkMapDoc>,
}

impl MergeCache {
    /// The merge of these inputs: the last one if they are equal, else a
    /// new one, merged, turned into a document by `to_doc` and validated.
    pub(super) fn merge(
        &mut self,
        catch_all: &str,
        cdn: &[CdnPid],
        peers: &[PeerPids<'_>],
        to_doc: impl FnOnce(&[PublishedPid]) -> NetworkMapDoc,
    ) -> Result<&Merged, ComputeError> {
        match self.last.take() {
            Some((last, merged)) if same(&last, catch_all, cdn, peers) => {
                Ok(&self.last.insert((last, merged)).1)
            }
            _ => {
                let merged = merge_network_map(catch_all, cdn, peers)?;
                let network_map = to_doc(&merged.pids);
                validate_network_map(&network_map).map_err(|e| OutputError::Invalid {
                    document: "network map",
                    reason: e.to_string(),
                })?;
                let merged = Merged {
                    pids: merged.pids,
                    warnings: merged.warnings,
                    network_map: Arc::new(network_map),
                };
                Ok(&self.last.insert((inputs(catch_all, cdn, peers), merged)).1)
            }
        }
    }
}

/// Whether `last` holds exactly these inputs; compared in place, so that
/// a hit copies nothing.
fn same(last: &MergeInputs, catch_all: &str, cdn: &[CdnPid], peers: &[PeerPids<'_>]) -> bool {
    let (last_catch_all, last_cdn, last_peers) = last;
    let same_pids = |last: &[(String, EndpointAddrGroup)], now: &[(&str, &EndpointAddrGroup)]| {
        last.len() == now.len()
            && last
                .iter()
                .zip(now)
                .all(|((n, g), (m, h))| n == m && g == *h)
    };
    last_catch_all == catch_all
        && last_cdn.len() == cdn.len()
        && last_cdn
            .iter()
            .zip(cdn)
            .all(|((n, g), p)| *n == p.name && *g == p.prefixes)
        && last_peers.len() == peers.len()
        && last_peers
            .iter()
            .zip(peers)
            .all(|((n, priority, pids), p)| {
                n == p.name && *priority == p.priority && same_pids(pids, &p.pids)
            })
}

fn inputs(catch_all: &str, cdn: &[CdnPid], peers: &[PeerPids<'_>]) -> MergeInputs {
    let owned = |pids: &[(&str, &EndpointAddrGroup)]| {
        pids.iter()
            .map(|(n, g)| ((*n).to_owned(), (*g).clone()))
            .collect()
    };
    (
        catch_all.to_owned(),
        cdn.iter()
            .map(|p| (p.name.clone(), p.prefixes.clone()))
            .collect(),
        peers
            .iter()
            .map(|p| (p.name.to_owned(), p.priority, owned(&p.pids)))
            .collect(),
    )
}
