//! Operations tests: real servers on 127.0.0.1:0, real HTTP(S) clients.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin;
mod admin_batch;
mod admin_burst;
mod auth;
mod ecs_lane;
mod health_metrics;
mod request_id;
mod shutdown_overload;
mod support;
mod tls;
