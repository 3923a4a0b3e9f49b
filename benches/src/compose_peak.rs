//! Baseline (ii) of the composition bench: the machine's min-plus peak
//! per instruction set, one thread. A tight loop `acc = min(a + b[i], acc)`
//! over an L1-resident array with [`ACCUMULATORS`] independent vector
//! accumulators (enough to cover `minpd`'s latency at two per cycle), so
//! it does only what one min-plus step must: one load, one add, one min.
//! The kernel also stores its output, so it can approach this, not pass it.

use altofed_core::compose::Isa;

/// Elements of the peak loop's array: 8 KiB, resident in L1.
pub const PEAK_LEN: usize = 1_024;

/// Independent vector accumulators of the peak loops.
const ACCUMULATORS: usize = 8;

/// `passes` passes of the peak loop with `isa`; returns a checksum so that
/// the work is not optimised away. Min-plus operations done: `passes *
/// PEAK_LEN`. Panics if this CPU cannot run `isa`.
pub fn min_plus_peak(isa: Isa, passes: usize) -> f64 {
    assert!(isa.is_available(), "{isa:?} is not available on this CPU");
    let b: Vec<f64> = (0..PEAK_LEN).map(|i| (i % 97) as f64).collect();
    run(isa, &b, passes)
}

#[cfg(target_arch = "x86_64")]
use x86::peak as run;

/// Off x86-64: the loop in plain Rust, for LLVM to vectorise as it can.
#[cfg(not(target_arch = "x86_64"))]
fn run(_: Isa, b: &[f64], passes: usize) -> f64 {
    let mut acc = [f64::INFINITY; 16];
    for p in 0..passes {
        let a = std::hint::black_box(p as f64);
        for chunk in b.chunks_exact(16) {
            for (m, x) in acc.iter_mut().zip(chunk) {
                let c = a + x;
                if c < *m {
                    *m = c;
                }
            }
        }
    }
    acc.iter().sum()
}

// `core::arch` intrinsics: `unsafe` calls into `#[target_feature]`
// functions, each behind a runtime feature check in `x86::peak`.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86 {
    use std::arch::x86_64::*;

    use altofed_core::compose::Isa;

    use super::ACCUMULATORS;

    /// One peak loop per instruction set (`$lanes` f64 per vector).
    macro_rules! peak {
        ($name:ident, $feature:literal, $vec:ty, $lanes:expr,
         $set1:ident, $load:ident, $store:ident, $add:ident, $min:ident) => {
            /// # Safety
            /// The CPU must support the target feature.
            #[target_feature(enable = $feature)]
            pub(super) unsafe fn $name(b: &[f64], passes: usize) -> f64 {
                const STEP: usize = ACCUMULATORS * $lanes;
                assert_eq!(b.len() % STEP, 0);
                let mut acc: [$vec; ACCUMULATORS] = [$set1(f64::INFINITY); ACCUMULATORS];
                for p in 0..passes {
                    let a = $set1(std::hint::black_box(p as f64));
                    for i in (0..b.len()).step_by(STEP) {
                        for (j, m) in acc.iter_mut().enumerate() {
                            // SAFETY: i + j * lanes + lanes <= b.len().
                            let x = $load(b.as_ptr().add(i + j * $lanes));
                            *m = $min($add(a, x), *m);
                        }
                    }
                }
                let mut lanes = [0.0; STEP];
                for (j, m) in acc.iter().enumerate() {
                    // SAFETY: j * lanes + lanes <= STEP.
                    $store(lanes.as_mut_ptr().add(j * $lanes), *m);
                }
                lanes.iter().sum()
            }
        };
    }

    peak!(
        peak_sse2,
        "sse2",
        __m128d,
        2,
        _mm_set1_pd,
        _mm_loadu_pd,
        _mm_storeu_pd,
        _mm_add_pd,
        _mm_min_pd
    );
    peak!(
        peak_avx2,
        "avx2",
        __m256d,
        4,
        _mm256_set1_pd,
        _mm256_loadu_pd,
        _mm256_storeu_pd,
        _mm256_add_pd,
        _mm256_min_pd
    );
    peak!(
        peak_avx512,
        "avx512f",
        __m512d,
        8,
        _mm512_set1_pd,
        _mm512_loadu_pd,
        _mm512_storeu_pd,
        _mm512_add_pd,
        _mm512_min_pd
    );

    /// The peak loop of `isa`. Panics if this CPU cannot run it.
    pub(super) fn peak(isa: Isa, b: &[f64], passes: usize) -> f64 {
        match isa {
            // SAFETY: every x86-64 CPU has SSE2.
            Isa::Portable => unsafe { peak_sse2(b, passes) },
            Isa::Avx2 => {
                assert!(is_x86_feature_detected!("avx2"));
                // SAFETY: AVX2 was detected just above.
                unsafe { peak_avx2(b, passes) }
            }
            Isa::Avx512 => {
                assert!(is_x86_feature_detected!("avx512f"));
                // SAFETY: AVX-512F was detected just above.
                unsafe { peak_avx512(b, passes) }
            }
        }
    }
}
