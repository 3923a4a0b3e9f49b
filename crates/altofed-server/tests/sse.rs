//! RFC 8895 update streams against a real server on 127.0.0.1:0.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "sse/control.rs"]
mod control;
#[path = "sse/errors.rs"]
mod errors;
#[path = "sse/patch.rs"]
mod patch;
#[path = "sse/slow.rs"]
mod slow;
#[path = "sse/stream.rs"]
mod stream;
#[path = "sse/support.rs"]
mod support;
