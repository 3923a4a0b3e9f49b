//! `altofed route`: the CDN's request router (design.md §6, issue #14).
//! An ALTO client of one ALTO server (the aggregator, or any RFC 7285
//! server) keeps a routing table of subscriber PID -> CDN nodes ranked by
//! cost and node status; an authoritative DNS front (with EDNS Client
//! Subnet) and an HTTP 302 front answer from it.
//!
//! The table is pure (`table`); the fronts only read it through an
//! `ArcSwap`, so a rebuild is one atomic swap and never blocks a query.

pub mod config;
pub mod config_env;
pub mod dns_front;
pub mod dns_zone;
pub mod http_front;
pub mod keeper;
pub mod metrics;
pub mod node;
pub mod proxy_protocol;
pub mod run;
pub mod table;

pub use config::RouteConfig;
pub use run::{serve, Bound, RunError};
pub use table::{Node, NodeStatus, Ranked, Reuse, Route, RoutingTable, TableError};
