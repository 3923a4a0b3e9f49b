//! Composition: cost(P, s) = C_cdn(P, r) + c(l) + C_isp(b, s) over the
//! peering links l = (r, b) to one ISP (design §1).
//!
//! Both modes are a min-plus product of the (N x B) C_cdn matrix with a
//! (B x S) ISP matrix. Missing terms are `f64::INFINITY` and drop out of
//! the minimum; a result of infinity means "no value" for that pair.

mod kernel;
mod reverse;

use rayon::prelude::*;
use serde::Deserialize;

use crate::cdn_cost::CdnCosts;

pub use kernel::Isa;
pub use reverse::{compose_reverse, Direction};

use kernel::{min_plus_rows, min_plus_terms, RowsTerm, Term, ROWS};

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
/// map, already scaled) and one column per subscriber. Runs the widest
/// instruction set this CPU has ([`Isa::best`]).
pub fn compose_multipath(cdn: &CdnCosts, links: &[LinkTerm], isp: &Matrix) -> Matrix {
    compose_multipath_with(Isa::best(), cdn, links, isp)
}

/// [`compose_multipath`] with the kernel's instruction set chosen by the
/// caller (tests and benches compare them). Panics if this CPU cannot run
/// `isa`. The result does not depend on `isa`, bit for bit.
pub fn compose_multipath_with(
    isa: Isa,
    cdn: &CdnCosts,
    links: &[LinkTerm],
    isp: &Matrix,
) -> Matrix {
    // Zeroed, not filled with infinity: every element is written below,
    // and a zeroed allocation may come from the OS already cleared.
    let mut out = Matrix::filled(cdn.pids(), isp.cols, 0.0);
    compose_multipath_into(isa, cdn, links, isp, &mut out);
    out
}

/// [`compose_multipath_with`] into an existing (CDN PIDs x subscribers)
/// matrix, every element of which is overwritten: a caller that recomposes
/// often can keep the buffer, and the bench times the kernel without the
/// allocation and clearing of a 4 MB result.
pub fn compose_multipath_into(
    isa: Isa,
    cdn: &CdnCosts,
    links: &[LinkTerm],
    isp: &Matrix,
    out: &mut Matrix,
) {
    assert_eq!(isp.rows, links.len(), "one ISP row per link");
    assert_eq!((out.rows, out.cols), (cdn.pids(), isp.cols), "output shape");
    isa.assert_available();
    if isp.cols == 0 {
        return;
    }
    // Every row takes every link, so blocks of ROWS rows share one list of
    // terms and each ISP vector loaded serves all of them.
    out.data
        .par_chunks_mut(ROWS * isp.cols)
        .enumerate()
        .for_each_init(Vec::new, |terms: &mut Vec<RowsTerm<'_>>, (block, rows)| {
            terms.clear();
            terms.extend(links.iter().enumerate().map(|(l, link)| {
                (
                    row_bases(cdn, block * ROWS, rows.len() / isp.cols, link),
                    isp.row(l),
                )
            }));
            min_plus_rows(isa, rows, isp.cols, terms);
        });
}

/// [`link_base`] for the `count` PIDs from `first`, +infinity where it is
/// not finite (the link is unreachable from that PID) and past `count`.
fn row_bases(cdn: &CdnCosts, first: usize, count: usize, link: &LinkTerm) -> [f64; ROWS] {
    std::array::from_fn(|r| {
        let base = if r < count {
            link_base(cdn, first + r, link)
        } else {
            f64::INFINITY
        };
        if base.is_finite() {
            base
        } else {
            f64::INFINITY
        }
    })
}

/// The single-path kernel: for each CDN PID, the min-plus of its
/// reachable links among `links_of(pid)` with their ISP rows. Rows are
/// independent, so they run in parallel with rayon.
fn compose_rows<I: IntoIterator<Item = usize>>(
    isa: Isa,
    cdn: &CdnCosts,
    links: &[LinkTerm],
    isp: &Matrix,
    links_of: impl Fn(usize) -> I + Sync,
) -> Matrix {
    assert_eq!(isp.rows, links.len(), "one ISP row per link");
    isa.assert_available();
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
            min_plus_terms(isa, row, terms);
        },
    );
    out
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
    compose_single_with(Isa::best(), cdn, links, isp, exits)
}

/// [`compose_single`] with the kernel's instruction set chosen by the
/// caller, like [`compose_multipath_with`].
pub fn compose_single_with(
    isa: Isa,
    cdn: &CdnCosts,
    links: &[LinkTerm],
    isp: &Matrix,
    exits: &[Option<usize>],
) -> Matrix {
    compose_rows(isa, cdn, links, isp, |pid| exits[pid])
}
