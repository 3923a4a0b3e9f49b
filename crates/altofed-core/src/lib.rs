//! The computation at the heart of altofed, pure and synchronous: no IO, no
//! async. Callers read files and fetch peers; this crate turns what they
//! read into ALTO documents.
//!
//! - [`topology`]: the CDN network (own TOML format, GraphML and Rocketfuel
//!   importers) as a petgraph graph with CDN PIDs and border routers.
//! - [`cdn_cost`]: C_cdn, the cost from every CDN PID to every border router.
//! - [`config`]: the aggregator's configuration (peers, links, policy).
//! - [`border`]: which ISP PID sits at the far end of each peering link.
//! - [`compose`]: C_cdn + link + C_isp, multipath or single path.
//! - [`output`]: the network, cost and property maps altofed publishes.
//! - [`peer_checks`]: checks on one peer's maps before they are composed.
//! - [`pipeline`]: all of the above in one call.

pub mod border;
pub mod cdn_cost;
pub mod compose;
pub mod config;
mod config_cache;
mod config_check;
mod config_env;
mod config_http;
pub mod output;
pub mod peer;
pub mod peer_checks;
pub mod pipeline;
pub mod topology;
