//! The composition kernel (`altofed_core::compose::compose_multipath`) for
//! 300 CDN PIDs x 1,700 subscriber PIDs and B in {2, 16, 64} links, against
//! (i) the naive triple loop, (ii) the machine's min-plus peak (a tight
//! `out[i] = min(out[i], a + b[i])` loop over L1-resident data, one thread
//! and two) and (iii) for B = 2, a plain write of a matrix of the result's
//! size. Throughput is in min-plus operations (N x S x B) per second, so
//! the kernel's rate reads directly against the peak's.

#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;

use altofed_benches::compose_scenario::{
    inputs, min_plus_peak, naive_multipath, write_rows, ComposeInputs, PEAK_LEN, PIDS, SUBSCRIBERS,
};
use altofed_core::compose::compose_multipath;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rayon::ThreadPoolBuilder;

const LINKS: [usize; 3] = [2, 16, 64];
/// Peak-loop passes per iteration: 1,024,000 operations.
const PEAK_PASSES: usize = 1_000;

fn multipath(c: &ComposeInputs) -> Vec<f64> {
    compose_multipath(&c.cdn, &c.links, &c.isp).data
}

/// Not timed: the kernel and the definition agree bit for bit.
fn assert_identical(c: &ComposeInputs) {
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&multipath(c)), bits(&naive_multipath(c).data));
}

fn bench_compose(c: &mut Criterion) {
    let serial = ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    for links in LINKS {
        let input = inputs(PIDS, links, SUBSCRIBERS, links as u64);
        assert_identical(&input);
        let mut group = c.benchmark_group(format!("compose/{PIDS}x{SUBSCRIBERS}/B={links}"));
        group.sample_size(10);
        group.throughput(Throughput::Elements((PIDS * SUBSCRIBERS * links) as u64));
        group.bench_function("altofed", |b| b.iter(|| multipath(black_box(&input))));
        group.bench_function("altofed-1-thread", |b| {
            b.iter(|| serial.install(|| multipath(black_box(&input))))
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

/// The min-plus peak, in operations per second: one thread, and two
/// threads each on its own buffers.
fn bench_peak(c: &mut Criterion) {
    let mut group = c.benchmark_group("compose/min-plus-peak");
    group.throughput(Throughput::Elements((PEAK_PASSES * PEAK_LEN) as u64));
    group.bench_function("1-thread", |b| b.iter(|| min_plus_peak(PEAK_PASSES)));
    group.throughput(Throughput::Elements((2 * PEAK_PASSES * PEAK_LEN) as u64));
    group.bench_function("2-threads", |b| {
        b.iter(|| rayon::join(|| min_plus_peak(PEAK_PASSES), || min_plus_peak(PEAK_PASSES)))
    });
    group.finish();
}

criterion_group!(benches, bench_compose, bench_peak);
criterion_main!(benches);
