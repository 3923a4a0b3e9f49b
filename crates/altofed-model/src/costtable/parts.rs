//! Building a [`CostTable`] from arrays that are already canonical, and
//! reading its arrays back: for code that makes big tables itself (the
//! composed cost map) and code that writes them in pieces (the server's
//! bodies), neither of which should pay for a `String` per pair.

use rayon::prelude::*;
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::CostTable;
use crate::vtag::tag_of_digest;

/// The arrays of a [`CostTable`], in the canonical form described there.
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

/// Pairs per chunk of [`CostTable::content_tag`].
const TAG_CHUNK: usize = 1 << 16;

/// Arrays that break the canonical form (a bug in the caller).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("cost table parts are not canonical: {0}")]
pub struct PartsError(&'static str);

impl CostTable {
    /// A table from canonical arrays, checked in one pass.
    pub fn from_parts(p: TableParts) -> Result<Self, PartsError> {
        check(&p)?;
        Ok(CostTable {
            names: p.names,
            srcs: p.srcs,
            starts: p.starts,
            dsts: p.dsts,
            costs: p.costs,
        })
    }

    /// Every PID name, sorted; `srcs`, `dsts` index into it.
    pub fn names(&self) -> &[Box<str>] {
        &self.names
    }

    /// The source (index into [`CostTable::names`]) of each row.
    pub fn sources(&self) -> &[u32] {
        &self.srcs
    }

    /// Destinations and costs of row `r` (in [`CostTable::rows`] order).
    pub fn row_parts(&self, r: usize) -> (&[u32], &[f64]) {
        let span = self.starts[r]..self.starts[r + 1];
        (&self.dsts[span.clone()], &self.costs[span])
    }

    /// The cost of row `r` to the name with index `name`: a search over
    /// integers, for callers that resolved names to indices beforehand.
    pub fn cost_at(&self, r: usize, name: u32) -> Option<f64> {
        let (dsts, costs) = self.row_parts(r);
        let (&first, &last) = (dsts.first()?, dsts.last()?);
        // A row naming every index from its first to its last (a composed
        // row to every PID of the peers, the usual case) is indexed
        // directly: the binary search's cache misses were most of an
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

    /// Every cost, row after row.
    pub fn costs(&self) -> &[f64] {
        &self.costs
    }

    /// The same pairs with other costs: `costs[i]` for the i-th pair in
    /// row order.
    pub fn with_costs(&self, costs: Vec<f64>) -> Result<Self, PartsError> {
        if costs.len() != self.costs.len() {
            return Err(PartsError("one cost per pair"));
        }
        Ok(CostTable {
            costs,
            ..self.clone_shape()
        })
    }

    /// A content tag (RFC 7285 §10.3) of the pairs and costs, and of
    /// `extra` (e.g. the tag of the network map the costs refer to):
    /// hashes the arrays, not a serialization, so that it costs one pass
    /// over memory; the pairs in chunks hashed in parallel, the tag being
    /// SHA-256 over the names, the row structure and the chunks' digests.
    pub fn content_tag(&self, extra: &[u8]) -> String {
        let mut h = Sha256::new();
        for name in &self.names {
            h.update(name.as_bytes());
            h.update([0]);
        }
        h.update(self.srcs.len().to_le_bytes());
        self.srcs.iter().for_each(|s| h.update(s.to_le_bytes()));
        self.starts.iter().for_each(|s| h.update(s.to_le_bytes()));
        let digests: Vec<[u8; 32]> = (0..self.costs.len().div_ceil(TAG_CHUNK))
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
        digests.iter().for_each(|d| h.update(d));
        h.update(extra);
        tag_of_digest(&h.finalize())
    }

    pub(super) fn clone_shape(&self) -> Self {
        CostTable {
            names: self.names.clone(),
            srcs: self.srcs.clone(),
            starts: self.starts.clone(),
            dsts: self.dsts.clone(),
            costs: Vec::new(),
        }
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

fn check(p: &TableParts) -> Result<(), PartsError> {
    let n = p.names.len();
    if !p.names.windows(2).all(|w| w[0] < w[1]) {
        return Err(PartsError("names sorted and unique"));
    }
    if !p.srcs.windows(2).all(|w| w[0] < w[1]) || p.srcs.iter().any(|&s| s as usize >= n) {
        return Err(PartsError("sources ascending and named"));
    }
    if p.starts.len() != p.srcs.len() + 1
        || p.starts.first() != Some(&0)
        || p.starts.last() != Some(&p.dsts.len())
        || p.costs.len() != p.dsts.len()
    {
        return Err(PartsError("one start per row and one cost per pair"));
    }
    for w in p.starts.windows(2) {
        let row = p
            .dsts
            .get(w[0]..w[1])
            .ok_or(PartsError("row starts ascending"))?;
        if !row.windows(2).all(|d| d[0] < d[1]) || row.iter().any(|&d| d as usize >= n) {
            return Err(PartsError("destinations ascending and named"));
        }
    }
    Ok(())
}
