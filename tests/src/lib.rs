//! Shared test support for altofed's integration tests: locating the
//! repository's scenarios, running the `altofed` binary, and checking that
//! the documents it writes conform to the RFCs.

pub mod conformance;
pub mod fixtures;
pub mod realdata;
pub mod server;
pub mod synthetic;
