//! A column block of a [`CostTable`](super::CostTable): every row's
//! entries whose destinations fall in one range of names.
//!
//! The published cost map is kept in blocks, one per peer, so that a
//! publish after one peer's change builds, hashes and checks that peer's
//! block only and shares the others with the previous table (issue #16).
//! A block never changes once built, so what is derived from its content
//! (its digest, whether its costs are finite) is computed once and kept.

use std::ops::Range;
use std::sync::OnceLock;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::PartsError;

/// Pairs per chunk of [`Block::digest`], hashed in parallel.
const TAG_CHUNK: usize = 1 << 16;

/// Every row's entries to destinations `first..end` (name indices), rows in
/// compressed sparse row form.
#[derive(Debug, Default)]
pub struct Block {
    first: u32,
    end: u32,
    /// Row `r` is `dsts[starts[r]..starts[r + 1]]`: one more than the
    /// table's rows, from 0 to `dsts.len()`.
    starts: Vec<usize>,
    /// Ascending in a row, each in `first..end`.
    dsts: Vec<u32>,
    costs: Vec<f64>,
    digest: OnceLock<[u8; 32]>,
    finite: OnceLock<bool>,
}

impl Block {
    /// A block of `names` (a range of name indices) from canonical arrays,
    /// checked in one pass.
    pub fn new(
        names: Range<u32>,
        starts: Vec<usize>,
        dsts: Vec<u32>,
        costs: Vec<f64>,
    ) -> Result<Self, PartsError> {
        let block = Self::unchecked(names, starts, dsts, costs);
        block.check()?;
        Ok(block)
    }

    pub(super) fn unchecked(
        names: Range<u32>,
        starts: Vec<usize>,
        dsts: Vec<u32>,
        costs: Vec<f64>,
    ) -> Self {
        Self {
            first: names.start,
            end: names.end,
            starts,
            dsts,
            costs,
            digest: OnceLock::new(),
            finite: OnceLock::new(),
        }
    }

    /// The name indices this block's destinations are in.
    pub fn names(&self) -> Range<u32> {
        self.first..self.end
    }

    /// Number of rows (the table's).
    pub fn rows(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.costs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.costs.is_empty()
    }

    /// Destinations and costs of row `r`.
    pub fn row(&self, r: usize) -> (&[u32], &[f64]) {
        let span = self.starts[r]..self.starts[r + 1];
        (&self.dsts[span.clone()], &self.costs[span])
    }

    /// Every cost, row after row.
    pub fn costs(&self) -> &[f64] {
        &self.costs
    }

    /// The same pairs with other costs (`costs[i]` for the i-th pair).
    pub(super) fn with_costs(&self, costs: Vec<f64>) -> Self {
        Self::unchecked(self.names(), self.starts.clone(), self.dsts.clone(), costs)
    }

    /// SHA-256 of the rows' structure, destinations and cost bits; computed
    /// once (chunks in parallel).
    pub fn digest(&self) -> &[u8; 32] {
        self.digest.get_or_init(|| {
            let mut h = Sha256::new();
            h.update(self.first.to_le_bytes());
            h.update(self.end.to_le_bytes());
            hash_le(&mut h, self.starts.iter().map(|s| *s as u64));
            let chunks: Vec<[u8; 32]> = (0..self.costs.len().div_ceil(TAG_CHUNK))
                .into_par_iter()
                .map(|c| {
                    let span = c * TAG_CHUNK..((c + 1) * TAG_CHUNK).min(self.costs.len());
                    let mut chunk = Sha256::new();
                    hash_le(
                        &mut chunk,
                        self.dsts[span.clone()].iter().map(|d| u64::from(*d)),
                    );
                    hash_le(&mut chunk, self.costs[span].iter().map(|c| c.to_bits()));
                    chunk.finalize().into()
                })
                .collect();
            chunks.iter().for_each(|d| h.update(d));
            h.finalize().into()
        })
    }

    /// [`Block::digest`] if it was computed already.
    pub fn known_digest(&self) -> Option<&[u8; 32]> {
        self.digest.get()
    }

    /// Whether every cost is finite; computed once.
    pub fn all_finite(&self) -> bool {
        *self
            .finite
            .get_or_init(|| self.costs.par_iter().all(|c| c.is_finite()))
    }

    /// The cost of row `r` to name index `name`.
    pub(super) fn cost_at(&self, r: usize, name: u32) -> Option<f64> {
        let (start, end) = (self.starts[r], self.starts[r + 1]);
        // A row to every name of the block (a composed row to every PID of
        // a peer) is indexed from its start alone, without reading its
        // destinations: a cache line fewer for the endpoint cost service,
        // whose lookups are mostly cache misses.
        if end - start == (self.end - self.first) as usize {
            let named = (self.first..self.end).contains(&name);
            return named.then(|| self.costs[start + (name - self.first) as usize]);
        }
        let (dsts, costs) = (&self.dsts[start..end], &self.costs[start..end]);
        let (&first, &last) = (dsts.first()?, dsts.last()?);
        // A row naming every index from its first to its last is indexed
        // directly too; the binary search's cache misses were most of an
        // endpoint cost lookup.
        let at = if (last - first) as usize + 1 == dsts.len() {
            name.checked_sub(first)
                .map(|i| i as usize)
                .filter(|&i| i < dsts.len())
        } else {
            dsts.binary_search(&name).ok()
        };
        at.map(|i| costs[i])
    }

    fn check(&self) -> Result<(), PartsError> {
        if self.starts.first() != Some(&0)
            || self.starts.last() != Some(&self.dsts.len())
            || self.costs.len() != self.dsts.len()
        {
            return Err(PartsError("one start per row and one cost per pair"));
        }
        let in_range = |d: &u32| (self.first..self.end).contains(d);
        for w in self.starts.windows(2) {
            let row = self
                .dsts
                .get(w[0]..w[1])
                .ok_or(PartsError("row starts ascending"))?;
            if !row.windows(2).all(|d| d[0] < d[1]) || !row.iter().all(in_range) {
                return Err(PartsError("destinations ascending and named"));
            }
        }
        Ok(())
    }
}

/// Same names, rows and pairs (costs compared as `f64`s, as the table's
/// equality always did).
impl PartialEq for Block {
    fn eq(&self, other: &Self) -> bool {
        // Costs before destinations: a changed table usually differs in
        // its first costs, and its destinations are most often the same.
        self.names() == other.names()
            && self.starts == other.starts
            && self.costs == other.costs
            && self.dsts == other.dsts
    }
}

/// Feeds `values` to `h` as little-endian u64s through a stack buffer:
/// one `update` per 1,024 values, no copy of the whole array.
fn hash_le(h: &mut Sha256, values: impl Iterator<Item = u64>) {
    let mut buf = [0u8; 8 * 1024];
    let mut used = 0;
    for v in values {
        buf[used..used + 8].copy_from_slice(&v.to_le_bytes());
        used += 8;
        if used == buf.len() {
            h.update(buf);
            used = 0;
        }
    }
    h.update(&buf[..used]);
}
