//! What every serving command (`serve`, `publish`, `demo`) shares: the
//! runtime, the file descriptor limit, and the server settings from
//! `[server.limits]`.

use std::future::Future;
use std::process::ExitCode;
use std::time::Duration;

use altofed_core::config::LimitsSection;
use altofed_server::ServerConfig;
use anyhow::{Context, Result};

/// File descriptors kept back from the connection limit for everything
/// else the process opens (peers, state files, listeners, the runtime).
const RESERVED_FDS: u64 = 256;

/// Time given to blocking tasks (a request job, a file read) when the
/// server has returned; the process exits after it whatever they do.
const BLOCKING_TASK_GRACE: Duration = Duration::from_secs(1);

/// Runs `service` on a new multi-threaded runtime and exits once it
/// returns, even if blocking tasks are still running.
pub fn run(service: impl Future<Output = Result<()>>) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let result = runtime.block_on(service);
    runtime.shutdown_timeout(BLOCKING_TASK_GRACE);
    result.map(|()| ExitCode::SUCCESS)
}

/// Raises the soft limit on open files to the hard limit (many client
/// connections are the point of a server) and returns the limit in force.
pub fn raise_file_limit() -> Option<u64> {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    if let (Some(soft), Some(hard)) = (limit.current, limit.maximum) {
        if soft < hard {
            let raised = Rlimit {
                current: Some(hard),
                maximum: Some(hard),
            };
            match setrlimit(Resource::Nofile, raised) {
                Ok(()) => tracing::debug!(soft, hard, "raised the open file limit"),
                Err(e) => tracing::warn!("cannot raise the open file limit from {soft}: {e}"),
            }
        }
    }
    // `None`: no limit.
    getrlimit(Resource::Nofile).current
}

/// Writes `text` and a newline to standard output, and flushes. A closed
/// or broken stdout (`altofed demo | head`) is not a reason to stop
/// serving: the error is ignored (println! would panic).
pub fn say(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}").and_then(|()| out.flush());
}

/// `base` with `[server.limits]` applied, and the connection limit kept
/// below the file descriptor limit.
pub fn apply_limits(mut base: ServerConfig, limits: &LimitsSection) -> ServerConfig {
    let l = limits;
    let c = &mut base.connections;
    set(&mut base.max_pairs_per_request, l.max_pairs_per_request);
    set(&mut base.max_body_bytes, l.max_request_bytes);
    set(&mut base.request_timeout, l.request_timeout);
    if l.max_concurrent_requests.is_some() {
        base.max_concurrent_requests = l.max_concurrent_requests;
    }
    set(&mut c.header_read_timeout, l.header_read_timeout);
    set(&mut c.idle_timeout, l.idle_timeout);
    set(&mut c.write_timeout, l.write_timeout);
    set(&mut c.shutdown_grace, l.shutdown_grace);
    set(&mut base.update_streams.max_streams, l.max_update_streams);
    set(
        &mut base.update_streams.max_streams_per_client,
        l.max_update_streams_per_client,
    );
    let fds = raise_file_limit();
    c.max_connections = connection_limit(l.max_connections, c.max_connections, fds);
    base
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}

/// The configured limit, or the default; either kept below the file
/// descriptor limit (with a warning if the configured one had to be cut).
fn connection_limit(configured: Option<usize>, default: usize, fds: Option<u64>) -> usize {
    let wanted = configured.unwrap_or(default);
    let Some(fds) = fds else { return wanted };
    let room = usize::try_from(fds.saturating_sub(RESERVED_FDS).max(1)).unwrap_or(usize::MAX);
    if wanted > room && configured.is_some() {
        tracing::warn!(
            "server.limits.max-connections = {wanted} is over what the open file limit \
             ({fds}) allows: using {room}"
        );
    }
    wanted.min(room)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_limit_stays_below_the_file_limit() {
        assert_eq!(connection_limit(None, 10_000, Some(1024)), 768);
        assert_eq!(connection_limit(Some(500), 10_000, Some(1024)), 500);
        assert_eq!(connection_limit(Some(5_000), 10_000, Some(1024)), 768);
        assert_eq!(connection_limit(None, 10_000, Some(1_048_576)), 10_000);
        assert_eq!(connection_limit(Some(3), 10_000, None), 3);
        assert_eq!(connection_limit(None, 10_000, Some(100)), 1);
    }
}
