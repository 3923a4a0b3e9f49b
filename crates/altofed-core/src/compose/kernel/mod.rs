//! The min-plus kernel of composition: `row[s] = min over terms of base +
//! isp[s]`, in one of several instruction sets chosen at run time.
//!
//! Every path folds the terms in the same order with the same strict-less
//! tie rule, so all of them give bit-identical results (proptested in
//! `tests/compose_kernel.rs`); they differ only in vector width.

mod portable;
// The only unsafe code of the crate: `core::arch` intrinsics need `unsafe`
// calls into `#[target_feature]` functions. Each such call is behind a
// runtime feature check in the same function, with a SAFETY comment.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86;
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86_rows;

use std::sync::OnceLock;

/// One link's contribution to a row: C_cdn + c(l), and the ISP row.
pub(super) type Term<'a> = (f64, &'a [f64]);

/// Columns per block: a block of the output row (4 KiB) plus the blocks of
/// [`GROUP`] ISP rows stay in a 32 KiB L1 cache, whatever the row length.
pub(super) const BLOCK: usize = 512;
/// Links folded per pass over a block: each pass loads and stores the
/// output once for `GROUP` min-plus steps instead of once per step.
pub(super) const GROUP: usize = 4;

/// Output rows the multipath kernel folds together ([`min_plus_rows`]).
pub(super) const ROWS: usize = 4;
/// Columns per block of [`ROWS`] rows: 4 x 2 KiB of output plus 8 x 2
/// KiB of ISP rows (`x86_rows::ROWS_GROUP`), inside a 32 KiB L1.
const ROWS_BLOCK: usize = BLOCK / 2;

/// One link for a block of [`ROWS`] output rows: C_cdn + c(l) for each row
/// (+infinity where that is not finite), and the ISP row.
pub(super) type RowsTerm<'a> = ([f64; ROWS], &'a [f64]);

/// An instruction set the kernel can run with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Isa {
    /// Plain Rust, vectorised by LLVM for the build target (SSE2 on a
    /// default x86-64 build).
    Portable,
    /// 256-bit AVX2 intrinsics (4 lanes of f64).
    Avx2,
    /// 512-bit AVX-512F intrinsics (8 lanes of f64).
    Avx512,
}

impl Isa {
    /// Every instruction set this CPU can run, `Portable` first.
    pub fn available() -> Vec<Isa> {
        [Isa::Portable, Isa::Avx2, Isa::Avx512]
            .into_iter()
            .filter(|isa| isa.is_available())
            .collect()
    }

    /// The widest available instruction set, detected once per process.
    pub fn best() -> Isa {
        static BEST: OnceLock<Isa> = OnceLock::new();
        *BEST.get_or_init(|| Isa::available().pop().unwrap_or(Isa::Portable))
    }

    /// Whether this CPU can run `self`.
    pub fn is_available(self) -> bool {
        match self {
            Isa::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => std::arch::is_x86_feature_detected!("avx2"),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => std::arch::is_x86_feature_detected!("avx512f"),
            #[cfg(not(target_arch = "x86_64"))]
            Isa::Avx2 | Isa::Avx512 => false,
        }
    }

    /// Panics if this CPU cannot run `self`: an explicit request for an
    /// instruction set (tests, benches) must not fall back silently.
    pub(super) fn assert_available(self) {
        assert!(self.is_available(), "{self:?} is not available on this CPU");
    }
}

/// `row[s] = min over terms of base + isp[s]`, or infinity with no terms.
/// Terms are folded in order and a later term replaces the running value
/// only when strictly smaller, exactly like the definition's loop, so the
/// result is bit-identical to it whatever `isa`.
pub(super) fn min_plus_terms(isa: Isa, row: &mut [f64], terms: &[Term<'_>]) {
    if terms.is_empty() {
        row.fill(f64::INFINITY);
        return;
    }
    match isa {
        Isa::Portable => blocks(row, terms, portable::fold),
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => x86::min_plus_avx2(row, terms),
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => x86::min_plus_avx512(row, terms),
        #[cfg(not(target_arch = "x86_64"))]
        Isa::Avx2 | Isa::Avx512 => unreachable!("{isa:?} is never available off x86_64"),
    }
}

/// [`min_plus_terms`] on the rows of `out` (`cols` columns each, at most
/// [`ROWS`] rows) at once, with the same terms for every row. A base of
/// +infinity is a link that row cannot reach: it never wins the strict-less
/// minimum, so the result is bit-identical to leaving it out. The SIMD
/// paths fold full blocks of [`ROWS`] rows together; the portable path and
/// a last, shorter block go row by row.
pub(super) fn min_plus_rows(isa: Isa, out: &mut [f64], cols: usize, terms: &[RowsTerm<'_>]) {
    let full = out.len() == ROWS * cols;
    match isa {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 if full => x86_rows::min_plus_rows_avx2(out, cols, terms),
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 if full => x86_rows::min_plus_rows_avx512(out, cols, terms),
        _ => {
            let mut single = Vec::with_capacity(terms.len());
            for (r, row) in out.chunks_mut(cols).enumerate() {
                single.clear();
                single.extend(terms.iter().map(|(bases, isp)| (bases[r], *isp)));
                min_plus_terms(isa, row, &single);
            }
        }
    }
}

/// The blocking every path shares: blocks of [`BLOCK`] columns, and in
/// each the terms [`GROUP`] at a time, `fold(block, group, lo, first)`
/// where `lo` is the block's first column and `first` marks the first
/// group (which starts from infinity instead of reading the block).
#[inline(always)]
fn blocks(
    row: &mut [f64],
    terms: &[Term<'_>],
    fold: impl Fn(&mut [f64], &[Term<'_>], usize, bool),
) {
    for lo in (0..row.len()).step_by(BLOCK) {
        let hi = (lo + BLOCK).min(row.len());
        let block = &mut row[lo..hi];
        for (g, group) in terms.chunks(GROUP).enumerate() {
            fold(block, group, lo, g == 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The oracle proptests use short rows; this covers several
    /// [`BLOCK`]s, an odd-length last block and every group size on every
    /// available path, against the definition's loop, bit for bit.
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
            for isa in Isa::available() {
                let mut row = vec![0.0; cols];
                min_plus_terms(isa, &mut row, &terms);
                for (s, got) in row.iter().enumerate() {
                    let mut best = f64::INFINITY;
                    for (base, r) in &terms {
                        if base + r[s] < best {
                            best = base + r[s];
                        }
                    }
                    assert_eq!(
                        got.to_bits(),
                        best.to_bits(),
                        "{isa:?} links {links} col {s}"
                    );
                }
            }
        }
    }

    #[test]
    fn best_is_the_widest_available() {
        assert_eq!(Some(&Isa::best()), Isa::available().last());
        assert_eq!(Isa::available()[0], Isa::Portable);
    }
}
