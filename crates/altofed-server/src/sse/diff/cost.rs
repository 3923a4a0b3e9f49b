//! A cost map's patches from the two versions' tables and body segments
//! (`snapshot::costbody`), never from the body's text: a row whose pieces
//! are all the old row's (`Arc::ptr_eq`) is unchanged; in a changed row
//! only the segments that are not the old row's are read, entry by entry,
//! and only the old segments that are not the new row's are searched for
//! removed destinations. A publish that changed one peer's columns thus
//! costs the rows' pointer comparisons plus that peer's segments.

use std::sync::Arc;

use altofed_model::{CostTable, CostTableDoc, RowView};
use rayon::prelude::*;

use super::doc::DocPatch;
use super::text::{Budget, Frag, RowPatch, Want};
use crate::snapshot::{write_cost, CostBody, Piece};

const MEMBER: &str = "cost-map";

/// One version of a cost map: its table and its body's pieces.
#[derive(Debug, Clone, Copy)]
pub(super) struct Version<'a> {
    pub doc: &'a CostTableDoc,
    pub body: &'a CostBody,
}

/// The patches from `old` to `new`, rows written as `budget` allows.
pub(super) fn cost_map_patch(old: Version<'_>, new: Version<'_>, budget: &Budget) -> DocPatch {
    let mut patch = DocPatch::new(MEMBER, &old.doc.meta, &new.doc.meta);
    let names = NameMap::new(&old.doc.cost_map, &new.doc.cost_map);
    let pairs = pair_rows(&old.doc.cost_map, &new.doc.cost_map);
    patch.rows = pairs
        .par_iter()
        .filter_map(|pair| {
            if budget.done() {
                return None;
            }
            let frag = row_patch(old, new, &names, *pair, budget.want())?;
            budget.spend(&frag);
            Some(frag)
        })
        .collect();
    patch
}

/// A row of either version: in both (new row, old row), new only, old only.
#[derive(Debug, Clone, Copy)]
enum Pair {
    Both(usize, usize),
    Added(usize),
    Removed(usize),
}

fn name(table: &CostTable, index: u32) -> &str {
    &table.names()[index as usize]
}

/// Rows matched by source name: both tables' sources ascend by name.
fn pair_rows(old: &CostTable, new: &CostTable) -> Vec<Pair> {
    let (old_srcs, new_srcs) = (old.sources(), new.sources());
    let mut pairs = Vec::with_capacity(new_srcs.len());
    let (mut o, mut n) = (0, 0);
    loop {
        let pair = match (old_srcs.get(o), new_srcs.get(n)) {
            (Some(&os), Some(&ns)) => match name(old, os).cmp(name(new, ns)) {
                std::cmp::Ordering::Equal => Pair::Both(n, o),
                std::cmp::Ordering::Less => Pair::Removed(o),
                std::cmp::Ordering::Greater => Pair::Added(n),
            },
            (Some(_), None) => Pair::Removed(o),
            (None, Some(_)) => Pair::Added(n),
            (None, None) => return pairs,
        };
        match pair {
            Pair::Both(..) => (o, n) = (o + 1, n + 1),
            Pair::Removed(_) => o += 1,
            Pair::Added(_) => n += 1,
        }
        pairs.push(pair);
    }
}

/// The patch of one row, `None` if it did not change.
fn row_patch(
    old: Version<'_>,
    new: Version<'_>,
    names: &NameMap,
    pair: Pair,
    want: Want,
) -> Option<Frag> {
    let (old_t, new_t) = (&old.doc.cost_map, &new.doc.cost_map);
    match pair {
        Pair::Added(n) => {
            let key = &new_t.names()[new_t.sources()[n] as usize];
            Some(Frag::added(
                want,
                MEMBER,
                key,
                &row_text(&new.body.rows()[n]),
                true,
            ))
        }
        Pair::Removed(o) => {
            let key = &old_t.names()[old_t.sources()[o] as usize];
            Some(Frag::removed(want, MEMBER, key))
        }
        Pair::Both(n, o) => {
            let (old_pieces, new_pieces) = (&old.body.rows()[o], &new.body.rows()[n]);
            if same_pieces(old_pieces, new_pieces) {
                return None;
            }
            let key = &new_t.names()[new_t.sources()[n] as usize];
            let mut row = RowPatch::new(want, MEMBER, key);
            let rows = Rows {
                old: (old_t, o),
                new: (new_t, n),
                names,
            };
            let detect = !want.merge && !want.json;
            rows.changed_entries(old_pieces, new_pieces, &mut row, detect);
            if !(detect && row.changed()) {
                rows.removed_entries(old_pieces, new_pieces, &mut row);
            }
            row.changed().then(|| row.finish())
        }
    }
}

/// Every piece the same, in the same order.
fn same_pieces(old: &[(usize, Arc<Piece>)], new: &[(usize, Arc<Piece>)]) -> bool {
    old.len() == new.len() && old.iter().zip(new).all(|(a, b)| Arc::ptr_eq(&a.1, &b.1))
}

/// `{<segment>,<segment>,…}`: the row's text in the body.
fn row_text(pieces: &[(usize, Arc<Piece>)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(pieces.iter().map(|(_, p)| p.len() + 1).sum::<usize>() + 2);
    out.push(b'{');
    for (i, (_, piece)) in pieces.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(piece.identity());
    }
    out.push(b'}');
    out
}

/// The pieces of `pieces` that are not among `others`, with their entry
/// ranges.
fn own_segments<'p>(
    pieces: &'p [(usize, Arc<Piece>)],
    others: &[(usize, Arc<Piece>)],
    row_len: usize,
) -> impl Iterator<Item = (std::ops::Range<usize>, &'p Piece)> + 'p {
    let mut shared: Vec<*const Piece> = others.iter().map(|(_, p)| Arc::as_ptr(p)).collect();
    shared.sort_unstable();
    pieces
        .iter()
        .enumerate()
        .filter_map(move |(i, (start, piece))| {
            let end = pieces.get(i + 1).map_or(row_len, |(s, _)| *s);
            shared
                .binary_search(&Arc::as_ptr(piece))
                .is_err()
                .then_some((*start..end, &**piece))
        })
}

/// A row present in both tables: (table, row index) of each.
struct Rows<'a> {
    old: (&'a CostTable, usize),
    new: (&'a CostTable, usize),
    names: &'a NameMap,
}

impl Rows<'_> {
    /// New or changed entries, from the new row's own segments. `detect`:
    /// stop at the first change (no patch is written). A segment whose
    /// every entry changed (a peer's new costs) goes into the merge patch
    /// as the body's own text of it: no number is written again.
    fn changed_entries(
        &self,
        old_pieces: &[(usize, Arc<Piece>)],
        new_pieces: &[(usize, Arc<Piece>)],
        row: &mut RowPatch<'_>,
        detect: bool,
    ) {
        let (new_t, n) = self.new;
        let (old_t, o) = self.old;
        let own: Vec<_> = own_segments(new_pieces, old_pieces, new_t.row_len(n)).collect();
        if own.is_empty() {
            return;
        }
        // The rows over their blocks' slices, never copied.
        let (new_row, old_row) = (RowView::new(new_t, n), RowView::new(old_t, o));
        let mut value = Vec::with_capacity(24);
        // (entry in the segment, whether the old row had it) of its changes.
        let mut changed: Vec<(usize, bool)> = Vec::new();
        for (range, piece) in own {
            changed.clear();
            // A segment lies in one block.
            let Some((dsts, costs)) = new_row.slice(range.clone()) else {
                continue;
            };
            // Old destinations ascend like the new ones: one cursor per
            // segment, usually at the entry sought (the same destinations).
            let mut cursor = old_row.cursor();
            for (i, (&dst, cost)) in dsts.iter().zip(costs).enumerate() {
                let old_cost = self.names.new_in_old(dst).and_then(|od| cursor.find(od));
                if old_cost.is_some_and(|c| c.to_bits() == cost.to_bits()) {
                    continue;
                }
                changed.push((i, old_cost.is_some()));
                if detect {
                    row.mark_changed();
                    return;
                }
            }
            if changed.is_empty() {
                continue;
            }
            let whole = changed.len() == dsts.len();
            if whole {
                row.merge_members(piece.identity());
                if !row.wants_json() {
                    continue;
                }
            }
            for &(i, existed) in &changed {
                value.clear();
                write_cost(&mut value, costs[i]);
                let dst = &new_t.names()[dsts[i] as usize];
                if whole {
                    row.set_json(dst, existed, &value);
                } else {
                    row.set(dst, existed, Some(&value), &value);
                }
            }
        }
    }

    /// Old destinations missing from the new row, from the old row's own
    /// segments.
    fn removed_entries(
        &self,
        old_pieces: &[(usize, Arc<Piece>)],
        new_pieces: &[(usize, Arc<Piece>)],
        row: &mut RowPatch<'_>,
    ) {
        let (new_t, n) = self.new;
        let (old_t, o) = self.old;
        let own: Vec<_> = own_segments(old_pieces, new_pieces, old_t.row_len(o)).collect();
        if own.is_empty() {
            return;
        }
        let (new_row, old_row) = (RowView::new(new_t, n), RowView::new(old_t, o));
        for (range, _) in own {
            let Some((old_dsts, _)) = old_row.slice(range) else {
                continue;
            };
            // Mapped names ascend too: one cursor along the new row.
            let mut cursor = new_row.cursor();
            for &od in old_dsts {
                let kept = self
                    .names
                    .old_in_new(od)
                    .is_some_and(|nd| cursor.find(nd).is_some());
                if !kept {
                    row.remove(&old_t.names()[od as usize]);
                }
            }
        }
    }
}

/// Name indices of one table in the other. Usually the names are the same
/// (a peer's costs changed, not its PIDs), and no map is built.
#[derive(Debug)]
enum NameMap {
    Same,
    Mapped {
        new_in_old: Vec<Option<u32>>,
        old_in_new: Vec<Option<u32>>,
    },
}

impl NameMap {
    fn new(old: &CostTable, new: &CostTable) -> Self {
        if old.names() == new.names() {
            return NameMap::Same;
        }
        let (old_names, new_names) = (old.names(), new.names());
        let mut new_in_old = vec![None; new_names.len()];
        let mut old_in_new = vec![None; old_names.len()];
        // Both sorted and unique: one merge walk.
        let (mut o, mut n) = (0, 0);
        while o < old_names.len() && n < new_names.len() {
            match old_names[o].cmp(&new_names[n]) {
                std::cmp::Ordering::Less => o += 1,
                std::cmp::Ordering::Greater => n += 1,
                std::cmp::Ordering::Equal => {
                    new_in_old[n] = u32::try_from(o).ok();
                    old_in_new[o] = u32::try_from(n).ok();
                    (o, n) = (o + 1, n + 1);
                }
            }
        }
        NameMap::Mapped {
            new_in_old,
            old_in_new,
        }
    }

    fn new_in_old(&self, n: u32) -> Option<u32> {
        match self {
            NameMap::Same => Some(n),
            NameMap::Mapped { new_in_old, .. } => new_in_old[n as usize],
        }
    }

    fn old_in_new(&self, o: u32) -> Option<u32> {
        match self {
            NameMap::Same => Some(o),
            NameMap::Mapped { old_in_new, .. } => old_in_new[o as usize],
        }
    }
}
