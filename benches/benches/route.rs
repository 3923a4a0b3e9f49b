//! Request routing (`altofed route`, issue #14) at production scale: the
//! table from the e2e scenario's published maps (300 CDN PIDs, 17,000
//! subscriber PIDs, one node per CDN PID), each figure against a baseline
//! in the same run:
//!
//! - `route/dns`: A queries with an EDNS Client Subnet (/32 of an address
//!   in a different subscriber PID each, over all of them) over UDP on
//!   127.0.0.1, to the DNS front, and the same queries to hickory-server
//!   answering one fixed A record from a static in-memory zone (its
//!   `Catalog`): what hickory's server costs at all per answer.
//! - `route/http`: GETs of a different path each, `X-Forwarded-For` a
//!   subscriber address (127.0.0.1 is a trusted proxy, so the header
//!   decides), on 64 keep-alive connections, to the HTTP front and to
//!   bare axum answering a fixed `302` on the same connection loop
//!   (`altofed_server::conn::serve_connections`).
//! - `route/table`: building the routing table from the maps, and
//!   rebuilding it after one ISP's costs change and after a node is
//!   drained, against reading every entry of the same cost map once.
//!
//! Each server runs on one thread of its own (a current-thread runtime);
//! the client is this thread. The fronts' figures are the server thread's
//! CPU time per answer (criterion's "time" is CPU time there, so its
//! throughput is answers per CPU-second of one core), printed again at the
//! end as ratios.
//!
//! `cargo bench -p altofed-benches --bench route` (`-- --quick`: shorter).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    missing_docs
)]

#[path = "route/servers.rs"]
mod servers;
#[path = "route/table.rs"]
mod table;

use std::time::{Duration, Instant};

use altofed_benches::route_load::{pin_to_cpu, thread_cpu_ns, DnsLoad, HttpLoad};
use altofed_benches::route_scenario::scenario;
use criterion::{Criterion, SamplingMode, Throughput};

/// CPU time of a server thread and wall time over a number of answers.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    answers: u64,
    cpu_ns: u64,
    wall: Duration,
}

impl Tally {
    fn per_cpu_second(&self) -> f64 {
        self.answers as f64 / (self.cpu_ns as f64 / 1e9)
    }

    fn per_wall_second(&self) -> f64 {
        self.answers as f64 / self.wall.as_secs_f64()
    }
}

/// Benchmarks one server thread: criterion's time per iteration is that
/// thread's CPU time per answer.
fn front<L>(c: &mut Criterion, group: &str, name: &str, thread: &str, load: &mut L) -> Tally
where
    L: FnMut(u64),
{
    let mut tally = Tally::default();
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(1));
    g.sampling_mode(SamplingMode::Flat);
    g.bench_function(name, |b| {
        b.iter_custom(|n| {
            let (cpu, started) = (thread_cpu_ns(thread), Instant::now());
            load(n);
            let wall = started.elapsed();
            let cpu = thread_cpu_ns(thread) - cpu;
            tally.answers += n;
            tally.cpu_ns += cpu;
            tally.wall += wall;
            Duration::from_nanos(cpu)
        })
    });
    g.finish();
    tally
}

/// `rounds` runs of `n` answers from each of two servers, alternating
/// (criterion measures one server after the other, so a machine whose load
/// changes in between moves that ratio; this one it moves less): the
/// median CPU µs per answer of each.
fn alternate(rounds: usize, n: u64, [a, b]: [(&str, &mut dyn FnMut(u64)); 2]) -> (f64, f64) {
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    let once = |thread: &str, load: &mut dyn FnMut(u64)| {
        let cpu = thread_cpu_ns(thread);
        load(n);
        (thread_cpu_ns(thread) - cpu) as f64 / 1e3 / n as f64
    };
    for _ in 0..rounds {
        xs.push(once(a.0, &mut *a.1));
        ys.push(once(b.0, &mut *b.1));
    }
    let mid = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (mid(&mut xs), mid(&mut ys))
}

pub(crate) fn median(v: &mut [Duration]) -> Duration {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn main() {
    let mut c = Criterion::default()
        .measurement_time(Duration::from_secs(10))
        .configure_from_args();
    let started = Instant::now();
    let s = scenario();
    eprintln!(
        "route scenario: {} PIDs, {} cost map pairs, {} nodes, {} subscriber client addresses ({:.0?} to build)",
        s.maps.network_map.network_map.len(),
        s.pairs,
        s.nodes.len(),
        s.clients.len(),
        started.elapsed()
    );
    let pinned = pin_to_cpu(0);
    eprintln!("client pinned to CPU 0, servers to CPU 1: {pinned}");
    let servers = servers::start(&s);
    let mut dns = DnsLoad::new(servers.dns, servers.dns_queries.clone(), 64);
    let mut dns_static = DnsLoad::new(servers.dns_static, servers.dns_queries.clone(), 64);
    servers.check_dns(&mut dns, &mut dns_static);
    let d = front(&mut c, "route/dns", "front-ecs", "route-dns", &mut |n| {
        dns.run(n)
    });
    let d0 = front(&mut c, "route/dns", "static-zone", "static-dns", &mut |n| {
        dns_static.run(n)
    });
    // Connected just before use: a connection without a request for 10 s
    // is closed (the connection loop's header-read timeout).
    let mut http = HttpLoad::new(servers.http, servers.http_requests.clone(), 64);
    servers.check_http(&mut http, false);
    let h = front(&mut c, "route/http", "front-302", "route-http", &mut |n| {
        http.run(n)
    });
    let mut http_static = HttpLoad::new(servers.http_static, servers.http_requests.clone(), 64);
    servers.check_http(&mut http_static, true);
    let h0 = front(
        &mut c,
        "route/http",
        "bare-axum-302",
        "static-http",
        &mut |n| http_static.run(n),
    );
    let t = table::table(&mut c, &s);
    c.final_summary();
    let (rounds, n) = (7, 100_000);
    let dns_alt = alternate(
        rounds,
        n,
        [
            ("route-dns", &mut |n| dns.run(n)),
            ("static-dns", &mut |n| dns_static.run(n)),
        ],
    );
    // Fresh connections: the others idled past the header-read timeout.
    let mut http = HttpLoad::new(servers.http, servers.http_requests.clone(), 64);
    let mut http_static = HttpLoad::new(servers.http_static, servers.http_requests.clone(), 64);
    let http_alt = alternate(
        rounds,
        n,
        [
            ("route-http", &mut |n| http.run(n)),
            ("static-http", &mut |n| http_static.run(n)),
        ],
    );

    println!("| figure | altofed route | baseline | ratio |");
    println!("|---|---|---|---|");
    let row = |what: &str, ours: &Tally, base: &Tally| {
        println!(
            "| {what} | {:.0}/CPU-s ({:.1} µs CPU; {:.0}/s wall) | {:.0}/CPU-s ({:.1} µs CPU; {:.0}/s wall) | {:.2} |",
            ours.per_cpu_second(),
            1e6 / ours.per_cpu_second(),
            ours.per_wall_second(),
            base.per_cpu_second(),
            1e6 / base.per_cpu_second(),
            base.per_wall_second(),
            ours.per_cpu_second() / base.per_cpu_second()
        );
    };
    row("DNS A answers with ECS, one core", &d, &d0);
    row("HTTP 302 redirects, one core", &h, &h0);
    for (what, (ours, base)) in [("DNS", dns_alt), ("HTTP", http_alt)] {
        println!(
            "| {what}, alternated, median of {rounds} x {n} | {ours:.1} µs CPU ({:.0}/CPU-s) | {base:.1} µs CPU ({:.0}/CPU-s) | {:.2} |",
            1e6 / ours,
            1e6 / base,
            base / ours
        );
    }
    let floor = t.floor.as_secs_f64();
    let table_rows = [
        ("table build", t.build),
        ("table rebuild, one ISP's costs changed", t.one_isp),
        ("table rebuild, one node drained", t.drained),
    ];
    for (what, took) in table_rows {
        println!(
            "| {what}, {} pairs | {took:.3?} | {:.3?} (read every entry) | {:.1}x the floor; {:.1}x faster than a build |",
            s.pairs,
            t.floor,
            took.as_secs_f64() / floor,
            t.build.as_secs_f64() / took.as_secs_f64()
        );
    }
    println!(
        "(one ISP's change: {} subscriber PIDs ranked again)",
        t.ranked_again
    );
    eprintln!(
        "DNS queries given up on: {} (front), {} (static)",
        dns.lost, dns_static.lost
    );
}
