#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The HTTP ALTO client against real sockets on 127.0.0.1: an
//! `altofed_server` as the peer, and small raw servers for faults.

mod auth;
mod backoff;
mod faults;
mod happy;
mod liveness;
mod raw;
mod redirects;
mod sse;
mod support;
mod tls;
