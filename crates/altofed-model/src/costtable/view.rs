//! A row of a [`CostTable`] addressed by position in the whole row, over
//! its blocks' own slices: for code that walks two rows side by side (the
//! update streams' diff) without copying rows that span blocks.

use super::CostTable;

/// Row `r` of a table as its blocks' non-empty slices.
#[derive(Debug, Clone)]
pub struct RowView<'a> {
    /// (position of the part's first entry in the row, dsts, costs).
    parts: Vec<(usize, &'a [u32], &'a [f64])>,
    len: usize,
}

impl<'a> RowView<'a> {
    pub fn new(table: &'a CostTable, r: usize) -> Self {
        let mut len = 0;
        let parts = (table.row_segments(r))
            .map(|(d, c)| {
                len += d.len();
                (len - d.len(), d, c)
            })
            .collect();
        Self { parts, len }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The destination and cost at position `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<(u32, f64)> {
        let (at, d, c) = self.parts.get(self.part_of(i))?;
        Some((d[i - at], c[i - at]))
    }

    /// The part holding position `i` (`parts.len()` past the end).
    fn part_of(&self, i: usize) -> usize {
        self.parts.partition_point(|(at, d, _)| at + d.len() <= i)
    }

    /// A cursor at the row's first entry.
    pub fn cursor(&self) -> RowCursor<'_, 'a> {
        RowCursor {
            view: self,
            pos: 0,
            part: 0,
        }
    }

    /// The first position at or after `from` whose destination is not
    /// below `dst` (`len` if none): destinations ascend along the row.
    pub fn seek(&self, from: usize, dst: u32) -> usize {
        for &(at, d, _) in &self.parts[self.part_of(from)..] {
            let local = from.saturating_sub(at);
            if d.last().is_some_and(|&last| last >= dst) {
                return at + local + d[local..].partition_point(|&x| x < dst);
            }
        }
        self.len
    }

    /// Destinations and costs at `range`, when one block holds them all
    /// (a segment of the row's body, which never crosses blocks).
    pub fn slice(&self, range: std::ops::Range<usize>) -> Option<(&'a [u32], &'a [f64])> {
        let &(at, d, c) = self.parts.get(self.part_of(range.start))?;
        let local = range.start.checked_sub(at)?..range.end.checked_sub(at)?;
        Some((d.get(local.clone())?, c.get(local)?))
    }
}

/// Finds destinations in ascending order along a [`RowView`], each from
/// where the last was found: usually the next entry, checked in place.
#[derive(Debug)]
pub struct RowCursor<'v, 'a> {
    view: &'v RowView<'a>,
    /// Position of the next entry, in part `part`.
    pos: usize,
    part: usize,
}

impl RowCursor<'_, '_> {
    /// The cost to `dst` if the row has it at or after the cursor; the
    /// cursor moves past it, or (if absent) to the first entry above it.
    pub fn find(&mut self, dst: u32) -> Option<f64> {
        let parts = &self.view.parts;
        let here = parts.get(self.part).and_then(|&(at, d, c)| {
            let local = self.pos - at;
            (d.get(local) == Some(&dst)).then(|| (c[local], local + 1 == d.len()))
        });
        if let Some((cost, last_of_part)) = here {
            self.pos += 1;
            self.part += usize::from(last_of_part);
            return Some(cost);
        }
        self.pos = self.view.seek(self.pos, dst);
        self.part = self.view.part_of(self.pos);
        let (found, cost) = self.view.get(self.pos)?;
        (found == dst).then(|| {
            self.pos += 1;
            self.part = self.view.part_of(self.pos);
            cost
        })
    }
}
