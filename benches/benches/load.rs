//! Serving under load over real sockets: `wrk` on loopback against the
//! running altofed server and against per-request baselines, each server
//! on ONE thread (a current-thread tokio runtime) so that wrk has the
//! other core. Reported: requests/s and latency percentiles, and the
//! ratio to the baseline. Needs `wrk` on the PATH (Debian: `apt-get
//! install wrk`); without it the bench says so and does nothing.
//!
//! `cargo bench -p altofed-benches --bench load` (10 s per run;
//! `-- --quick`: 3 s).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    missing_docs
)]

use std::future::pending;
use std::process::Command;
use std::sync::Arc;

use altofed_benches::serving::{cost_map_path, ecs_body, naive_ecs, per_request_get, PIDS};
use altofed_model::media;
use altofed_server::{AppState, ServerConfig};
use altofed_tests::synthetic::documents;
use axum::Router;

/// What one wrk run measured.
#[derive(Debug)]
struct Run {
    requests_per_sec: f64,
    p50: String,
    p99: String,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    // Like criterion: a plain argument selects the runs whose name has it
    // (`get`, `ecs`), e.g. to profile one of them.
    let filter = args.iter().find(|a| !a.starts_with('-')).cloned();
    let selected = |name: &str| filter.as_ref().is_none_or(|f| name.contains(f.as_str()));
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("load: `wrk` not found (Debian: apt-get install wrk); skipped");
        return;
    }
    let seconds = if quick { 3 } else { 10 };
    let state = AppState::new(ServerConfig::default());
    let snapshot = state.publish(documents(PIDS, 1)).unwrap();
    let costmap = Arc::new(snapshot.cost_maps[0].doc.clone());
    let netmap = Arc::new(serde_json::to_value(&snapshot.network_map).unwrap());
    let costmap_value = Arc::new(serde_json::to_value(&*costmap).unwrap());
    drop(snapshot);

    let ours = on_one_thread("altofed", move |listener| async move {
        altofed_server::run(listener, state, pending())
            .await
            .unwrap();
    });
    let get_baseline = axum_on_one_thread("baseline-get", per_request_get(costmap));
    let ecs_baseline = axum_on_one_thread("baseline-ecs", naive_ecs(netmap, costmap_value));
    let script = ecs_script();

    println!(
        "| request | connections | altofed req/s (p50, p99) | baseline req/s (p50, p99) | ratio |"
    );
    println!("|---|---|---|---|---|");
    let path = cost_map_path();
    if selected("get") {
        let get = (
            wrk(&format!("http://{ours}{path}"), 4, seconds, None),
            wrk(&format!("http://{get_baseline}{path}"), 4, seconds, None),
        );
        report("GET full cost map, 1M pairs (22 MB)", 4, &get);
    }
    for connections in [1, 64].into_iter().filter(|_| selected("ecs")) {
        let ecs = (
            wrk(
                &format!("http://{ours}/endpointcost"),
                connections,
                seconds,
                Some(&script),
            ),
            wrk(
                &format!("http://{ecs_baseline}/endpointcost"),
                connections,
                seconds,
                Some(&script),
            ),
        );
        report("endpoint cost 10x1", connections, &ecs);
    }
}

fn report(what: &str, connections: usize, (ours, base): &(Run, Run)) {
    println!(
        "| {what} | {connections} | {:.0} ({}, {}) | {:.0} ({}, {}) | {:.1}x |",
        ours.requests_per_sec,
        ours.p50,
        ours.p99,
        base.requests_per_sec,
        base.p50,
        base.p99,
        ours.requests_per_sec / base.requests_per_sec
    );
}

/// Serves on a thread of its own (named `name`, for profilers) with a
/// current-thread runtime; returns the address once listening.
fn on_one_thread<F, Fut>(name: &str, serve: F) -> std::net::SocketAddr
where
    F: FnOnce(tokio::net::TcpListener) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let thread = std::thread::Builder::new().name(name.to_owned());
    let _ = thread.spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            serve(listener).await;
        });
    });
    addr
}

fn axum_on_one_thread(name: &str, app: Router) -> std::net::SocketAddr {
    on_one_thread(name, move |listener| async move {
        axum::serve(listener, app).await.unwrap();
    })
}

/// A wrk Lua script that POSTs the endpoint cost request.
fn ecs_script() -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new().suffix(".lua").tempfile().unwrap();
    let script = format!(
        "wrk.method = \"POST\"\nwrk.body = [[{}]]\n\
         wrk.headers[\"Content-Type\"] = \"{}\"\n\
         wrk.headers[\"Accept\"] = \"{},application/alto-error+json\"\n",
        ecs_body(),
        media::ENDPOINT_COST_PARAMS,
        media::ENDPOINT_COST
    );
    std::fs::write(file.path(), script).unwrap();
    file
}

/// One wrk run on one thread; every response must be a 2xx.
fn wrk(
    url: &str,
    connections: usize,
    seconds: u64,
    script: Option<&tempfile::NamedTempFile>,
) -> Run {
    let mut command = Command::new("wrk");
    command.args(["-t1", "--latency", "--timeout", "30s"]);
    command
        .arg(format!("-c{connections}"))
        .arg(format!("-d{seconds}s"));
    if let Some(script) = script {
        command.arg("-s").arg(script.path());
    }
    let output = command.arg(url).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "wrk failed: {text}");
    assert!(
        !text.contains("Non-2xx"),
        "error responses from {url}:\n{text}"
    );
    let field = |label: &str| -> String {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(label))
            .map(|v| v.split_whitespace().next().unwrap_or("").to_owned())
            .unwrap_or_else(|| panic!("no `{label}` in wrk output:\n{text}"))
    };
    Run {
        requests_per_sec: field("Requests/sec:").parse().unwrap(),
        p50: field("50%"),
        p99: field("99%"),
    }
}
