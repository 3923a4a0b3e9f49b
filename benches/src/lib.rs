//! Criterion benchmarks live in `benches/`. Document generators: the
//! shared test support crate (`altofed_tests::synthetic`, maps of any
//! size) and [`isp_scenario`] (ISP maps at production scale from the real
//! BGP table); [`cdn_scenario`] (CDN networks on real and synthetic router
//! graphs), [`compose_scenario`] (composition inputs and baselines) and
//! [`compose_peak`] (the min-plus peak per instruction set);
//! [`e2e_scenario`] (a CDN and ten production-size ISPs, parsed, for the
//! engine end to end); [`serving`] (serving requests and per-request
//! baselines); [`route_scenario`] and [`route_load`] (the request router's
//! maps at production scale, and load over sockets for its fronts);
//! [`stream_clients`] (RFC 8895 stream readers, process CPU
//! and RSS for the update stream and mirror benches); [`rng`] (the seeded generator
//! they share).

/// Makes the bench binary it is expanded in allocate as `altofed` does:
/// jemalloc with [`altofed_server::JEMALLOC_OPTIONS`] (see
/// crates/altofed/src/alloc.rs, which says why the options symbol is
/// unsafe code). A macro, because both items must be in the binary's own
/// crate; needs the `jemalloc` feature (the `tikv-jemallocator` dependency).
#[macro_export]
macro_rules! allocate_like_altofed {
    () => {
        #[global_allocator]
        static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

        #[allow(unsafe_code)]
        #[export_name = "_rjem_malloc_conf"]
        static MALLOC_CONF: &u8 = &altofed_server::JEMALLOC_OPTIONS[0];
    };
}

pub mod cdn_scenario;
pub mod compose_peak;
pub mod compose_scenario;
pub mod e2e_scenario;
pub mod isp_scenario;
pub mod rng;
pub mod route_load;
pub mod route_scenario;
pub mod serving;
pub mod stream_clients;

/// Waits until `snapshot`'s bodies are all compressed: an engine's
/// publish is served in identity first and compressed after
/// (`altofed_server::snapshot::build_identity_first`). Polls every 0.2 ms;
/// panics after two minutes.
pub fn until_compressed(snapshot: &altofed_server::Snapshot) {
    let started = std::time::Instant::now();
    while !snapshot.is_compressed() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "snapshot {} not compressed in two minutes",
            snapshot.generation
        );
        std::thread::sleep(std::time::Duration::from_micros(200));
    }
}
