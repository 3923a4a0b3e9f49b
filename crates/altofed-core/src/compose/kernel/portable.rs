//! The kernel in plain Rust, and the scalar tail the SIMD paths share.

use super::{Term, GROUP};

/// Folds one group of terms (columns from `lo`) into `out`.
pub(super) fn fold(out: &mut [f64], group: &[Term<'_>], lo: usize, first: bool) {
    match group.len() {
        1 => fold_k::<1>(out, group, lo, first),
        2 => fold_k::<2>(out, group, lo, first),
        3 => fold_k::<3>(out, group, lo, first),
        _ => fold_k::<GROUP>(out, group, lo, first),
    }
}

/// Folds `K` terms (columns from `lo`) into `out`. The first pass starts
/// from infinity instead of reading `out`: min(inf, x) is x, so the result
/// is the same and the output is only written. A plain indexed loop over
/// slices of equal length is what LLVM vectorises cleanly here (packed
/// SSE2 `addpd`/`minpd`, no shuffles; fixed-width array chunks made it
/// interleave lanes with `movhpd`/`unpcklpd`, see docs/benchmarks.md).
/// The SIMD paths call it for the columns after their last full vector.
#[inline(always)]
pub(super) fn fold_k<const K: usize>(out: &mut [f64], group: &[Term<'_>], lo: usize, first: bool) {
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
