//! Every instruction set the composition kernel can run on this CPU gives
//! the same bits as the portable path and as the definition's triple loop,
//! on random sizes (row lengths that are not a multiple of any vector
//! width, empty rows, rows across a block boundary) and values chosen to
//! collide: ties, infinities, 0.0 and -0.0.

#![allow(clippy::unwrap_used)]

use altofed_core::cdn_cost::CdnCosts;
use altofed_core::compose::{
    compose_multipath_into, compose_multipath_with, compose_single_with, Isa, LinkTerm, Matrix,
};
use proptest::prelude::*;

/// Few distinct values, so that terms tie often; signed zeros; infinity.
fn cost() -> impl Strategy<Value = f64> {
    prop_oneof![
        1 => Just(f64::INFINITY),
        1 => Just(0.0),
        1 => Just(-0.0),
        4 => (0u32..6).prop_map(f64::from),
        2 => 0.0f64..100.0,
    ]
}

#[derive(Debug, Clone)]
struct Case {
    cdn: CdnCosts,
    links: Vec<LinkTerm>,
    isp: Matrix,
    exits: Vec<Option<usize>>,
}

fn case() -> impl Strategy<Value = Case> {
    let cols = prop_oneof![3 => 0usize..80, 1 => 500usize..540];
    // Up to 9 PIDs: full blocks of 4 rows (kernel::ROWS) and a shorter last one.
    (1usize..10, 1usize..=9, cols).prop_flat_map(|(pids, links, cols)| {
        (
            proptest::collection::vec(cost(), pids * links),
            proptest::collection::vec(cost(), links),
            proptest::collection::vec(cost(), links * cols),
            proptest::collection::vec(proptest::option::of(0..links), pids),
        )
            .prop_map(move |(cdn, link_costs, isp, exits)| Case {
                cdn: CdnCosts::new(pids, links, cdn),
                links: link_costs
                    .into_iter()
                    .enumerate()
                    .map(|(l, cost)| LinkTerm {
                        name: format!("l{l}"),
                        border: l,
                        // The link cost is added to C_cdn, so infinity
                        // here would only repeat a missing C_cdn.
                        cost: if cost.is_finite() { cost } else { 1.0 },
                        preference: 0,
                    })
                    .collect(),
                isp: Matrix {
                    rows: links,
                    cols,
                    data: isp,
                },
                exits,
            })
    })
}

/// The definition: for each pair, the strictly smallest sum over links.
fn naive(c: &Case, links_of: impl Fn(usize) -> Vec<usize>) -> Vec<f64> {
    let mut out = Vec::new();
    for pid in 0..c.cdn.pids() {
        for sub in 0..c.isp.cols {
            let mut best = f64::INFINITY;
            for l in links_of(pid) {
                let link = &c.links[l];
                let total = c.cdn.get(pid, link.border) + link.cost + c.isp.get(l, sub);
                if total < best {
                    best = total;
                }
            }
            out.push(best);
        }
    }
    out
}

fn bits(values: &[f64]) -> Vec<u64> {
    values.iter().map(|v| v.to_bits()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn multipath_is_bit_identical_on_every_isa(c in case()) {
        let expected = bits(&naive(&c, |_| (0..c.links.len()).collect()));
        let portable = compose_multipath_with(Isa::Portable, &c.cdn, &c.links, &c.isp);
        prop_assert_eq!(&bits(&portable.data), &expected);
        for isa in Isa::available() {
            let got = compose_multipath_with(isa, &c.cdn, &c.links, &c.isp);
            prop_assert_eq!(&bits(&got.data), &expected, "{:?}", isa);
            // Into a matrix holding other values: every element is written.
            let mut into = Matrix::filled(c.cdn.pids(), c.isp.cols, f64::NAN);
            compose_multipath_into(isa, &c.cdn, &c.links, &c.isp, &mut into);
            prop_assert_eq!(&bits(&into.data), &expected, "{:?} into", isa);
        }
    }

    #[test]
    fn single_path_is_bit_identical_on_every_isa(c in case()) {
        let expected = bits(&naive(&c, |pid| c.exits[pid].into_iter().collect()));
        for isa in Isa::available() {
            let got = compose_single_with(isa, &c.cdn, &c.links, &c.isp, &c.exits);
            prop_assert_eq!(&bits(&got.data), &expected, "{:?}", isa);
        }
    }
}

/// The paths above are only exercised if detected: on a CPU with AVX2 or
/// AVX-512F (the development machine has both), they must be available.
#[cfg(target_arch = "x86_64")]
#[test]
fn detected_simd_paths_are_tested() {
    let isas = Isa::available();
    assert_eq!(isas[0], Isa::Portable);
    if std::arch::is_x86_feature_detected!("avx2") {
        assert!(isas.contains(&Isa::Avx2));
    }
    if std::arch::is_x86_feature_detected!("avx512f") {
        assert!(isas.contains(&Isa::Avx512));
        assert_eq!(Isa::best(), Isa::Avx512);
    }
}

#[test]
fn best_is_available() {
    assert!(Isa::available().contains(&Isa::best()));
}
