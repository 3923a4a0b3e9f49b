//! Composition: cost(P, s) = C_cdn(P, r) + c(l) + C_isp(b, s) over the
//! peering links l = (r, b) to one ISP (design §1).
//!
//! Both modes are a min-plus product of the (N x B) C_cdn matrix with a
//! (B x S) ISP matrix. Missing terms are `f64::INFINITY` and drop out of
//! the minimum; a result of infinity means "no value" for that pair.

mod reverse;

use rayon::prelude::*;
use serde::Deserialize;

use crate::cdn_cost::CdnCosts;

pub use reverse::{compose_reverse, Direction};

/// How an egress is chosen (design §1, draft scenarios 1 and 2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// CDN-level multipath: the minimum over all links.
    #[default]
    Multipath,
    /// Routing picks one exit per CDN PID: preference, hot potato, name.
    SinglePath,
}

/// One peering link as composition sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkTerm {
    pub name: String,
    /// Index of the CDN border router in [`CdnCosts`] columns.
    pub border: usize,
    /// c(l), in the CDN's scale.
    pub cost: f64,
    pub preference: i64,
}

/// A row-major matrix of costs with `f64::INFINITY` for "no value".
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f64>,
}

impl Matrix {
    pub fn filled(rows: usize, cols: usize, value: f64) -> Self {
        Self {
            rows,
            cols,
            data: vec![value; rows * cols],
        }
    }

    pub fn get(&self, row: usize, col: usize) -> f64 {
        self.data[row * self.cols + col]
    }

    pub fn row(&self, row: usize) -> &[f64] {
        &self.data[row * self.cols..(row + 1) * self.cols]
    }

    pub fn row_mut(&mut self, row: usize) -> &mut [f64] {
        &mut self.data[row * self.cols..(row + 1) * self.cols]
    }
}

/// C_cdn(P, r) + c(l): the cost of reaching the far end of each link.
fn link_base(cdn: &CdnCosts, pid: usize, link: &LinkTerm) -> f64 {
    cdn.get(pid, link.border) + link.cost
}

/// Multipath: `out[P][s] = min_l C_cdn(P, r_l) + c(l) + isp[l][s]`.
/// `isp` has one row per link (the ISP border PID's row of the ISP cost
/// map, already scaled) and one column per subscriber.
pub fn compose_multipath(cdn: &CdnCosts, links: &[LinkTerm], isp: &Matrix) -> Matrix {
    compose_rows(cdn, links, isp, |_| 0..links.len())
}

/// The kernel both modes share: for each CDN PID, the min-plus of its
/// reachable links among `links_of(pid)` with their ISP rows. Rows are
/// independent, so they run in parallel with rayon.
fn compose_rows<I: IntoIterator<Item = usize>>(
    cdn: &CdnCosts,
    links: &[LinkTerm],
    isp: &Matrix,
    links_of: impl Fn(usize) -> I + Sync,
) -> Matrix {
    assert_eq!(isp.rows, links.len(), "one ISP row per link");
    // Zeroed, not filled with infinity: every row is written in full
    // below, and a zeroed allocation may come from the OS already cleared.
    let mut out = Matrix::filled(cdn.pids(), isp.cols, 0.0);
    if isp.cols == 0 {
        return out;
    }
    out.data.par_chunks_mut(isp.cols).enumerate().for_each_init(
        Vec::new,
        |terms: &mut Vec<Term<'_>>, (pid, row)| {
            terms.clear();
            terms.extend(links_of(pid).into_iter().filter_map(|l| {
                let base = link_base(cdn, pid, &links[l]);
                base.is_finite().then(|| (base, isp.row(l)))
            }));
            min_plus_terms(row, terms);
        },
    );
    out
}

/// One link's contribution to a row: C_cdn + c(l), and the ISP row.
type Term<'a> = (f64, &'a [f64]);

/// Columns per block: a block of the output row (4 KiB) plus the blocks of
/// [`GROUP`] ISP rows stay in a 32 KiB L1 cache, whatever the row length.
const BLOCK: usize = 512;
/// Links folded per pass over a block: each pass loads and stores the
/// output once for `GROUP` min-plus steps instead of once per step.
const GROUP: usize = 4;

/// `row[s] = min over terms of base + isp[s]`, or infinity with no terms.
/// Terms are folded in order and a later term replaces the running value
/// only when strictly smaller, exactly like the definition's loop, so the
/// result is bit-identical to it.
fn min_plus_terms(row: &mut [f64], terms: &[Term<'_>]) {
    if terms.is_empty() {
        row.fill(f64::INFINITY);
        return;
    }
    for lo in (0..row.len()).step_by(BLOCK) {
        let hi = (lo + BLOCK).min(row.len());
        let block = &mut row[lo..hi];
        for (g, group) in terms.chunks(GROUP).enumerate() {
            let first = g == 0;
            match group.len() {
                1 => fold::<1>(block, group, lo, first),
                2 => fold::<2>(block, group, lo, first),
                3 => fold::<3>(block, group, lo, first),
                _ => fold::<GROUP>(block, group, lo, first),
            }
        }
    }
}

/// Folds `K` terms (columns from `lo`) into `out`. The first pass starts
/// from infinity instead of reading `out`: min(inf, x) is x, so the result
/// is the same and the output is only written. A plain indexed loop over
/// slices of equal length is what LLVM vectorises cleanly here (packed
/// SSE2 `addpd`/`minpd`, no shuffles; fixed-width array chunks made it
/// interleave lanes with `movhpd`/`unpcklpd`, see docs/benchmarks.md).
fn fold<const K: usize>(out: &mut [f64], group: &[Term<'_>], lo: usize, first: bool) {
    let n = out.len();
    let bases: [f64; K] = std::array::from_fn(|k| group[k].0);
    let rows: [&[f64]; K] = std::array::from_fn(|k| &group[k].1[lo..lo + n]);
    for (i, o) in out.iter_mut().enumerate() {
        let mut m = if first { f64::INFINITY } else { *o };
        for k in 0..K {
            m = min_of(m, bases[k] + rows[k][i]);
        }
        *o = m;
    }
}

/// `candidate` if strictly below `current`, else `current`: the
/// definition's tie rule, and the operand order of x86 `minpd`, so it
/// compiles to one instruction (`f64::min` needs extra NaN handling).
#[inline(always)]
fn min_of(current: f64, candidate: f64) -> f64 {
    if candidate < current {
        candidate
    } else {
        current
    }
}

/// The exit routing would choose for each CDN PID: a pinned link if any;
/// else among reachable links the highest preference, then the lowest
/// C_cdn + c(l) (hot potato), then the lowest link name (byte-wise `Ord` of
/// `String`: the name that sorts first). `None` when no link is reachable
/// from that PID.
pub fn choose_exits(
    cdn: &CdnCosts,
    links: &[LinkTerm],
    pins: &[Option<usize>],
) -> Vec<Option<usize>> {
    (0..cdn.pids())
        .map(|pid| {
            if let Some(Some(pinned)) = pins.get(pid) {
                return Some(*pinned);
            }
            links
                .iter()
                .enumerate()
                .filter(|(_, link)| link_base(cdn, pid, link).is_finite())
                .min_by(|(_, a), (_, b)| {
                    b.preference
                        .cmp(&a.preference)
                        .then(link_base(cdn, pid, a).total_cmp(&link_base(cdn, pid, b)))
                        .then(a.name.cmp(&b.name))
                })
                .map(|(l, _)| l)
        })
        .collect()
}

/// Single path: `out[P][s] = C_cdn(P, r*) + c(l*) + isp[l*][s]` for the exit
/// `l*` chosen for P (see [`choose_exits`]).
pub fn compose_single(
    cdn: &CdnCosts,
    links: &[LinkTerm],
    isp: &Matrix,
    exits: &[Option<usize>],
) -> Matrix {
    compose_rows(cdn, links, isp, |pid| exits[pid])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The oracle proptests use rows of fewer than 8 columns; this covers
    /// several [`BLOCK`]s, an odd-length last block and every group size,
    /// against the definition's loop, bit for bit.
    #[test]
    fn long_rows_match_the_definition() {
        let cols = 2 * BLOCK + 7;
        for links in 0..=2 * GROUP + 1 {
            let isp: Vec<Vec<f64>> = (0..links)
                .map(|l| {
                    (0..cols)
                        .map(|s| match (s * 7 + l * 13) % 11 {
                            0 => f64::INFINITY,
                            v => (v as f64) * 0.1 + l as f64,
                        })
                        .collect()
                })
                .collect();
            let terms: Vec<Term<'_>> = isp
                .iter()
                .enumerate()
                .map(|(l, r)| (0.3 * l as f64, r.as_slice()))
                .collect();
            let mut row = vec![0.0; cols];
            min_plus_terms(&mut row, &terms);
            for (s, got) in row.iter().enumerate() {
                let mut best = f64::INFINITY;
                for (base, r) in &terms {
                    if base + r[s] < best {
                        best = base + r[s];
                    }
                }
                assert_eq!(got.to_bits(), best.to_bits(), "links {links} col {s}");
            }
        }
    }
}
