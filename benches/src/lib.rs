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
