//! The process's allocator: jemalloc (tikv-jemallocator) instead of glibc's
//! malloc. A publish frees hundreds of MB of small pieces (one per peer per
//! row) that the previous snapshot held; glibc keeps most of them in its
//! arenas, so RSS grows with every one-ISP change until it settles far above
//! what is live. jemalloc with a background purging thread returns them.
//! docs/benchmarks.md, "Memory (`e2e_rss`)", has the figures for glibc,
//! mimalloc and jemalloc. `--no-default-features` builds with the system
//! allocator (for targets jemalloc does not build on).

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options ([`altofed_server::JEMALLOC_OPTIONS`]), read once at
/// its start-up from this symbol (`malloc_conf` under tikv-jemalloc-sys's
/// `_rjem_` prefix). `_RJEM_MALLOC_CONF` in the environment overrides them.
// `export_name` counts as unsafe code: jemalloc reads the symbol as a C
// `const char *`, which a thin reference to the first byte of a
// NUL-terminated string is.
#[allow(unsafe_code)]
#[export_name = "_rjem_malloc_conf"]
static MALLOC_CONF: &u8 = &altofed_server::JEMALLOC_OPTIONS[0];
