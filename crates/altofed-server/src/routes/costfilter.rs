//! Filtered cost maps (RFC 7285 §11.3.2), with work bounded by what the
//! server allows: the requested PIDs are resolved to table indices and
//! deduplicated first (RFC 7285 gives a repeated PID no meaning), the
//! pairs they select are counted against `max-pairs-per-request` before
//! anything proportional to them is allocated, and the answer is written
//! straight into the response buffer.

use std::sync::Arc;

use altofed_model::error::ErrorDoc;
use altofed_model::filter::{Constraint, CostMapFilter};
use altofed_model::{CostMapMeta, CostTable};

use super::direction::{self, Kinds, PublishedDirection};
use super::filtered::parse_constraints;
use super::jsonout::CostRowsWriter;
use super::limits::too_many_pairs;
use super::offload::{Cancel, Planned};
use crate::http::ApiError;
use crate::snapshot::Snapshot;

/// The pairs one filtered cost map request selects, resolved and counted.
#[derive(Debug)]
pub(crate) struct CostSelection {
    snapshot: Arc<Snapshot>,
    /// Index into the snapshot's cost maps.
    map: usize,
    /// Table rows, ascending and distinct.
    rows: Vec<usize>,
    /// Destination name indices, ascending and distinct; `None`: all.
    dsts: Option<Vec<u32>>,
    constraints: Vec<Constraint>,
    pairs: u64,
}

impl CostSelection {
    /// Checks `filter` against cost map number `map` of `snapshot` and
    /// resolves its PIDs. Unknown PIDs are ignored and empty lists mean
    /// all (RFC 7285 §11.3.2.3); more than `max_pairs` candidate pairs is
    /// an error, and so are pairs all in the direction that is not
    /// `published` ([`direction`]).
    pub(crate) fn new(
        snapshot: Arc<Snapshot>,
        map: usize,
        filter: &CostMapFilter,
        max_pairs: u64,
        published: Option<PublishedDirection>,
    ) -> Result<Self, ApiError> {
        let entry = &snapshot.cost_maps[map];
        check_cost_type(&entry.doc.meta.cost_type, filter)?;
        let constraints = parse_constraints(filter.constraints.as_deref().unwrap_or_default())?;
        let table = &entry.doc.cost_map;
        let (srcs, dsts) = filter
            .pids
            .as_ref()
            .map_or((&[][..], &[][..]), |p| (&p.srcs[..], &p.dsts[..]));
        let kinds = |list: &[String]| {
            if list.is_empty() {
                return Kinds::all();
            }
            let mut kinds = Kinds::default();
            list.iter().for_each(|pid| kinds.add(&snapshot, pid));
            kinds
        };
        if published.is_some() {
            direction::check(published, kinds(srcs), kinds(dsts), "pids/srcs")?;
        }
        let rows = if srcs.is_empty() {
            (0..table.row_count()).collect()
        } else {
            distinct(srcs.iter().filter_map(|s| table.row_of(s)))
        };
        let dsts =
            (!dsts.is_empty()).then(|| distinct(dsts.iter().filter_map(|d| table.name_index(d))));
        let pairs = candidate_pairs(table, &rows, dsts.as_deref());
        if pairs > max_pairs {
            return Err(too_many_pairs("pids", pairs, max_pairs));
        }
        Ok(Self {
            snapshot,
            map,
            rows,
            dsts,
            constraints,
            pairs,
        })
    }
}

impl Planned for CostSelection {
    /// Pairs with a cost among those requested (an upper bound of the
    /// answer's size).
    fn pairs(&self) -> u64 {
        self.pairs
    }

    fn write(&self, cancel: &Cancel) -> Result<Vec<u8>, ApiError> {
        let entry = &self.snapshot.cost_maps[self.map];
        let table = &entry.doc.cost_map;
        let meta = CostMapMeta {
            dependent_vtags: vec![self.snapshot.network_map_vtag().clone()],
            cost_type: entry.doc.meta.cost_type.clone(),
            vtag: None,
        };
        let passes = |cost: f64| self.constraints.iter().all(|c| c.holds(cost));
        let names = table.names();
        let mut out = CostRowsWriter::start(&meta, "cost-map", 0);
        for &r in &self.rows {
            cancel.check()?;
            out.begin_row(&names[table.sources()[r] as usize]);
            for (dsts, costs) in table.row_segments(r) {
                let mut emit = |i: usize| {
                    if passes(costs[i]) {
                        out.entry(&names[dsts[i] as usize], costs[i]);
                    }
                };
                match &self.dsts {
                    None => (0..dsts.len()).for_each(&mut emit),
                    Some(wanted) => matching(dsts, wanted, emit),
                }
            }
            out.end_row();
        }
        Ok(out.finish())
    }
}

/// The cost type must be this map's (RFC 7285 §11.3.2.3).
fn check_cost_type(own: &altofed_model::CostType, filter: &CostMapFilter) -> Result<(), ApiError> {
    if filter.cost_type.cost_metric != own.cost_metric {
        return Err(ErrorDoc::invalid_field_value(
            "cost-type/cost-metric",
            filter.cost_type.cost_metric.clone(),
        )
        .into());
    }
    if filter.cost_type.cost_mode != own.cost_mode {
        let mode = filter.cost_type.cost_mode.as_str();
        return Err(ErrorDoc::invalid_field_value("cost-type/cost-mode", mode).into());
    }
    Ok(())
}

/// Sorted and without repeats.
fn distinct<T: Ord>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut v: Vec<T> = items.collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Pairs with a cost that `rows` x `dsts` can select, counted per row
/// without looking at the destinations (at most the row's length).
fn candidate_pairs(table: &CostTable, rows: &[usize], dsts: Option<&[u32]>) -> u64 {
    rows.iter()
        .map(|&r| {
            let len = table.row_len(r);
            dsts.map_or(len, |d| len.min(d.len())) as u64
        })
        .sum()
}

/// Calls `emit(i)` for each position `i` of `have` whose value is in
/// `wanted`; both ascending. A merge when the lists are of like size, a
/// binary search per wanted name when the row is much longer.
fn matching(have: &[u32], wanted: &[u32], mut emit: impl FnMut(usize)) {
    if wanted.len() * 16 < have.len() {
        for w in wanted {
            if let Ok(i) = have.binary_search(w) {
                emit(i);
            }
        }
        return;
    }
    let (mut i, mut j) = (0, 0);
    while i < have.len() && j < wanted.len() {
        match have[i].cmp(&wanted[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                emit(i);
                i += 1;
                j += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_finds_the_common_positions_both_ways() {
        let have: Vec<u32> = (0..100).map(|x| x * 2).collect();
        for wanted in [vec![0, 3, 4, 198, 199], vec![4], (0..200).collect()] {
            let mut got = Vec::new();
            matching(&have, &wanted, |i| got.push(have[i]));
            let expected: Vec<u32> = wanted.iter().copied().filter(|w| w % 2 == 0).collect();
            assert_eq!(got, expected);
        }
    }

    #[test]
    fn distinct_sorts_and_drops_repeats() {
        assert_eq!(distinct([3, 1, 3, 2, 1].into_iter()), vec![1, 2, 3]);
    }
}
