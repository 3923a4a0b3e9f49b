//! Reading a [`CostTable`] without a `String` per pair.
//!
//! PID names are interned as they are read, from the deserializer's
//! (usually borrowed) string: only the first sight of a name allocates.
//! Servers write every row with the same destinations in the same order,
//! so each key is first compared with the name at its position in the
//! previous row, which saves hashing nearly all of them.
//!
//! Liberal, like [`crate::costmap::deserialize_cost_rows`]: costs may be
//! strings holding numbers, a `null` cost or row means "not defined" and is
//! dropped. A key repeated in one object is refused, naming it
//! ([`crate::unique`]): a row or a cost said twice is ambiguous. Messages
//! are those of [`CostRows`](crate::CostRows), so that an error names the
//! same JSON path and reason whichever form is read.

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use super::{CostTable, TableParts};
use crate::cost::Cost;

impl<'de> Deserialize<'de> for CostTable {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut b = Builder::default();
        d.deserialize_map(TableVisitor(&mut b))?;
        Ok(b.finish())
    }
}

/// A table under construction: names in order of first sight, rows and
/// entries in input order.
#[derive(Debug, Default)]
pub(super) struct Builder {
    names: Vec<Box<str>>,
    index: HashMap<Box<str>, u32>,
    srcs: Vec<u32>,
    starts: Vec<usize>,
    dsts: Vec<u32>,
    costs: Vec<f64>,
    /// The keys of the last row read, to predict the next row's.
    last_keys: Vec<u32>,
    /// The keys of the row being read.
    row_keys: Vec<u32>,
    /// Which names have had a row, by interned number.
    has_row: Vec<bool>,
}

impl Builder {
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push(name.into());
        self.index.insert(name.into(), i);
        i
    }

    /// [`Builder::intern`], trying the name at `pos` of the last row first.
    fn intern_at(&mut self, pos: usize, name: &str) -> u32 {
        match self.last_keys.get(pos) {
            Some(&i) if *self.names[i as usize] == *name => i,
            _ => self.intern(name),
        }
    }

    pub fn row_start(&self) -> usize {
        self.dsts.len()
    }

    pub fn push_entry(&mut self, dst: u32, cost: f64) {
        self.dsts.push(dst);
        self.costs.push(cost);
    }

    /// Marks `src` as having a row; false if it had one already.
    fn claim_row(&mut self, src: u32) -> bool {
        let i = src as usize;
        if self.has_row.len() <= i {
            self.has_row.resize(i + 1, false);
        }
        !std::mem::replace(&mut self.has_row[i], true)
    }

    /// Refuses a destination named twice in the row just read. Rows written
    /// in the order the names were first seen are ascending and need no
    /// sort.
    fn check_row_keys<E: de::Error>(&self) -> Result<(), E> {
        if strictly_ascending(&self.row_keys) {
            return Ok(());
        }
        let mut keys = self.row_keys.clone();
        keys.sort_unstable();
        match keys.windows(2).find(|w| w[0] == w[1]) {
            Some(w) => Err(crate::unique::duplicate(&self.names[w[0] as usize])),
            None => Ok(()),
        }
    }

    pub fn push_row(&mut self, src: u32, start: usize) {
        self.srcs.push(src);
        self.starts.push(start);
    }

    /// Puts the table in canonical form: unused names dropped, names
    /// sorted, rows sorted by source and entries by destination, the last
    /// of repeated rows or entries kept.
    pub fn finish(mut self) -> CostTable {
        self.starts.push(self.dsts.len());
        let names = self.sort_names();
        let rows = rows_in_order(&self.srcs);
        let ordered =
            rows.len() == self.srcs.len() && rows.iter().enumerate().all(|(i, r)| i == *r);
        let span = |r: usize| self.starts[r]..self.starts[r + 1];
        if ordered && (0..rows.len()).all(|r| strictly_ascending(&self.dsts[span(r)])) {
            return CostTable::from_canonical(TableParts {
                names,
                srcs: self.srcs,
                starts: self.starts,
                dsts: self.dsts,
                costs: self.costs,
            });
        }
        let mut table = TableParts {
            names,
            ..TableParts::default()
        };
        table.starts.push(0);
        for r in rows {
            let (dsts, costs) = (&self.dsts[span(r)], &self.costs[span(r)]);
            if strictly_ascending(dsts) {
                table.dsts.extend_from_slice(dsts);
                table.costs.extend_from_slice(costs);
            } else {
                for (d, c) in last_per_key(dsts.iter().copied().zip(costs.iter().copied())) {
                    table.dsts.push(d);
                    table.costs.push(c);
                }
            }
            table.srcs.push(self.srcs[r]);
            table.starts.push(table.dsts.len());
        }
        drop_unused_names(&mut table);
        CostTable::from_canonical(table)
    }

    /// Drops names no row uses, sorts the rest and renumbers `srcs` and
    /// `dsts` to match.
    fn sort_names(&mut self) -> Vec<Box<str>> {
        let mut used = vec![false; self.names.len()];
        for &i in self.srcs.iter().chain(&self.dsts) {
            used[i as usize] = true;
        }
        let mut order: Vec<usize> = (0..self.names.len()).filter(|&i| used[i]).collect();
        order.sort_unstable_by(|&a, &b| self.names[a].cmp(&self.names[b]));
        let mut renumber = vec![0u32; self.names.len()];
        for (new, &old) in order.iter().enumerate() {
            renumber[old] = u32::try_from(new).unwrap_or(u32::MAX);
        }
        for i in self.srcs.iter_mut().chain(self.dsts.iter_mut()) {
            *i = renumber[*i as usize];
        }
        order
            .into_iter()
            .map(|i| std::mem::take(&mut self.names[i]))
            .collect()
    }
}

/// Drops the names that only replaced rows or entries used, keeping the
/// order (and so the table canonical).
fn drop_unused_names(table: &mut TableParts) {
    let mut used = vec![false; table.names.len()];
    for &i in table.srcs.iter().chain(&table.dsts) {
        used[i as usize] = true;
    }
    if used.iter().all(|u| *u) {
        return;
    }
    let mut renumber = vec![0u32; used.len()];
    let mut next = 0u32;
    for (i, u) in used.iter().enumerate() {
        renumber[i] = next;
        next += u32::from(*u);
    }
    for i in table.srcs.iter_mut().chain(table.dsts.iter_mut()) {
        *i = renumber[*i as usize];
    }
    let mut keep = used.into_iter();
    table.names.retain(|_| keep.next().unwrap_or(false));
}

fn strictly_ascending(v: &[u32]) -> bool {
    v.windows(2).all(|w| w[0] < w[1])
}

/// Row numbers sorted by source, of each source only its last row.
fn rows_in_order(srcs: &[u32]) -> Vec<usize> {
    let keyed = srcs.iter().copied().zip(0..srcs.len());
    last_per_key(keyed).into_iter().map(|(_, r)| r).collect()
}

/// Sorted by key; of equal keys only the last in input order.
fn last_per_key<V>(items: impl Iterator<Item = (u32, V)>) -> Vec<(u32, V)> {
    let mut items: Vec<(u32, V)> = items.collect();
    items.sort_by_key(|(k, _)| *k); // stable: input order among equal keys
    let mut out: Vec<(u32, V)> = Vec::with_capacity(items.len());
    for item in items {
        match out.last_mut() {
            Some(last) if last.0 == item.0 => *last = item,
            _ => out.push(item),
        }
    }
    out
}

struct TableVisitor<'b>(&'b mut Builder);

impl<'de> Visitor<'de> for TableVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of source PIDs to cost rows")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let b = self.0;
        let mut repeated = None;
        while let Some(src) = map.next_key_seed(NameSeed {
            b: &mut *b,
            pos: None,
        })? {
            if !b.claim_row(src) {
                repeated = repeated.or(Some(src));
            }
            map.next_value_seed(RowSeed { b: &mut *b, src })?;
        }
        // Refused at the end of the object, where `CostRows` sees it, so
        // that both forms give the same message.
        match repeated {
            Some(src) => Err(crate::unique::duplicate(&b.names[src as usize])),
            None => Ok(()),
        }
    }
}

/// A PID name as a map key, interned; `pos` is its place in its row.
struct NameSeed<'b> {
    b: &'b mut Builder,
    pos: Option<usize>,
}

impl<'de> DeserializeSeed<'de> for NameSeed<'_> {
    type Value = u32;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<u32, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for NameSeed<'_> {
    type Value = u32;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a PID name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<u32, E> {
        Ok(match self.pos {
            Some(pos) => self.b.intern_at(pos, v),
            None => self.b.intern(v),
        })
    }
}

/// The row of source `src`, or `null` (no row).
struct RowSeed<'b> {
    b: &'b mut Builder,
    src: u32,
}

impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of destination PIDs to costs")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let b = self.b;
        let start = b.row_start();
        b.row_keys.clear();
        let mut pos = 0;
        while let Some(dst) = map.next_key_seed(NameSeed {
            b: &mut *b,
            pos: Some(pos),
        })? {
            if let Some(Cost(cost)) = map.next_value::<Option<Cost>>()? {
                b.push_entry(dst, cost);
            }
            b.row_keys.push(dst);
            pos += 1;
        }
        b.check_row_keys()?;
        std::mem::swap(&mut b.last_keys, &mut b.row_keys);
        b.push_row(self.src, start);
        Ok(())
    }
}
