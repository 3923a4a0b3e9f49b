//! The composition kernel (`altofed_core::compose::compose_multipath`) for
//! 300 CDN PIDs x 1,700 subscriber PIDs and B in {2, 16, 64} links, on
//! each instruction set this CPU runs, against (i) the naive triple loop,
//! (ii) the machine's min-plus peak per instruction set (one thread,
//! `compose_peak`), (iii) the `tropical-gemm` crate's min-plus product of
//! the same matrices and (iv) for B = 2, a plain write of a matrix of the
//! result's size. Throughput is in min-plus operations (N x S x B) per
//! second, so the kernel's rate reads directly against the peak's. After
//! the criterion runs, the ratios the issue asks for are measured again in
//! this process (best of several runs) and printed.

#![allow(clippy::unwrap_used, clippy::print_stderr, missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use altofed_benches::compose_peak::{min_plus_peak, PEAK_LEN};
use altofed_benches::compose_scenario::{
    inputs, left_matrix, naive_multipath, write_rows, ComposeInputs, PIDS, SUBSCRIBERS,
};
use altofed_core::compose::{
    compose_multipath, compose_multipath_into, compose_multipath_with, Isa, Matrix,
};
use criterion::{criterion_group, Criterion, Throughput};
use rayon::{ThreadPool, ThreadPoolBuilder};
use tropical_gemm::{tropical_matmul, TropicalMinPlus};

const LINKS: [usize; 3] = [2, 16, 64];
/// Peak-loop passes per iteration: 1,024,000 operations.
const PEAK_PASSES: usize = 1_000;

fn multipath(isa: Isa, c: &ComposeInputs) -> Vec<f64> {
    compose_multipath_with(isa, &c.cdn, &c.links, &c.isp).data
}

/// `tropical-gemm`'s min-plus product of the (N x B) left matrix and the
/// (B x S) ISP matrix.
fn tropical(left: &[f64], c: &ComposeInputs) -> Vec<TropicalMinPlus<f64>> {
    tropical_matmul::<TropicalMinPlus<f64>>(
        left,
        c.cdn.pids(),
        c.links.len(),
        &c.isp.data,
        c.isp.cols,
    )
}

/// Not timed: every path agrees with the definition bit for bit, and
/// `tropical-gemm` computes the same values.
fn assert_identical(c: &ComposeInputs, left: &[f64]) {
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let naive = naive_multipath(c).data;
    for isa in Isa::available() {
        assert_eq!(bits(&multipath(isa, c)), bits(&naive), "{isa:?}");
    }
    let other: Vec<f64> = tropical(left, c).iter().map(|t| t.0).collect();
    assert_eq!(other, naive, "tropical-gemm");
}

fn serial_pool() -> ThreadPool {
    ThreadPoolBuilder::new().num_threads(1).build().unwrap()
}

fn isa_name(isa: Isa) -> &'static str {
    match isa {
        Isa::Portable => "portable",
        Isa::Avx2 => "avx2",
        Isa::Avx512 => "avx512",
    }
}

fn bench_compose(c: &mut Criterion) {
    let serial = serial_pool();
    for links in LINKS {
        let input = inputs(PIDS, links, SUBSCRIBERS, links as u64);
        let left = left_matrix(&input);
        assert_identical(&input, &left);
        let mut group = c.benchmark_group(format!("compose/{PIDS}x{SUBSCRIBERS}/B={links}"));
        group.sample_size(10);
        group.throughput(Throughput::Elements((PIDS * SUBSCRIBERS * links) as u64));
        group.bench_function("altofed", |b| {
            b.iter(|| compose_multipath(&input.cdn, &input.links, black_box(&input.isp)))
        });
        for isa in Isa::available() {
            group.bench_function(format!("altofed-1-thread/{}", isa_name(isa)), |b| {
                b.iter(|| serial.install(|| multipath(isa, black_box(&input))))
            });
        }
        group.bench_function("tropical-gemm", |b| {
            b.iter(|| tropical(black_box(&left), &input))
        });
        group.bench_function("tropical-gemm-1-thread", |b| {
            b.iter(|| serial.install(|| tropical(black_box(&left), &input)))
        });
        group.bench_function("baseline-naive", |b| {
            b.iter(|| naive_multipath(black_box(&input)))
        });
        if links == 2 {
            let row = input.isp.row(0);
            group.bench_function("baseline-write", |b| {
                b.iter(|| write_rows(PIDS, black_box(1.5), black_box(row)))
            });
        }
        group.finish();
    }
}

/// The min-plus peak per instruction set, one thread, in operations per
/// second.
fn bench_peak(c: &mut Criterion) {
    let mut group = c.benchmark_group("compose/min-plus-peak");
    group.throughput(Throughput::Elements((PEAK_PASSES * PEAK_LEN) as u64));
    for isa in Isa::available() {
        group.bench_function(format!("1-thread/{}", isa_name(isa)), |b| {
            b.iter(|| min_plus_peak(isa, PEAK_PASSES))
        });
    }
    group.finish();
}

/// The fastest of `runs` runs of `f`: the least disturbed by other load.
fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap()
}

/// Giga min-plus operations per second.
fn gops(ops: usize, time: Duration) -> f64 {
    ops as f64 / time.as_secs_f64() / 1e9
}

/// The ratios, one thread throughout: the kernel's rate on each
/// instruction set over the best peak rate, and `tropical-gemm`'s time over
/// the kernel's (dispatched) time, for B >= 16.
fn report_ratios() {
    let serial = serial_pool();
    let peak = Isa::available()
        .into_iter()
        .map(|isa| {
            let time = best_of(20, || {
                black_box(min_plus_peak(isa, PEAK_PASSES));
            });
            let rate = gops(PEAK_PASSES * PEAK_LEN, time);
            eprintln!("peak {:<8} {rate:6.2} Gop/s", isa_name(isa));
            rate
        })
        .fold(0.0, f64::max);
    for links in [16, 64] {
        let input = inputs(PIDS, links, SUBSCRIBERS, links as u64);
        let left = left_matrix(&input);
        let ops = PIDS * SUBSCRIBERS * links;
        let mut out = Matrix::filled(PIDS, SUBSCRIBERS, 0.0);
        for isa in Isa::available() {
            let time = best_of(20, || {
                serial.install(|| black_box(multipath(isa, &input)));
            });
            let into = best_of(20, || {
                serial.install(|| {
                    compose_multipath_into(isa, &input.cdn, &input.links, &input.isp, &mut out)
                });
                black_box(&out);
            });
            eprintln!(
                "B={links:<3} kernel {:<8} {:6.2} Gop/s = {:.2} of the best peak; \
                 with the allocation {:6.2} Gop/s = {:.2}",
                isa_name(isa),
                gops(ops, into),
                gops(ops, into) / peak,
                gops(ops, time),
                gops(ops, time) / peak
            );
        }
        // With the allocation: tropical-gemm allocates its result too.
        let kernel = best_of(20, || {
            serial.install(|| black_box(multipath(Isa::best(), &input)));
        });
        let other = best_of(10, || {
            serial.install(|| black_box(tropical(&left, &input)));
        });
        eprintln!(
            "B={links:<3} tropical-gemm {:6.2} Gop/s; kernel ({}) is {:.2}x faster",
            gops(ops, other),
            isa_name(Isa::best()),
            other.as_secs_f64() / kernel.as_secs_f64()
        );
    }
}

criterion_group!(benches, bench_compose, bench_peak);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    if !std::env::args().any(|arg| arg == "--list") {
        report_ratios();
    }
}
