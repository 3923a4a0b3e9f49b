//! Building a [`CostTable`] from arrays that are already canonical or from
//! column blocks, and reading its arrays back: for code that makes big
//! tables itself (the composed cost map) and code that writes them in
//! pieces (the server's bodies), neither of which should pay for a
//! `String` per pair.

use std::sync::Arc;

use rayon::prelude::*;
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::{Block, CostTable};
use crate::vtag::tag_of_digest;

/// The arrays of a one-block [`CostTable`], in the canonical form
/// described there.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableParts {
    /// Every PID named by a row or an entry, sorted, unique.
    pub names: Vec<Box<str>>,
    /// Source of each row (index into `names`), strictly ascending.
    pub srcs: Vec<u32>,
    /// Row `r` is `dsts[starts[r]..starts[r + 1]]`; `srcs.len() + 1` long,
    /// starting at 0, ending at `dsts.len()`.
    pub starts: Vec<usize>,
    /// Destinations (indices into `names`), strictly ascending in a row.
    pub dsts: Vec<u32>,
    pub costs: Vec<f64>,
}

/// Arrays that break the canonical form (a bug in the caller).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("cost table parts are not canonical: {0}")]
pub struct PartsError(pub(super) &'static str);

/// Reusable buffers for [`CostTable::row_parts_in`].
#[derive(Debug, Default)]
pub struct RowBuf {
    dsts: Vec<u32>,
    costs: Vec<f64>,
}

impl CostTable {
    /// A table from canonical arrays (one block), checked in one pass.
    pub fn from_parts(p: TableParts) -> Result<Self, PartsError> {
        check_names(&p.names, &p.srcs)?;
        if p.starts.len() != p.srcs.len() + 1 {
            return Err(PartsError("one start per row and one cost per pair"));
        }
        let block = Block::new(all_names(&p.names)?, p.starts, p.dsts, p.costs)?;
        Ok(Self::from_checked(
            p.names.into(),
            p.srcs,
            vec![Arc::new(block)],
        ))
    }

    /// A table from names, sources and column blocks (ascending, disjoint
    /// name ranges, one row per source each), e.g. with blocks of an older
    /// table that did not change. Each block was checked when built.
    pub fn from_blocks(
        names: impl Into<Arc<[Box<str>]>>,
        srcs: Vec<u32>,
        blocks: Vec<Arc<Block>>,
    ) -> Result<Self, PartsError> {
        let names = names.into();
        check_names(&names, &srcs)?;
        let ascending = blocks
            .windows(2)
            .all(|w| w[0].names().end <= w[1].names().start);
        let named = (blocks.last()).is_none_or(|b| b.names().end as usize <= names.len());
        if !ascending || !named {
            return Err(PartsError("blocks ascending, disjoint and named"));
        }
        if blocks.iter().any(|b| b.rows() != srcs.len()) {
            return Err(PartsError("one row per source in every block"));
        }
        Ok(Self::from_checked(names, srcs, blocks))
    }

    /// A one-block table from arrays known to be canonical.
    pub(super) fn from_canonical(p: TableParts) -> Self {
        let names = 0..u32::try_from(p.names.len()).unwrap_or(u32::MAX);
        let block = Block::unchecked(names, p.starts, p.dsts, p.costs);
        Self::from_checked(p.names.into(), p.srcs, vec![Arc::new(block)])
    }

    fn from_checked(names: Arc<[Box<str>]>, srcs: Vec<u32>, blocks: Vec<Arc<Block>>) -> Self {
        let ends = blocks.iter().map(|b| b.names().end).collect();
        CostTable {
            names,
            srcs,
            blocks,
            ends,
        }
    }

    /// Every PID name, sorted; sources and destinations index into it.
    pub fn names(&self) -> &[Box<str>] {
        &self.names
    }

    /// The names, shared: a table built from them
    /// ([`CostTable::from_blocks`]) [`shares_names`](CostTable::shares_names)
    /// with this one.
    pub fn shared_names(&self) -> Arc<[Box<str>]> {
        self.names.clone()
    }

    /// Whether both tables hold the very same names (not merely equal
    /// ones): what was found of one's names holds for the other's.
    pub fn shares_names(&self, other: &CostTable) -> bool {
        Arc::ptr_eq(&self.names, &other.names)
    }

    /// The source (index into [`CostTable::names`]) of each row.
    pub fn sources(&self) -> &[u32] {
        &self.srcs
    }

    /// The column blocks, in name order.
    pub fn blocks(&self) -> &[Arc<Block>] {
        &self.blocks
    }

    /// The non-empty parts of row `r` (in [`CostTable::rows`] order), one
    /// per block, in destination order.
    pub fn row_segments(&self, r: usize) -> impl Iterator<Item = (&[u32], &[f64])> + '_ {
        (self.blocks.iter())
            .map(move |b| b.row(r))
            .filter(|(d, _)| !d.is_empty())
    }

    /// Number of entries of row `r`.
    pub fn row_len(&self, r: usize) -> usize {
        self.blocks.iter().map(|b| b.row(r).0.len()).sum()
    }

    /// Destinations and costs of row `r` as two slices: the block's own
    /// when one block holds the whole row, else copied into `buf`.
    pub fn row_parts_in<'a>(&'a self, r: usize, buf: &'a mut RowBuf) -> (&'a [u32], &'a [f64]) {
        let mut segments = self.row_segments(r);
        let Some(first) = segments.next() else {
            return (&[], &[]);
        };
        let Some(second) = segments.next() else {
            return first;
        };
        buf.dsts.clear();
        buf.costs.clear();
        for (d, c) in [first, second].into_iter().chain(segments) {
            buf.dsts.extend_from_slice(d);
            buf.costs.extend_from_slice(c);
        }
        (&buf.dsts, &buf.costs)
    }

    /// The cost of row `r` to the name with index `name`: a search over
    /// integers, for callers that resolved names to indices beforehand.
    pub fn cost_at(&self, r: usize, name: u32) -> Option<f64> {
        let b = self.ends.partition_point(|&end| end <= name);
        self.blocks.get(b)?.cost_at(r, name)
    }

    /// For each name of `sorted` (ascending, e.g. a network map's PIDs):
    /// its index in this table's names, and the row it is the source of.
    pub fn index_names<'a>(
        &self,
        sorted: impl IntoIterator<Item = &'a str>,
    ) -> Vec<(Option<u32>, Option<u32>)> {
        let mut rows = vec![None; self.names.len()];
        for (r, &s) in self.srcs.iter().enumerate() {
            rows[s as usize] = u32::try_from(r).ok();
        }
        let mut at = 0;
        sorted
            .into_iter()
            .map(|name| {
                while at < self.names.len() && &*self.names[at] < name {
                    at += 1;
                }
                match self.names.get(at) {
                    Some(n) if &**n == name => (u32::try_from(at).ok(), rows[at]),
                    _ => (None, None),
                }
            })
            .collect()
    }

    /// Every cost, block after block (row after row in a block).
    pub fn costs(&self) -> impl Iterator<Item = f64> + '_ {
        self.blocks.iter().flat_map(|b| b.costs().iter().copied())
    }

    /// The same pairs with other costs: `costs[i]` for the i-th cost of
    /// [`CostTable::costs`].
    pub fn with_costs(&self, mut costs: Vec<f64>) -> Result<Self, PartsError> {
        if costs.len() != self.len() {
            return Err(PartsError("one cost per pair"));
        }
        let mut blocks = Vec::with_capacity(self.blocks.len());
        for b in self.blocks.iter().rev() {
            let own = costs.split_off(costs.len() - b.len());
            blocks.push(Arc::new(b.with_costs(own)));
        }
        blocks.reverse();
        Ok(Self::from_checked(
            self.names.clone(),
            self.srcs.clone(),
            blocks,
        ))
    }

    /// A content tag (RFC 7285 §10.3) of the pairs and costs, and of
    /// `extra` (e.g. the tag of the network map the costs refer to):
    /// hashes the arrays, not a serialization, so that it costs one pass
    /// over memory; SHA-256 over the names, the rows' sources and each
    /// block's [`Block::digest`], which a block computes once: a table
    /// sharing blocks with an older one hashes only its new blocks.
    pub fn content_tag(&self, extra: &[u8]) -> String {
        let mut h = Sha256::new();
        for name in self.names.iter() {
            h.update(name.as_bytes());
            h.update([0]);
        }
        h.update(self.srcs.len().to_le_bytes());
        self.srcs.iter().for_each(|s| h.update(s.to_le_bytes()));
        self.blocks.par_iter().for_each(|b| {
            b.digest();
        });
        self.blocks.iter().for_each(|b| h.update(b.digest()));
        h.update(extra);
        tag_of_digest(&h.finalize())
    }
}

/// All names of a table, as a block's range.
fn all_names(names: &[Box<str>]) -> Result<std::ops::Range<u32>, PartsError> {
    let n = u32::try_from(names.len()).map_err(|_| PartsError("names fit in u32"))?;
    Ok(0..n)
}

fn check_names(names: &[Box<str>], srcs: &[u32]) -> Result<(), PartsError> {
    all_names(names)?;
    if !names.windows(2).all(|w| w[0] < w[1]) {
        return Err(PartsError("names sorted and unique"));
    }
    let n = names.len();
    if !srcs.windows(2).all(|w| w[0] < w[1]) || srcs.iter().any(|&s| s as usize >= n) {
        return Err(PartsError("sources ascending and named"));
    }
    Ok(())
}
