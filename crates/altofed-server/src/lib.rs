//! The ALTO server: RFC 7285 resources, RFC 9240 property maps and RFC 8895
//! update streams, served from an immutable [`Snapshot`] that is swapped
//! atomically while requests are in flight.
//!
//! The same server publishes the aggregator's computed maps and, for
//! `altofed publish`, a static directory of map files.
//!
//! - [`snapshot`]: documents -> pre-serialized, pre-compressed resources,
//!   the IRD, and the lookup structures POST services need; the big parts
//!   shared (`Arc`) with the next snapshot when only the property maps
//!   change ([`snapshot::with_property_maps`]).
//! - [`state`]: the current snapshot (ArcSwap) and change notification;
//!   CDN node status changes, published in batches by a single flight.
//! - [`ops`]: probes, metrics, authentication, TLS and the admin API.
//! - [`http`]: ALTO errors, JSON request bodies, content negotiation.
//! - [`routes`]: the resources.
//! - [`conn`]: client connections: limit, timeouts, draining.
//! - [`server`]: `run(listener, state, shutdown)`.

pub mod conn;
pub mod http;
pub mod ops;
pub mod routes;
pub mod server;
pub mod snapshot;
pub mod sse;
pub mod state;
pub mod static_dir;

pub use server::{router, run, ServerConfig};
pub use snapshot::{Documents, Piece, Snapshot};
pub use state::AppState;

/// The jemalloc options `altofed` runs with (NUL-terminated, jemalloc's
/// `malloc_conf` syntax): a background thread returns freed pages to the
/// OS about a second after they are freed, rather than on some later
/// allocation in a request's path. Here, not in the binary, so that the
/// memory and load benches run with exactly what the binary does
/// (`altofed_benches::allocate_like_altofed!`); docs/benchmarks.md,
/// "Memory", has the figures behind them.
pub const JEMALLOC_OPTIONS: &[u8] =
    b"background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0\0";
