//! A cost map's rows in compact form, for ingesting big peer cost maps
//! (a production map has over a million pairs).
//!
//! [`CostRows`] spends one `String` and one B-tree slot per pair; parsing a
//! 1.3M-pair map that way is dominated by allocation. A [`CostTable`]
//! stores every PID name once and the pairs as flat arrays of name indices
//! and costs, rows in compressed sparse row form. It is read and written in
//! exactly the wire format of `cost-map` (RFC 7285 §11.2.3.6), with the same
//! liberal parsing as [`CostRows`]: see [`parse`].

mod parse;
mod parts;
mod ranks;

pub use parts::{PartsError, TableParts};

use std::fmt;

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use crate::cost::Cost;
use crate::costmap::{CostMapDoc, CostMapMeta, CostRows};

/// `cost-map` of a cost map: source PID -> destination PID -> cost, pairs
/// without a cost absent. Always canonical (names sorted and unique, rows
/// sorted by source, entries by destination, no repeated pair), so derived
/// equality is equality of content, and iteration and serialization give
/// the order of [`CostRows`].
#[derive(Clone, Default, PartialEq)]
pub struct CostTable {
    /// Every PID that is the source or a destination of a row.
    names: Vec<Box<str>>,
    /// Source of each row (index into `names`), ascending.
    srcs: Vec<u32>,
    /// Row `r` is `dsts[starts[r]..starts[r + 1]]` with its `costs`; one
    /// more element than `srcs`.
    starts: Vec<usize>,
    /// Destination of each entry (index into `names`), ascending in a row.
    dsts: Vec<u32>,
    costs: Vec<f64>,
}

/// One row of a [`CostTable`]: destination PID -> cost.
#[derive(Clone, Copy)]
pub struct CostRow<'a> {
    names: &'a [Box<str>],
    dsts: &'a [u32],
    costs: &'a [f64],
}

impl CostTable {
    /// Number of pairs with a cost.
    pub fn len(&self) -> usize {
        self.costs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.costs.is_empty()
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
    /// order), for [`CostTable::row_parts`].
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
        let (dsts, costs) = self.row_parts(r);
        CostRow {
            names: &self.names,
            dsts,
            costs,
        }
    }
}

impl<'a> CostRow<'a> {
    pub fn len(&self) -> usize {
        self.costs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.costs.is_empty()
    }

    /// The cost to `dst`.
    pub fn get(&self, dst: &str) -> Option<Cost> {
        let name = self.names.binary_search_by(|n| (**n).cmp(dst)).ok()?;
        let name = u32::try_from(name).ok()?;
        let e = self.dsts.binary_search(&name).ok()?;
        Some(Cost(self.costs[e]))
    }

    pub fn contains_key(&self, dst: &str) -> bool {
        self.get(dst).is_some()
    }

    /// Entries in destination PID order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&'a str, Cost)> + 'a {
        let names = self.names;
        let entries = self.dsts.iter().zip(self.costs);
        entries.map(move |(d, c)| (&*names[*d as usize], Cost(*c)))
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
