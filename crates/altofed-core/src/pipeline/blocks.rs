//! The published table's column blocks and what each is built from, so
//! that the next table reuses the blocks whose inputs did not change: after
//! one peer's change, that peer's block is the only one built, hashed and
//! checked again (issue #16). A block's inputs are written out as a key of
//! integers (see [`block_key`]); equal keys on a table of the same names
//! and rows, equal blocks.

use std::ops::Range;
use std::sync::Arc;

use altofed_model::Block;

use super::frame::Frame;
use super::merged::Merged;
use super::{PeerColumns, PeerInput};
use crate::compose::Direction;
use crate::output::{PidOrigin, PublishedPid};

/// Where one published row's costs come from.
#[derive(Debug, Clone, Copy)]
pub(super) enum Row<'a> {
    /// A CDN PID: this row of every peer's forward matrix.
    Forward(usize),
    /// A subscriber (or the catch-all) PID: this row of its peer's reverse
    /// matrix, if it has one.
    Reverse(Option<(&'a PeerColumns, usize)>),
}

/// A column's source: the peer columns and the column it reads, if any.
pub(super) type Source<'a> = Option<(&'a PeerColumns, usize)>;

/// The frame and blocks of the last table built, each block with its key.
#[derive(Debug, Clone, Default)]
pub struct TableCache {
    last: Option<Built>,
}

#[derive(Debug, Clone)]
struct Built {
    frame: Arc<Frame>,
    shape: Vec<u64>,
    blocks: Vec<(Vec<u64>, Arc<Block>)>,
}

impl TableCache {
    /// The frame of `merged`: the last table's if it was made for it.
    pub(super) fn frame(&self, merged: &Merged, peers: &[Option<PeerInput<'_>>]) -> Arc<Frame> {
        match &self.last {
            Some(b) if b.frame.is_for(merged) => b.frame.clone(),
            _ => Arc::new(Frame::new(merged, peers)),
        }
    }

    /// The frame of the last table built, if any.
    pub(super) fn last_frame(&self) -> Option<&Frame> {
        self.last.as_ref().map(|b| &*b.frame)
    }

    /// The last table's blocks, if it had this frame and this shape.
    pub(super) fn blocks_for(
        &self,
        frame: &Arc<Frame>,
        shape: &[u64],
    ) -> &[(Vec<u64>, Arc<Block>)] {
        match &self.last {
            Some(b) if Arc::ptr_eq(&b.frame, frame) && b.shape == shape => &b.blocks,
            _ => &[],
        }
    }

    pub(super) fn keep(
        &mut self,
        frame: Arc<Frame>,
        shape: Vec<u64>,
        blocks: Vec<(Vec<u64>, Arc<Block>)>,
    ) {
        self.last = Some(Built {
            frame,
            shape,
            blocks,
        });
    }
}

/// The name ranges of the blocks: maximal runs of names of one origin (one
/// peer's subscribers, the CDN's PIDs, the catch-all), of `order`'s PIDs,
/// in name order.
pub(super) fn block_spans(order: &[PublishedPid]) -> Vec<Range<u32>> {
    let owner = |p: &PublishedPid| match p.origin {
        PidOrigin::Subscriber { peer, .. } => peer as u64,
        PidOrigin::Cdn => u64::MAX,
        PidOrigin::CatchAll => u64::MAX - 1,
    };
    let mut spans: Vec<(u64, Range<u32>)> = Vec::new();
    for (pid, i) in order.iter().zip(0u32..) {
        match spans.last_mut() {
            Some((o, span)) if *o == owner(pid) => span.end = i + 1,
            _ => spans.push((owner(pid), i..i + 1)),
        }
    }
    spans.into_iter().map(|(_, span)| span).collect()
}

/// What every block depends on: the rows, the CDN PIDs' rows in the
/// composed matrices, the default cost and the direction.
pub(super) fn shape_key(
    rows: &[(u32, Row<'_>)],
    cdn_pids: &[(u32, usize)],
    default: Option<f64>,
    direction: Direction,
) -> Vec<u64> {
    let mut key = vec![
        default.map_or(u64::MAX, f64::to_bits),
        u64::from(direction.forward()),
        u64::from(direction.reverse()),
        rows.len() as u64,
    ];
    for (name, row) in rows {
        key.push(u64::from(*name));
        key.push(match row {
            Row::Forward(r) => *r as u64,
            Row::Reverse(_) => u64::MAX,
        });
    }
    key.extend(cdn_pids.iter().flat_map(|&(n, r)| [u64::from(n), r as u64]));
    key
}

/// What the entries of block `span` are read from: the source of each of
/// its columns (forward rows) and, when it holds CDN PIDs, the source of
/// every reverse row.
pub(super) fn block_key(
    span: &Range<u32>,
    columns: &[(u32, Source<'_>)],
    rows: &[(u32, Row<'_>)],
    cdn_pids: &[(u32, usize)],
) -> Vec<u64> {
    let source = |s: &Source<'_>| match s {
        Some((c, col)) => [c.id(), *col as u64],
        None => [0, 0],
    };
    let mut key = vec![u64::from(span.start), u64::from(span.end)];
    let first = columns.partition_point(|(n, _)| *n < span.start);
    for (name, s) in columns[first..].iter().take_while(|(n, _)| *n < span.end) {
        key.push(u64::from(*name));
        key.extend(source(s));
    }
    if cdn_pids.iter().any(|(n, _)| span.contains(n)) {
        for (name, row) in rows {
            if let Row::Reverse(s) = row {
                key.push(u64::from(*name));
                key.extend(source(s));
            }
        }
    }
    key
}
