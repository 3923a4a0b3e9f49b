//! The running aggregator. State = the CDN network and its C_cdn, each
//! peer's last good maps and composed columns, and their freshness.
//! Triggers arrive as messages ([`Trigger`]); each one recomputes only what
//! it invalidates (a peer's change: that peer's columns; a CDN change:
//! C_cdn and every peer's columns), then assembles, publishes a snapshot to
//! the server and persists it.
//!
//! - [`engine`]: the state and the event loop.
//! - [`persist`]: the last published documents on disk, read at start-up.
//! - [`node_store`]: CDN node statuses on disk, restored before the first
//!   publish.
//! - [`watch`]: directory peers and the topology file, polled.

pub mod engine;
mod metrics;
pub mod node_store;
pub mod persist;
mod slot;
pub mod watch;

pub use engine::{Engine, Trigger};
