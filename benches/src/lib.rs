//! Criterion benchmarks live in `benches/`; document generators come from
//! the shared test support crate (`altofed_tests::synthetic`).
