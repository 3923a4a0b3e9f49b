//! A cost map's rows in compact form, for ingesting big peer cost maps
//! (a production map has over a million pairs).
//!
//! [`CostRows`] spends one `String` and one B-tree slot per pair; parsing a
//! 1.3M-pair map that way is dominated by allocation. A [`CostTable`]
//! stores every PID name once and the pairs as flat arrays of name indices
//! and costs, rows in compressed sparse row form, in column [`Block`]s
//! (one for a parsed map, one per peer for the published one). It is read
//! and written in exactly the wire format of `cost-map` (RFC 7285
//! §11.2.3.6), with the same liberal parsing as [`CostRows`]: see
//! [`parse`].

mod block;
mod parse;
mod parts;
mod ranks;
mod view;

pub use block::Block;
pub use parts::{PartsError, RowBuf, TableParts};
pub use view::{RowCursor, RowView};

use std::fmt;
use std::sync::Arc;

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use crate::cost::Cost;
use crate::costmap::{CostMapDoc, CostMapMeta, CostRows};

/// `cost-map` of a cost map: source PID -> destination PID -> cost, pairs
/// without a cost absent. Always canonical (names sorted and unique, rows
/// sorted by source, entries by destination, no repeated pair), so
/// equality (of pairs, however they are cut in blocks) is equality of
/// content, and iteration and serialization give
/// the order of [`CostRows`].
#[derive(Clone, Default)]
pub struct CostTable {
    /// Every PID that is the source or a destination of a row. Shared
    /// between tables built on the same names, so that a check of the names
    /// done for one can be skipped for the next
    /// ([`CostTable::shares_names`]).
    names: Arc<[Box<str>]>,
    /// Source of each row (index into `names`), ascending.
    srcs: Vec<u32>,
    /// Row `r`'s entries are each block's row `r`, in order: blocks hold
    /// ascending, disjoint ranges of destination names. Shared between
    /// tables that have the same names and sources.
    blocks: Vec<Arc<Block>>,
    /// Each block's end of names, in order: what [`CostTable::cost_at`]
    /// searches, in one cache line for a few dozen blocks rather than one
    /// `Block` (behind its `Arc`) per step of the search.
    ends: Vec<u32>,
}

/// One row of a [`CostTable`]: destination PID -> cost.
#[derive(Clone, Copy)]
pub struct CostRow<'a> {
    table: &'a CostTable,
    r: usize,
}

impl CostTable {
    /// Number of pairs with a cost.
    pub fn len(&self) -> usize {
        self.blocks.iter().map(|b| b.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.blocks.iter().all(|b| b.is_empty())
    }

    /// Number of rows (an empty row counts: `"pid": {}` was sent).
    pub fn row_count(&self) -> usize {
        self.srcs.len()
    }

    /// Rows in source PID order.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = (&str, CostRow<'_>)> + '_ {
        (0..self.srcs.len()).map(|r| (&*self.names[self.srcs[r] as usize], self.row_at(r)))
    }

    /// The row of source PID `src`.
    pub fn row(&self, src: &str) -> Option<CostRow<'_>> {
        Some(self.row_at(self.row_of(src)?))
    }

    /// The position of source PID `src`'s row (in [`CostTable::rows`]
    /// order), for [`CostTable::row_segments`].
    pub fn row_of(&self, src: &str) -> Option<usize> {
        let name = self.name_index(src)?;
        self.srcs.binary_search(&name).ok()
    }

    /// The index of PID `name` in [`CostTable::names`].
    pub fn name_index(&self, name: &str) -> Option<u32> {
        let i = self.names.binary_search_by(|n| (**n).cmp(name)).ok()?;
        u32::try_from(i).ok()
    }

    /// The cost from `src` to `dst`.
    pub fn get(&self, src: &str, dst: &str) -> Option<Cost> {
        self.row(src)?.get(dst)
    }

    /// The tree form, e.g. for code written against [`CostRows`].
    pub fn to_rows(&self) -> CostRows {
        let row = |r: CostRow<'_>| r.iter().map(|(d, c)| (d.to_owned(), c)).collect();
        self.rows().map(|(s, r)| (s.to_owned(), row(r))).collect()
    }

    fn row_at(&self, r: usize) -> CostRow<'_> {
        CostRow { table: self, r }
    }

    /// Row `r`'s (destination, cost) pairs, in order.
    fn entries(&self, r: usize) -> impl Iterator<Item = (u32, f64)> + '_ {
        (self.row_segments(r)).flat_map(|(d, c)| d.iter().copied().zip(c.iter().copied()))
    }
}

impl<'a> CostRow<'a> {
    pub fn len(&self) -> usize {
        self.table.row_len(self.r)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cost to `dst`.
    pub fn get(&self, dst: &str) -> Option<Cost> {
        let name = self.table.name_index(dst)?;
        self.table.cost_at(self.r, name).map(Cost)
    }

    pub fn contains_key(&self, dst: &str) -> bool {
        self.get(dst).is_some()
    }

    /// Entries in destination PID order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, Cost)> + 'a {
        let names = &self.table.names;
        (self.table.entries(self.r)).map(move |(d, c)| (&*names[d as usize], Cost(c)))
    }
}

/// Equal names, sources and pairs, however the pairs are cut in blocks.
impl PartialEq for CostTable {
    fn eq(&self, other: &Self) -> bool {
        let cut_alike = self.blocks.len() == other.blocks.len()
            && (self.blocks.iter().zip(&other.blocks)).all(|(a, b)| a.names() == b.names());
        self.names == other.names
            && self.srcs == other.srcs
            && if cut_alike {
                // Compared as arrays (a peer's maps are compared with its
                // last ones on every fetch).
                self.blocks
                    .iter()
                    .zip(&other.blocks)
                    .all(|(a, b)| **a == **b)
            } else {
                (0..self.srcs.len()).all(|r| self.entries(r).eq(other.entries(r)))
            }
    }
}

impl From<&CostRows> for CostTable {
    fn from(rows: &CostRows) -> Self {
        let mut b = parse::Builder::default();
        for (src, row) in rows {
            let src = b.intern(src);
            let start = b.row_start();
            for (dst, cost) in row {
                let dst = b.intern(dst);
                b.push_entry(dst, cost.0);
            }
            b.push_row(src, start);
        }
        b.finish()
    }
}

impl PartialEq<CostRows> for CostTable {
    fn eq(&self, other: &CostRows) -> bool {
        self.row_count() == other.len()
            && self.rows().zip(other).all(|((s, r), (os, or))| {
                s == os
                    && r.len() == or.len()
                    && r.iter().zip(or).all(|(a, b)| a.0 == b.0 && a.1 == *b.1)
            })
    }
}

impl Serialize for CostTable {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.srcs.len()))?;
        for (src, row) in self.rows() {
            map.serialize_entry(src, &row)?;
        }
        map.end()
    }
}

impl Serialize for CostRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl fmt::Debug for CostTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.rows()).finish()
    }
}

impl fmt::Debug for CostRow<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// `application/alto-costmap+json` with its rows in a [`CostTable`]: what
/// altofed keeps of a peer's cost map. Same wire format and parsing rules
/// as [`CostMapDoc`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostTableDoc {
    pub meta: CostMapMeta,
    #[serde(rename = "cost-map")]
    pub cost_map: CostTable,
}

impl CostTableDoc {
    /// The same document with tree rows.
    pub fn to_doc(&self) -> CostMapDoc {
        CostMapDoc {
            meta: self.meta.clone(),
            cost_map: self.cost_map.to_rows(),
        }
    }
}

impl From<&CostMapDoc> for CostTableDoc {
    fn from(doc: &CostMapDoc) -> Self {
        Self {
            meta: doc.meta.clone(),
            cost_map: CostTable::from(&doc.cost_map),
        }
    }
}

impl PartialEq<CostMapDoc> for CostTableDoc {
    fn eq(&self, other: &CostMapDoc) -> bool {
        self.meta == other.meta && self.cost_map == other.cost_map
    }
}
