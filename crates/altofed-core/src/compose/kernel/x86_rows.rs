//! The multipath kernel on [`ROWS`] output rows at once, AVX2 and
//! AVX-512F: each ISP vector loaded is added to the bases of every row of
//! the block, so the ISP rows (in L2 beyond a few links) are read once per
//! [`ROWS`] output rows instead of once per row — the load traffic, not
//! the arithmetic, is what limited the one-row kernel.
//!
//! Bit-identity: per output row the terms are folded in the same order,
//! with the same `min_pd(candidate, running)` as the one-row kernels
//! (`x86.rs`). A link not reachable from a row enters with base +infinity:
//! its candidates are +infinity (or NaN), never strictly below the
//! running value, so they change nothing — as if left out.

use std::arch::x86_64::*;

use super::{portable, RowsTerm, Term, ROWS, ROWS_BLOCK};

/// Links folded per pass over a block of [`ROWS`] rows: twice the one-row
/// kernels' `GROUP`, as each ISP vector loaded here serves four rows and
/// the output's loads and stores are the larger share of a pass.
const ROWS_GROUP: usize = 8;

/// [`super::min_plus_rows`] with AVX2. Panics without AVX2.
pub(super) fn min_plus_rows_avx2(out: &mut [f64], cols: usize, terms: &[RowsTerm<'_>]) {
    assert!(is_x86_feature_detected!("avx2"), "AVX2 not available");
    for_each_group(out, cols, terms, |out, lo, hi, group, first| {
        // SAFETY: AVX2 was detected above.
        unsafe { rows_avx2(out, cols, lo, hi, group, first) }
    });
}

/// [`super::min_plus_rows`] with AVX-512F. Panics without AVX-512F.
pub(super) fn min_plus_rows_avx512(out: &mut [f64], cols: usize, terms: &[RowsTerm<'_>]) {
    assert!(
        is_x86_feature_detected!("avx512f"),
        "AVX-512F not available"
    );
    for_each_group(out, cols, terms, |out, lo, hi, group, first| {
        // SAFETY: AVX-512F was detected above.
        unsafe { rows_avx512(out, cols, lo, hi, group, first) }
    });
}

/// Blocks of [`ROWS_BLOCK`] columns (`lo..hi`) and in each the terms
/// [`ROWS_GROUP`] at a time, like the one-row kernels' blocking.
fn for_each_group(
    out: &mut [f64],
    cols: usize,
    terms: &[RowsTerm<'_>],
    fold: impl Fn(&mut [f64], usize, usize, &[RowsTerm<'_>], bool),
) {
    assert_eq!(out.len(), ROWS * cols, "a full block of rows");
    if terms.is_empty() {
        out.fill(f64::INFINITY);
        return;
    }
    for lo in (0..cols).step_by(ROWS_BLOCK) {
        let hi = (lo + ROWS_BLOCK).min(cols);
        for (g, group) in terms.chunks(ROWS_GROUP).enumerate() {
            fold(out, lo, hi, group, g == 0);
        }
    }
}

macro_rules! simd_rows {
    (
        $feature:literal, $fold:ident, $fold_k:ident, $step:ident, $vec:ty, $lanes:expr,
        $set1:ident, $load:ident, $store:ident, $add:ident, $min:ident
    ) => {
        /// # Safety
        /// The CPU must support the target feature; `out` holds [`ROWS`]
        /// rows of `cols`, `lo <= hi <= cols`.
        #[target_feature(enable = $feature)]
        unsafe fn $fold(
            out: &mut [f64],
            cols: usize,
            lo: usize,
            hi: usize,
            group: &[RowsTerm<'_>],
            first: bool,
        ) {
            match group.len() {
                1 => $fold_k::<1>(out, cols, lo, hi, group, first),
                2 => $fold_k::<2>(out, cols, lo, hi, group, first),
                3 => $fold_k::<3>(out, cols, lo, hi, group, first),
                4 => $fold_k::<4>(out, cols, lo, hi, group, first),
                5 => $fold_k::<5>(out, cols, lo, hi, group, first),
                6 => $fold_k::<6>(out, cols, lo, hi, group, first),
                7 => $fold_k::<7>(out, cols, lo, hi, group, first),
                _ => $fold_k::<ROWS_GROUP>(out, cols, lo, hi, group, first),
            }
        }

        /// Folds `K` terms into columns `lo..hi` of the [`ROWS`] rows.
        #[target_feature(enable = $feature)]
        #[inline]
        unsafe fn $fold_k<const K: usize>(
            out: &mut [f64],
            cols: usize,
            lo: usize,
            hi: usize,
            group: &[RowsTerm<'_>],
            first: bool,
        ) {
            const LANES: usize = $lanes;
            let mut bases: [[$vec; ROWS]; K] = [[$set1(0.0); ROWS]; K];
            let mut isp = [std::ptr::null::<f64>(); K];
            for k in 0..K {
                for r in 0..ROWS {
                    bases[k][r] = $set1(group[k].0[r]);
                }
                // Slicing checks that each ISP row has the columns `lo..hi`.
                isp[k] = group[k].1[lo..hi].as_ptr();
            }
            assert!(hi <= cols && out.len() == ROWS * cols);
            let dst = out.as_mut_ptr().add(lo);
            let n = hi - lo;
            let mut i = 0;
            // SAFETY (the steps' loads and stores): column offsets below
            // `n` from `lo`, in rows of `cols`, by the loop bounds.
            while i + 2 * LANES <= n {
                $step::<K, 2>(dst, cols, &isp, &bases, i, first);
                i += 2 * LANES;
            }
            while i + LANES <= n {
                $step::<K, 1>(dst, cols, &isp, &bases, i, first);
                i += LANES;
            }
            for r in 0..ROWS {
                let terms: [Term<'_>; K] = std::array::from_fn(|k| (group[k].0[r], group[k].1));
                let row = &mut out[r * cols + lo + i..r * cols + hi];
                portable::fold_k::<K>(row, &terms, lo + i, first);
            }
        }

        /// `U` vectors of columns from `i`, in every row: each ISP vector
        /// is loaded once and folded into all [`ROWS`] running minima.
        #[target_feature(enable = $feature)]
        #[inline]
        unsafe fn $step<const K: usize, const U: usize>(
            dst: *mut f64,
            cols: usize,
            isp: &[*const f64; K],
            bases: &[[$vec; ROWS]; K],
            i: usize,
            first: bool,
        ) {
            const LANES: usize = $lanes;
            let mut m = [[$set1(f64::INFINITY); U]; ROWS];
            if !first {
                for (r, m) in m.iter_mut().enumerate() {
                    for (u, m) in m.iter_mut().enumerate() {
                        *m = $load(dst.add(r * cols + i + u * LANES));
                    }
                }
            }
            for k in 0..K {
                for u in 0..U {
                    let x = $load(isp[k].add(i + u * LANES));
                    for (r, m) in m.iter_mut().enumerate() {
                        m[u] = $min($add(bases[k][r], x), m[u]);
                    }
                }
            }
            for (r, m) in m.iter().enumerate() {
                for (u, m) in m.iter().enumerate() {
                    $store(dst.add(r * cols + i + u * LANES), *m);
                }
            }
        }
    };
}

simd_rows!(
    "avx2",
    rows_avx2,
    rows_avx2_k,
    step_avx2,
    __m256d,
    4,
    _mm256_set1_pd,
    _mm256_loadu_pd,
    _mm256_storeu_pd,
    _mm256_add_pd,
    _mm256_min_pd
);
simd_rows!(
    "avx512f",
    rows_avx512,
    rows_avx512_k,
    step_avx512,
    __m512d,
    8,
    _mm512_set1_pd,
    _mm512_loadu_pd,
    _mm512_storeu_pd,
    _mm512_add_pd,
    _mm512_min_pd
);
