//! Every subscriber PID's ranking of the placed nodes (every node with a
//! PID, whatever its status: statuses filter a ranking, they never reorder
//! it), lower cost first, then the tie rule. Built from the cost map in one
//! pass over the entries that matter; when only some costs changed, only
//! the PIDs whose costs changed are ranked again. Rankings are kept in
//! blocks of [`BLOCK`] PIDs (by lookup index, that is by name, so one
//! peer's PIDs are neighbours); a block without a changed PID is the
//! previous table's, shared, not copied.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use altofed_model::costtable::CostTable;
use altofed_model::{Cost, RowBuf};

use super::placement::Placement;
use super::Ranked;

/// PIDs per block (a few in tests, so that they have several blocks).
#[cfg(not(test))]
const BLOCK: usize = 64;
#[cfg(test)]
const BLOCK: usize = 4;

/// Rankings by PID (lookup index).
#[derive(Debug, Default)]
pub(crate) struct Rankings {
    /// PIDs `b * BLOCK ..` in block `b`.
    blocks: Vec<Arc<Block>>,
    /// Costs were read from rows subscriber PID -> node PID.
    pub reverse: bool,
}

/// The rankings of up to [`BLOCK`] PIDs, flat.
#[derive(Debug, Default)]
struct Block {
    /// Per PID: its ranking in `ranked`; `None` for PIDs that have none
    /// (node PIDs, the catch-all, PIDs no node has a cost to).
    spans: Vec<Option<(usize, usize)>>,
    ranked: Vec<Ranked>,
}

impl Rankings {
    /// Ranks every PID from `costs`.
    pub fn build(placement: &Placement, costs: &CostTable, tie: &[usize]) -> Rankings {
        let reverse = has_reverse_rows(placement, costs);
        let lists = Lists::new(placement).collect(costs, reverse, |_| true);
        assemble(None, lists, None, tie, reverse)
    }

    /// Ranks again, from `new`, only the PIDs whose costs differ from
    /// `old` (the costs `self` was ranked from, with the same placement);
    /// `None` when the cost maps differ in shape (rows or destinations
    /// added, removed or reordered, or the orientation changed), which
    /// takes a full build. Also the number of PIDs ranked again.
    pub fn update(
        &self,
        placement: &Placement,
        old: &CostTable,
        new: &CostTable,
        tie: &[usize],
    ) -> Option<(Rankings, usize)> {
        let reverse = has_reverse_rows(placement, new);
        if reverse != self.reverse {
            return None;
        }
        let lists = Lists::new(placement);
        let dirty = if reverse {
            lists.changed_rows(old, new)
        } else {
            lists.changed_columns(old, new)?
        };
        let changed = dirty.iter().filter(|d| **d).count();
        let fresh = lists.collect(new, reverse, |i| dirty[i]);
        Some((
            assemble(Some(self), fresh, Some(&dirty), tie, reverse),
            changed,
        ))
    }

    /// The ranking of PID `index`, if it has one.
    pub fn get(&self, index: usize) -> Option<&[Ranked]> {
        let block = self.blocks.get(index / BLOCK)?;
        let (start, end) = (*block.spans.get(index % BLOCK)?)?;
        Some(&block.ranked[start..end])
    }
}

/// Whether `costs` has rows subscriber PID -> node PID (what an aggregator
/// publishes with `output.direction = both` or `subscriber-to-cdn`).
fn has_reverse_rows(placement: &Placement, costs: &CostTable) -> bool {
    let node_pids: HashSet<&str> = (placement.node_pids.iter().flatten())
        .map(|&i| placement.pid(i))
        .collect();
    costs.rows().any(|(src, row)| {
        !node_pids.contains(src) && row.iter().any(|(d, _)| node_pids.contains(d))
    })
}

/// Rankings in progress: each PID's placed nodes with their costs.
struct Lists<'a> {
    placement: &'a Placement,
    /// Subscriber PIDs by name.
    subscribers: HashMap<&'a str, usize>,
}

impl<'a> Lists<'a> {
    fn new(placement: &'a Placement) -> Lists<'a> {
        let subscribers = (0..placement.subscriber.len())
            .filter(|&i| placement.subscriber[i])
            .map(|i| (placement.pid(i), i))
            .collect();
        Lists {
            placement,
            subscribers,
        }
    }

    /// Each wanted subscriber PID's unsorted list. One pass over the cost
    /// entries that matter, never a lookup per (subscriber, node) pair.
    fn collect(
        &self,
        costs: &CostTable,
        reverse: bool,
        want: impl Fn(usize) -> bool,
    ) -> Vec<Vec<Ranked>> {
        let placed = self.placement.node_pids.iter().enumerate();
        let placed: Vec<(usize, usize)> = placed.filter_map(|(n, p)| Some((n, (*p)?))).collect();
        let mut lists: Vec<Vec<Ranked>> = vec![Vec::new(); self.placement.subscriber.len()];
        let ranked_at = |node, cost: Cost| Ranked {
            node,
            cost: Some(cost.0),
        };
        if reverse {
            let mut by_pid: HashMap<&str, Vec<usize>> = HashMap::new();
            for &(n, pid) in &placed {
                by_pid.entry(self.placement.pid(pid)).or_default().push(n);
            }
            for (src, row) in costs.rows() {
                let Some(&i) = self.subscribers.get(src).filter(|&&i| want(i)) else {
                    continue;
                };
                for (dst, cost) in row.iter() {
                    for &n in by_pid.get(dst).map_or(&[][..], Vec::as_slice) {
                        lists[i].push(ranked_at(n, cost));
                    }
                }
            }
            return lists;
        }
        let mut columns = Columns::default();
        for &(n, pid) in &placed {
            let Some(row) = costs.row(self.placement.pid(pid)) else {
                continue;
            };
            for (j, (dst, cost)) in row.iter().enumerate() {
                if let Some(i) = columns.at(j, dst, &self.subscribers).filter(|&i| want(i)) {
                    // Every placed node may rank here: one allocation.
                    lists[i].reserve(placed.len());
                    lists[i].push(ranked_at(n, cost));
                }
            }
        }
        lists
    }

    /// Rows subscriber -> node: the subscriber PIDs whose row is not the
    /// same (entries and cost bits) in `old` and `new`.
    fn changed_rows(&self, old: &CostTable, new: &CostTable) -> Vec<bool> {
        let mut dirty = vec![false; self.placement.subscriber.len()];
        for (&pid, &i) in &self.subscribers {
            let same = match (old.row(pid), new.row(pid)) {
                (None, None) => true,
                (Some(a), Some(b)) => {
                    a.len() == b.len()
                        && (a.iter().zip(b.iter())).all(|((da, ca), (db, cb))| {
                            da == db && ca.0.to_bits() == cb.0.to_bits()
                        })
                }
                _ => false,
            };
            dirty[i] = !same;
        }
        dirty
    }

    /// Rows node -> subscriber: the subscriber PIDs with a cost from some
    /// node PID that changed. `None` if the tables name other PIDs, or a
    /// node PID's row gained, lost or reordered destinations, or appeared
    /// or disappeared. Compared as the tables' arrays (name indices and
    /// cost bits), never by name.
    fn changed_columns(&self, old: &CostTable, new: &CostTable) -> Option<Vec<bool>> {
        if old.names() != new.names() {
            return None;
        }
        let subscriber_of: Vec<Option<usize>> = (new.names().iter())
            .map(|n| self.subscribers.get(&**n).copied())
            .collect();
        let mut dirty = vec![false; self.placement.subscriber.len()];
        let pids: HashSet<usize> = self.placement.node_pids.iter().flatten().copied().collect();
        let (mut old_buf, mut new_buf) = (RowBuf::default(), RowBuf::default());
        for pid in pids {
            let name = self.placement.pid(pid);
            let (a, b) = match (old.row_of(name), new.row_of(name)) {
                (None, None) => continue,
                (Some(a), Some(b)) => (
                    old.row_parts_in(a, &mut old_buf),
                    new.row_parts_in(b, &mut new_buf),
                ),
                _ => return None,
            };
            let ((dsts_a, costs_a), (dsts, costs)) = (a, b);
            if dsts_a != dsts {
                return None;
            }
            for (j, (ca, cb)) in costs_a.iter().zip(costs).enumerate() {
                if ca.to_bits() != cb.to_bits() {
                    if let Some(i) = subscriber_of[dsts[j] as usize] {
                        dirty[i] = true;
                    }
                }
            }
        }
        Some(dirty)
    }
}

/// Rows of a cost map hold the same interned names in the same order: a
/// column's PID is looked up by name once, then known by the name's
/// address (hashing each entry's name was most of a build).
#[derive(Default)]
struct Columns {
    seen: Vec<((usize, usize), Option<usize>)>,
}

impl Columns {
    /// The subscriber PID of destination `dst`, the `j`-th of its row.
    fn at(&mut self, j: usize, dst: &str, subscribers: &HashMap<&str, usize>) -> Option<usize> {
        let key = (dst.as_ptr() as usize, dst.len());
        if self.seen.len() <= j {
            // A null address is no name's: the entry is looked up below.
            self.seen.resize(j + 1, ((0, 0), None));
        }
        if self.seen[j].0 != key {
            self.seen[j] = (key, subscribers.get(dst).copied());
        }
        self.seen[j].1
    }
}

/// Sorts the lists of the PIDs `dirty` names (all without `dirty`) into
/// blocks; a block none of whose PIDs is dirty is taken from `previous`.
fn assemble(
    previous: Option<&Rankings>,
    lists: Vec<Vec<Ranked>>,
    dirty: Option<&[bool]>,
    tie: &[usize],
    reverse: bool,
) -> Rankings {
    let pids = lists.len();
    let mut lists = lists.into_iter();
    let mut blocks = Vec::with_capacity(pids.div_ceil(BLOCK));
    for b in 0..pids.div_ceil(BLOCK) {
        let range = b * BLOCK..pids.min((b + 1) * BLOCK);
        let mine = lists.by_ref().take(range.len());
        let kept = match (previous, dirty) {
            (Some(previous), Some(dirty)) => Some((previous, dirty)),
            _ => None,
        };
        if let Some((previous, dirty)) = kept {
            if !dirty[range.clone()].contains(&true) {
                if let Some(block) = previous.blocks.get(b) {
                    blocks.push(block.clone());
                    mine.for_each(drop);
                    continue;
                }
            }
        }
        let mut block = Block::default();
        for (i, mut list) in range.zip(mine) {
            let start = block.ranked.len();
            match kept {
                Some((previous, dirty)) if !dirty[i] => {
                    block
                        .ranked
                        .extend_from_slice(previous.get(i).unwrap_or_default());
                }
                _ => {
                    list.sort_unstable_by(|a, b| crate::node::order(tie, a, b));
                    block.ranked.extend(list);
                }
            }
            let end = block.ranked.len();
            block.spans.push((end > start).then_some((start, end)));
        }
        blocks.push(Arc::new(block));
    }
    Rankings { blocks, reverse }
}
