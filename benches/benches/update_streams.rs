//! Update streams at production scale (issue #13 item 2): the e2e scenario
//! (300 CDN PIDs x 10 ISPs x 1,700 PIDs, an 218 MB numerical cost map, the
//! ordinal map left out as in `e2e`'s numerical-only case) served over
//! HTTP by a real engine, ISP 3's maps replaced (every one of its costs
//! changes), with 0, 1 and 4 update streams open on the network map, the
//! cost map and the property map. Each stream reader runs in this process
//! (raw bytes, no JSON parsing: `stream_clients`).
//!
//! - publish CPU: process CPU (all threads: engine, server, stream hub,
//!   stream readers) from the trigger until every stream has the patch (or,
//!   with none, until the snapshot is served), plus 200 ms of settling;
//! - latency: trigger -> the snapshot is served (what a GET sees) and
//!   trigger -> the last stream has the cost map patch;
//! - burst: one change per second for 20 s with 4 streams; every change's
//!   vtag must arrive on every stream, in order;
//! - peak RSS: each stream count in a fresh child process (this binary
//!   again, `UPDATE_STREAMS_RSS=<n>`), VmHWM from /proc/self/status.
//!
//! Ratios are against the 0-stream baseline of the same run. Targets: all
//! within 1.2x.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    clippy::print_stdout,
    missing_docs
)]

#[path = "update_streams/running.rs"]
mod running;

use std::time::Duration;

use altofed_benches::e2e_scenario::build;
use criterion::{criterion_group, Criterion, SamplingMode};

use running::{median, Running, Sample};

fn streams(c: &mut Criterion) {
    let mut s = build();
    s.config.output.ordinal_cost_map = false;
    let mut running = Running::start(&s);
    let mut group = c.benchmark_group("update_streams/300x10x1700-numerical");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(1));
    group.measurement_time(Duration::from_secs(20));
    let mut results: Vec<(usize, Vec<Sample>)> = Vec::new();
    for n in [0, 1, 4] {
        running.open_streams(n);
        let mut samples = Vec::new();
        group.bench_function(format!("one-isp-change/{n}-streams"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let sample = running.change();
                    total += sample.delivered;
                    samples.push(sample);
                }
                total
            })
        });
        results.push((n, samples));
    }
    group.finish();
    report(&results);
    running.burst(20, Duration::from_secs(1));
}

fn report(results: &[(usize, Vec<Sample>)]) {
    let field = |samples: &[Sample], f: fn(&Sample) -> f64| -> f64 {
        median(&samples.iter().map(f).collect::<Vec<_>>())
    };
    let base = &results[0].1;
    let (cpu0, get0) = (field(base, |s| s.cpu), field(base, |s| s.get.as_secs_f64()));
    for (n, samples) in results {
        let cpu = field(samples, |s| s.cpu);
        let get = field(samples, |s| s.get.as_secs_f64());
        let delivered = field(samples, |s| s.delivered.as_secs_f64());
        let patch_bytes = samples.iter().map(|s| s.patch_bytes).max().unwrap_or(0);
        println!(
            "update_streams {n} streams ({} publishes, medians): CPU {cpu:.3} s = {:.2}x baseline; \
             served (GET) after {get:.3} s = {:.2}x baseline; every stream has the patch after \
             {delivered:.3} s = {:.2}x its own GET time, {:.2}x the baseline GET time; \
             patch {:.1} MB as {}",
            samples.len(),
            cpu / cpu0,
            get / get0,
            delivered / get,
            delivered / get0,
            patch_bytes as f64 / 1e6,
            samples.last().map_or("-", |s| s.media_type.as_str()),
        );
    }
}

criterion_group!(benches, streams);

fn main() {
    if let Ok(n) = std::env::var(running::RSS_CASE) {
        running::rss_case(n.parse().unwrap());
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
    running::rss_children(&[0, 1, 4]);
}
