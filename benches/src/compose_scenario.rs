//! Inputs and baselines of the composition benchmark (issue #6): a C_cdn
//! matrix, peering links and an ISP matrix of realistic size, the naive
//! triple loop, the same product as an A x B matrix pair for
//! `tropical-gemm`, and a plain memory write (the min-plus peak is in
//! `compose_peak`).

use altofed_core::cdn_cost::CdnCosts;
use altofed_core::compose::{LinkTerm, Matrix};

use crate::rng::SplitMix64;

/// CDN PIDs (rows of the result).
pub const PIDS: usize = 300;
/// Subscriber PIDs of one ISP (columns of the result).
pub const SUBSCRIBERS: usize = 1_700;

/// One composition problem: N x B C_cdn, B links (one per border router),
/// and the B x S ISP matrix.
#[derive(Debug)]
pub struct ComposeInputs {
    pub cdn: CdnCosts,
    pub links: Vec<LinkTerm>,
    pub isp: Matrix,
}

/// Costs in the ranges of the real-data scenario: C_cdn up to a few
/// thousand km, link costs up to 10, ISP costs up to 100 with one pair in
/// a hundred missing (infinity), as ISPs omit pairs.
pub fn inputs(pids: usize, links: usize, subscribers: usize, seed: u64) -> ComposeInputs {
    let mut rng = SplitMix64::new(seed);
    let cdn = (0..pids * links)
        .map(|_| rng.range_f64(0.0, 5_000.0))
        .collect();
    let terms = (0..links)
        .map(|l| LinkTerm {
            name: format!("link{l}"),
            border: l,
            cost: rng.range_f64(0.0, 10.0),
            preference: 0,
        })
        .collect();
    let isp = (0..links * subscribers)
        .map(|_| match rng.below(100) {
            0 => f64::INFINITY,
            _ => rng.range_f64(0.0, 100.0),
        })
        .collect();
    ComposeInputs {
        cdn: CdnCosts::new(pids, links, cdn),
        links: terms,
        isp: Matrix {
            rows: links,
            cols: subscribers,
            data: isp,
        },
    }
}

/// Baseline (i): the definition as written, one pair at a time — for each
/// PID, for each subscriber, for each link — serial.
pub fn naive_multipath(c: &ComposeInputs) -> Matrix {
    let mut out = Matrix::filled(c.cdn.pids(), c.isp.cols, f64::INFINITY);
    for pid in 0..c.cdn.pids() {
        for sub in 0..c.isp.cols {
            let mut best = f64::INFINITY;
            for (l, link) in c.links.iter().enumerate() {
                let total = c.cdn.get(pid, link.border) + link.cost + c.isp.get(l, sub);
                if total < best {
                    best = total;
                }
            }
            out.row_mut(pid)[sub] = best;
        }
    }
    out
}

/// The left operand of the same product as a plain (N x B) matrix, for a
/// general min-plus GEMM (`tropical-gemm`): `C_cdn(P, r_l) + c(l)`. The
/// right operand is `isp.data` as it is.
pub fn left_matrix(c: &ComposeInputs) -> Vec<f64> {
    (0..c.cdn.pids())
        .flat_map(|pid| {
            c.links
                .iter()
                .map(move |link| c.cdn.get(pid, link.border) + link.cost)
        })
        .collect()
}

/// Baseline (iii): allocate a matrix of the result's size and write `a +
/// b[s]` into every row — the least any kernel producing a fresh N x S
/// matrix from one ISP row must do. Serial.
pub fn write_rows(rows: usize, a: f64, b: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; rows * b.len()];
    for row in out.chunks_exact_mut(b.len()) {
        for (o, t) in row.iter_mut().zip(b) {
            *o = a + t;
        }
    }
    out
}
