//! The kernel with x86-64 SIMD intrinsics: AVX2 (4 lanes) and AVX-512F
//! (8 lanes). Same blocking and fold order as the portable path; only the
//! vector width and the unrolling differ.
//!
//! Bit-identity with the portable path: each candidate is `base + isp[s]`
//! (the same single rounding), and `min_pd(candidate, running)` returns
//! `candidate` only if `candidate < running`, else `running` — exactly the
//! scalar `if candidate < running { running = candidate }`, including on
//! ties, NaN and -0.0 against 0.0. Columns after the last full vector go
//! through the portable scalar fold.

use std::arch::x86_64::*;

use super::{blocks, portable, Term, GROUP};

/// Vectors per step: independent running minima, so that consecutive
/// `min_pd`s (latency 4, two per cycle) do not wait for each other.
const UNROLL: usize = 4;

/// [`super::min_plus_terms`] with AVX2. Panics without AVX2.
pub(super) fn min_plus_avx2(row: &mut [f64], terms: &[Term<'_>]) {
    assert!(is_x86_feature_detected!("avx2"), "AVX2 not available");
    blocks(row, terms, |out, group, lo, first| {
        // SAFETY: AVX2 was detected above.
        unsafe { fold_avx2(out, group, lo, first) }
    });
}

/// [`super::min_plus_terms`] with AVX-512F. Panics without AVX-512F.
pub(super) fn min_plus_avx512(row: &mut [f64], terms: &[Term<'_>]) {
    assert!(
        is_x86_feature_detected!("avx512f"),
        "AVX-512F not available"
    );
    blocks(row, terms, |out, group, lo, first| {
        // SAFETY: AVX-512F was detected above.
        unsafe { fold_avx512(out, group, lo, first) }
    });
}

/// One fold function per instruction set: `$fold` dispatches on the group
/// size to `$fold_k::<K>`, which folds `K` terms (columns from `lo`) into
/// `out`, starting from infinity when `first`, like the portable fold.
macro_rules! simd_fold {
    (
        $feature:literal, $fold:ident, $fold_k:ident, $vec:ty, $lanes:expr,
        $set1:ident, $load:ident, $store:ident, $add:ident, $min:ident
    ) => {
        /// # Safety
        /// The CPU must support the target feature.
        #[target_feature(enable = $feature)]
        unsafe fn $fold(out: &mut [f64], group: &[Term<'_>], lo: usize, first: bool) {
            match group.len() {
                1 => $fold_k::<1>(out, group, lo, first),
                2 => $fold_k::<2>(out, group, lo, first),
                3 => $fold_k::<3>(out, group, lo, first),
                _ => $fold_k::<GROUP>(out, group, lo, first),
            }
        }

        /// # Safety
        /// The CPU must support the target feature.
        #[target_feature(enable = $feature)]
        #[inline]
        unsafe fn $fold_k<const K: usize>(
            out: &mut [f64],
            group: &[Term<'_>],
            lo: usize,
            first: bool,
        ) {
            const LANES: usize = $lanes;
            let n = out.len();
            let mut bases: [$vec; K] = [$set1(0.0); K];
            let mut rows = [std::ptr::null::<f64>(); K];
            for k in 0..K {
                bases[k] = $set1(group[k].0);
                // Slicing checks that each ISP row has the block's `n`
                // columns from `lo`: every load below is within them.
                rows[k] = group[k].1[lo..lo + n].as_ptr();
            }
            let dst = out.as_mut_ptr();
            let infinity = $set1(f64::INFINITY);
            let mut i = 0;
            // SAFETY (all loads and stores): offsets stay below `n`, the
            // length of `out` and of each `rows[k]`, by the loop bounds.
            while i + UNROLL * LANES <= n {
                let mut m = [infinity; UNROLL];
                if !first {
                    for (u, m) in m.iter_mut().enumerate() {
                        *m = $load(dst.add(i + u * LANES));
                    }
                }
                for k in 0..K {
                    for (u, m) in m.iter_mut().enumerate() {
                        let candidate = $add(bases[k], $load(rows[k].add(i + u * LANES)));
                        *m = $min(candidate, *m);
                    }
                }
                for (u, m) in m.iter().enumerate() {
                    $store(dst.add(i + u * LANES), *m);
                }
                i += UNROLL * LANES;
            }
            while i + LANES <= n {
                let mut m = if first { infinity } else { $load(dst.add(i)) };
                for k in 0..K {
                    m = $min($add(bases[k], $load(rows[k].add(i))), m);
                }
                $store(dst.add(i), m);
                i += LANES;
            }
            portable::fold_k::<K>(&mut out[i..], group, lo + i, first);
        }
    };
}

simd_fold!(
    "avx2",
    fold_avx2,
    fold_avx2_k,
    __m256d,
    4,
    _mm256_set1_pd,
    _mm256_loadu_pd,
    _mm256_storeu_pd,
    _mm256_add_pd,
    _mm256_min_pd
);
simd_fold!(
    "avx512f",
    fold_avx512,
    fold_avx512_k,
    __m512d,
    8,
    _mm512_set1_pd,
    _mm512_loadu_pd,
    _mm512_storeu_pd,
    _mm512_add_pd,
    _mm512_min_pd
);
