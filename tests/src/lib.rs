//! Shared test support for altofed's integration tests: locating the
//! repository's scenarios, running the `altofed` binary, checking that
//! the documents it writes conform to the RFCs, and an update stream
//! client.

pub mod conformance;
pub mod dns;
pub mod dns_client;
pub mod fixtures;
pub mod ird_walk;
pub mod process;
pub mod prometheus;
pub mod realdata;
pub mod server;
pub mod sse_client;
pub mod synthetic;
