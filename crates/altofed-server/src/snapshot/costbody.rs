//! A cost map's GET body, built from [`Piece`]s so that the next snapshot
//! can take over the compressed text of every part that did not change.
//!
//! A row of the published cost map is one JSON object over all peers, so a
//! change at one peer touches every row. The body is therefore cut inside
//! rows: a *segment* is a run of a row's destinations with the same group
//! (the name up to its first `:`: one peer, as altofed publishes
//! `<peer>:<pid>`), at most [`SEGMENT_MAX`] entries. Each segment's text is
//! one piece; the text between them (`,`, `},"pid9":{`, the meta) is glue.
//! Segments never cross the table's column blocks (one per peer).
//! A segment is reused when the previous snapshot's table has, in the row of
//! the same source, a segment starting at the same destination with the
//! same destinations and bit-identical costs: compared as arrays, never by
//! serializing again, and not compared at all when its block is the old
//! table's (shared, or of equal digest) and the names are the same: after
//! one peer's change only that peer's block is looked at.

use std::collections::HashMap;
use std::sync::Arc;

use altofed_model::{Block, Cost, CostTable, CostTableDoc};
use rayon::prelude::*;

use super::namekeys::NameKeys;
use super::{Encoded, Piece};

/// Most entries in one segment: bounds a piece's size (~40 kB of JSON at
/// 25 bytes an entry) for peers with very many PIDs.
const SEGMENT_MAX: usize = 1_700;

/// The pieces of one cost map body, kept with the snapshot for the next.
#[derive(Debug, Clone, Default)]
pub struct CostBody {
    /// Per row of the table: (first entry of the segment, its piece).
    rows: Vec<Vec<(usize, Arc<Piece>)>>,
    /// Pieces taken over from the previous body, for the size metric.
    pub reused: usize,
    /// Pieces written for this body (and compressed for it, after it is
    /// published).
    pub built: usize,
    /// What its pieces were written with, for the next body on the same
    /// names.
    names: Option<Arc<NameKeys>>,
}

impl CostBody {
    /// Per row of the table: (first entry of each segment, its piece). A
    /// piece shared (`Arc::ptr_eq`) with an older body of the same resource
    /// is in the row of the same source and holds the same destinations and
    /// bit-identical costs (the reuse test below), which is what lets the
    /// update streams skip it without looking inside.
    pub(crate) fn rows(&self) -> &[Vec<(usize, Arc<Piece>)>] {
        &self.rows
    }
}

/// A cost as every cost map body writes it ([`Cost`]'s number form through
/// serde_json); update stream patches use it too, so their values are the
/// body's text.
pub(crate) fn write_cost(out: &mut Vec<u8>, cost: f64) {
    // Writing a number to a Vec cannot fail.
    let _ = serde_json::to_writer(out, &Cost(cost));
}

/// Encodes `doc`, reusing what it can of `previous` (the same resource in
/// the last snapshot, with its table).
pub fn encode_cost_map(
    doc: &CostTableDoc,
    previous: Option<(&CostTableDoc, &CostBody)>,
) -> (Encoded, CostBody) {
    let table = &doc.cost_map;
    let names = NameKeys::of(table, previous.and_then(|(_, body)| body.names.as_ref()));
    let (keys, groups) = (&names.keys, &names.groups);
    let reuse = previous.map(|(doc, body)| Reuse::new(table, &doc.cost_map, body));
    // Rows in parallel: the reuse test compares every pair of a changed
    // block.
    let plan: Vec<Vec<(Segment, Option<Arc<Piece>>)>> = (0..table.row_count())
        .into_par_iter()
        .map(|r| plan_row(table, groups, r, reuse.as_ref()))
        .collect();
    let mut reused = 0;
    let mut wanted = Vec::new();
    for (r, segs) in plan.iter().enumerate() {
        for (i, (seg, found)) in segs.iter().enumerate() {
            reused += usize::from(found.is_some());
            if found.is_none() {
                wanted.push((r, i, seg.clone()));
            }
        }
    }
    let mut rows: Vec<Vec<(usize, Option<Arc<Piece>>)>> = (plan.into_iter())
        .map(|segs| segs.into_iter().map(|(s, p)| (s.at, p)).collect())
        .collect();
    let built: Vec<(usize, usize, Arc<Piece>)> = wanted
        .par_iter()
        .map(|(r, i, seg)| (*r, *i, Arc::new(segment_piece(table, keys, *r, seg))))
        .collect();
    let built_count = built.len();
    for (r, i, piece) in built {
        rows[r][i].1 = Some(piece);
    }
    let rows: Vec<Vec<(usize, Arc<Piece>)>> = rows
        .into_iter()
        .map(|row| {
            row.into_iter()
                .filter_map(|(start, p)| Some((start, p?)))
                .collect()
        })
        .collect();
    let encoded = assemble(doc, &rows);
    let body = CostBody {
        rows,
        reused,
        built: built_count,
        names: Some(names),
    };
    (encoded, body)
}

/// Entries `start..end` of a row of block `block`, all of one group;
/// `at` is where `start` is in the whole row.
#[derive(Debug, Clone)]
struct Segment {
    block: usize,
    start: usize,
    end: usize,
    at: usize,
}

/// The segments of row `r`, block after block, each with the previous
/// body's piece when it has one of the same text. A block the previous
/// table has too keeps its pieces as they were cut, without being looked
/// at: after one peer's change, only that peer's block is cut and compared.
fn plan_row(
    table: &CostTable,
    groups: &[u32],
    r: usize,
    reuse: Option<&Reuse<'_>>,
) -> Vec<(Segment, Option<Arc<Piece>>)> {
    let mut out = Vec::new();
    let mut at = 0;
    for (block, b) in table.blocks().iter().enumerate() {
        let (dsts, _) = b.row(r);
        let kept = reuse.and_then(|u| u.block_pieces(r, block, at, dsts.len()));
        match kept {
            Some(kept) => out.extend(kept.into_iter().map(|(s, p)| (s, Some(p)))),
            None => {
                let segs = block_segments(groups, dsts, block, at);
                let found = |seg: &Segment| reuse.and_then(|u| u.find(table, r, seg));
                out.extend(segs.into_iter().map(|s| (s.clone(), found(&s))));
            }
        }
        at += dsts.len();
    }
    out
}

/// The segments of a row's entries `dsts` in block `block`, which starts
/// at `at` in the whole row.
fn block_segments(groups: &[u32], dsts: &[u32], block: usize, at: usize) -> Vec<Segment> {
    let group = |i: usize| groups[dsts[i] as usize];
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=dsts.len() {
        if i == dsts.len() || i - start == SEGMENT_MAX || group(i) != group(start) {
            out.push(Segment {
                block,
                start,
                end: i,
                at: at + start,
            });
            start = i;
        }
    }
    out
}

/// The text of one segment: `"d1":c1,"d2":c2`, as serde_json writes it.
fn segment_piece(table: &CostTable, keys: &[Vec<u8>], r: usize, seg: &Segment) -> Piece {
    let (dsts, costs) = table.blocks()[seg.block].row(r);
    let mut text = Vec::with_capacity(segment_capacity(keys, &dsts[seg.start..seg.end]));
    for i in seg.start..seg.end {
        if i > seg.start {
            text.push(b',');
        }
        text.extend_from_slice(&keys[dsts[i] as usize]);
        write_cost(&mut text, costs[i]);
    }
    Piece::deferred(text)
}

/// Most bytes serde_json writes for one finite `f64` (`-2.2250738585072014e-308`).
const COST_TEXT_MAX: usize = 24;

/// Bytes enough for the text of a segment over `dsts`: their keys, a cost
/// of the longest form and a comma each. Growing the buffer instead copied
/// each segment's text once or twice more, about a quarter of writing it
/// (issue #16); [`Piece::deferred`] gives back what is left over.
fn segment_capacity(keys: &[Vec<u8>], dsts: &[u32]) -> usize {
    let keys_len: usize = dsts.iter().map(|&d| keys[d as usize].len()).sum();
    keys_len + dsts.len() * (COST_TEXT_MAX + 1)
}

/// Glue and pieces in body order: `{"meta":…,"cost-map":{"src":{…},…}}`,
/// compressed after it is published ([`Encoded::from_pieces_deferred`]).
fn assemble(doc: &CostTableDoc, rows: &[Vec<(usize, Arc<Piece>)>]) -> Encoded {
    let table = &doc.cost_map;
    let names = table.names();
    // The text before the next piece.
    let mut glue = b"{\"meta\":".to_vec();
    let _ = serde_json::to_writer(&mut glue, &doc.meta);
    glue.extend_from_slice(b",\"cost-map\":{");
    // Between two segments of a row: one piece for all of them, instead of
    // a few thousand of one byte each, built again for every publish.
    let comma = Arc::new(Piece::glue(b","));
    let mut order: Vec<Arc<Piece>> =
        Vec::with_capacity(2 * rows.iter().map(Vec::len).sum::<usize>() + 1);
    for (r, (row, &src)) in rows.iter().zip(table.sources()).enumerate() {
        if r > 0 {
            glue.push(b',');
        }
        let _ = serde_json::to_writer(&mut glue, &*names[src as usize]);
        glue.extend_from_slice(b":{");
        for (i, (_, piece)) in row.iter().enumerate() {
            if i == 0 {
                order.push(Arc::new(Piece::glue(&glue)));
                glue.clear();
            } else {
                order.push(comma.clone());
            }
            order.push(piece.clone());
        }
        glue.push(b'}');
    }
    glue.extend_from_slice(b"}}");
    order.push(Arc::new(Piece::glue(&glue)));
    Encoded::from_pieces_deferred(order)
}

/// What the previous body offers: its pieces by (row source, first
/// destination), and its names mapped from this table's.
struct Reuse<'a> {
    old: &'a CostTable,
    /// This table's name index -> the old table's, if the name is there;
    /// `None` when the names are the same.
    name_map: Option<Vec<Option<u32>>>,
    /// Old row index by source name index (old numbering).
    old_rows: HashMap<u32, usize>,
    /// Per block of the new table: the old table's block of the same
    /// names and content, if it has one (only when the rows and names are
    /// the same).
    same_block: Vec<Option<usize>>,
    body: &'a CostBody,
}

impl<'a> Reuse<'a> {
    fn new(new: &CostTable, old: &'a CostTable, body: &'a CostBody) -> Self {
        let renamed = !new.shares_names(old) && new.names() != old.names();
        let name_map = renamed.then(|| {
            let old_names = old.names();
            (new.names().iter())
                .map(|n| {
                    let i = old_names.binary_search(n).ok()?;
                    u32::try_from(i).ok()
                })
                .collect()
        });
        let same_rows = new.sources() == old.sources();
        let same_block = (new.blocks().iter())
            .map(|b| {
                let comparable = name_map.is_none() && same_rows;
                comparable.then(|| old.blocks().iter().position(|o| same_content(b, o)))?
            })
            .collect();
        let old_rows = old.sources().iter().copied().zip(0..).collect();
        Self {
            old,
            name_map,
            old_rows,
            same_block,
            body,
        }
    }

    fn old_name(&self, new: u32) -> Option<u32> {
        match &self.name_map {
            None => Some(new),
            Some(map) => map[new as usize],
        }
    }

    /// The old body's segments and pieces of block `block` in row `r`
    /// (`len` entries from `at` in the row), when the old table has the
    /// same block: they hold the same text, however they were cut.
    fn block_pieces(
        &self,
        r: usize,
        block: usize,
        at: usize,
        len: usize,
    ) -> Option<Vec<(Segment, Arc<Piece>)>> {
        let ob = self.same_block[block]?;
        // Same rows: row `r` is the old table's row `r`.
        let old_at = (self.old.blocks()[..ob].iter())
            .map(|b| b.row(r).0.len())
            .sum::<usize>();
        let pieces = self.body.rows.get(r)?;
        let first = pieces.partition_point(|(s, _)| *s < old_at);
        let last = pieces.partition_point(|(s, _)| *s < old_at + len);
        let ours = &pieces[first..last];
        // They must cover the block's entries exactly, from its first.
        if len > 0 && ours.first().map(|(s, _)| *s) != Some(old_at) {
            return None;
        }
        let ends = ours.iter().skip(1).map(|(s, _)| *s).chain([old_at + len]);
        let segments = (ours.iter().zip(ends))
            .map(|((s, piece), end)| {
                let segment = Segment {
                    block,
                    start: s - old_at,
                    end: end - old_at,
                    at: at + s - old_at,
                };
                (segment, piece.clone())
            })
            .collect();
        Some(segments)
    }

    /// The old piece with exactly the text `seg` of row `r` would have.
    fn find(&self, new: &CostTable, r: usize, seg: &Segment) -> Option<Arc<Piece>> {
        let src = self.old_name(new.sources()[r])?;
        let old_r = *self.old_rows.get(&src)?;
        let (dsts, costs) = new.blocks()[seg.block].row(r);
        let (dsts, costs) = (&dsts[seg.start..seg.end], &costs[seg.start..seg.end]);
        let first = self.old_name(dsts[0])?;
        let old_blocks = self.old.blocks();
        let ob = old_blocks.partition_point(|b| b.names().end <= first);
        let (old_dsts, old_costs) = old_blocks.get(ob)?.row(old_r);
        let at = old_dsts.binary_search(&first).ok()?;
        let row_at = (old_blocks[..ob].iter())
            .map(|b| b.row(old_r).0.len())
            .sum::<usize>();
        let pieces = self.body.rows.get(old_r)?;
        let i = pieces.iter().position(|(s, _)| *s == row_at + at)?;
        // The old segment must also end where this one does.
        let old_len = self.old.row_len(old_r);
        let next_start = pieces.get(i + 1).map_or(old_len, |(s, _)| *s);
        if next_start != row_at + at + dsts.len() || at + dsts.len() > old_dsts.len() {
            return None;
        }
        let end = at + dsts.len();
        // A block the old table has too holds the same text here: nothing
        // to compare.
        // Costs first: after a peer's change they differ from the first.
        let same = self.same_block[seg.block].is_some()
            || (old_costs[at..end].iter())
                .zip(costs)
                .all(|(o, c)| o.to_bits() == c.to_bits())
                && (old_dsts[at..end].iter())
                    .zip(dsts)
                    .all(|(o, d)| self.old_name(*d) == Some(*o));
        same.then(|| pieces[i].1.clone())
    }
}

/// Blocks of equal names and content: the same block, or equal digests
/// where both are known (a numerical map's were computed for its vtag; an
/// ordinal map's blocks are not hashed for this: their costs are compared).
fn same_content(a: &Block, b: &Block) -> bool {
    let digests = a.known_digest().zip(b.known_digest());
    a.names() == b.names() && (std::ptr::eq(a, b) || digests.is_some_and(|(x, y)| x == y))
}
