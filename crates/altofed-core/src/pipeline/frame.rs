//! What a cost table's layout is made of that only changes with the merge:
//! the published names in order, where each name's column is read from and
//! the blocks' name ranges. Built once per merge (17,000 names: a few ms,
//! most of it looking each subscriber's column up by name) and kept by
//! [`TableCache`](super::blocks::TableCache), so that a one-peer publish
//! does not pass over every name again (issue #16).

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use altofed_model::{CostTable, NetworkMapDoc};

use super::blocks::{block_spans, Source};
use super::merged::Merged;
use super::PeerInput;
use crate::output::PidOrigin;

/// The layout of the tables of one merge.
#[derive(Debug)]
pub(super) struct Frame {
    /// The merge's network map: a new `Arc` per merge, so it names the
    /// merge this frame was made for.
    merge: Arc<NetworkMapDoc>,
    /// The published names, sorted; shared with every table built on them
    /// (see `CostTable::shares_names`).
    pub names: Arc<[Box<str>]>,
    /// Each name's origin, in name order.
    origins: Vec<Origin>,
    /// See [`block_spans`].
    pub spans: Vec<Range<u32>>,
    /// Set once a table on `names` passed validation against `merge`'s
    /// network map: the next tables need their costs checked only.
    names_checked: OnceLock<()>,
}

/// Where a published name's column is read from.
#[derive(Debug, Clone, Copy)]
enum Origin {
    /// A CDN PID: no column (it is a destination of reverse rows only).
    Cdn,
    /// A subscriber: column `.1` of peer `.0`'s columns, if it has one. A
    /// merge is reused only while every peer's subscriber list is the same
    /// (`merged::PeerMergeInput`), so the column stays where it was found
    /// while the peer's columns are composed again.
    Subscriber(Option<(usize, usize)>),
    /// The catch-all PID, whose source is found on every publish (the PID
    /// holding `0.0.0.0/0` need not be a subscriber: the merge does not
    /// read it).
    CatchAll,
}

impl Frame {
    /// The frame of `merged`, whose PIDs are in name order, for `peers`.
    pub(super) fn new(merged: &Merged, peers: &[Option<PeerInput<'_>>]) -> Self {
        let pids = &merged.pids;
        let origins = (pids.iter())
            .map(|pid| match &pid.origin {
                PidOrigin::Cdn => Origin::Cdn,
                PidOrigin::CatchAll => Origin::CatchAll,
                PidOrigin::Subscriber { peer, isp_pid } => Origin::Subscriber(
                    peers[*peer]
                        .as_ref()
                        .and_then(|i| Some((*peer, *i.columns.columns.get(isp_pid)?))),
                ),
            })
            .collect();
        Self {
            merge: merged.network_map.clone(),
            names: pids.iter().map(|p| p.name.as_str().into()).collect(),
            origins,
            spans: block_spans(pids),
            names_checked: OnceLock::new(),
        }
    }

    /// Whether `table`'s names are this frame's and passed validation.
    pub(super) fn names_checked(&self, table: &CostTable) -> bool {
        self.names_checked.get().is_some() && Arc::ptr_eq(&self.names, &table.shared_names())
    }

    /// Records that a table on this frame's names passed validation
    /// against the merge's network map.
    pub(super) fn mark_names_checked(&self) {
        let _ = self.names_checked.set(());
    }

    /// Whether this frame was made for `merged`.
    pub(super) fn is_for(&self, merged: &Merged) -> bool {
        Arc::ptr_eq(&self.merge, &merged.network_map)
    }

    /// The index of `name`, if it is published.
    pub(super) fn index(&self, name: &str) -> Option<u32> {
        let i = self.names.binary_search_by(|n| (**n).cmp(name)).ok()?;
        u32::try_from(i).ok()
    }

    /// Each name's source in this publish, for every name but the CDN
    /// PIDs: the peers' current columns, `catch_all` for the catch-all PID.
    pub(super) fn sources<'a>(
        &self,
        peers: &'a [Option<PeerInput<'a>>],
        catch_all: Source<'a>,
    ) -> Vec<(u32, Source<'a>)> {
        (self.origins.iter().zip(0u32..))
            .filter_map(|(origin, i)| match *origin {
                Origin::Cdn => None,
                Origin::CatchAll => Some((i, catch_all)),
                Origin::Subscriber(column) => Some((
                    i,
                    column.and_then(|(peer, col)| Some((peers[peer].as_ref()?.columns, col))),
                )),
            })
            .collect()
    }
}
