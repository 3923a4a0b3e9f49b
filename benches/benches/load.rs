//! Serving under load over real sockets: `wrk` on loopback against the
//! running altofed server and against per-request baselines, each server
//! on ONE thread (a current-thread tokio runtime) so that wrk has the
//! other core. Reported: requests/s, latency percentiles and the server
//! thread's CPU time per request, the ratio to the baseline, and the
//! ceiling: bare axum on the same kind of thread answering the same
//! request with altofed's answer, pre-serialized (what one core can serve
//! here at all). Needs `wrk` on the PATH (Debian:
//! `apt-get install wrk`); without it the bench says so and does nothing.
//!
//! `cargo bench -p altofed-benches --bench load` (10 s per run;
//! `-- --quick`: 3 s; `-- --pin`: servers on core 0, wrk on core 1;
//! `-- --repeat=N`: after each endpoint cost row, altofed and the ceiling
//! N more times back to back, with the median and total ratio and the
//! split into user and system time; `-- --connections=64`: only those
//! endpoint cost rows).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    missing_docs
)]

// `--features jemalloc`: the server (and the ceiling beside it) on the
// allocator and options `altofed` runs with.
#[cfg(feature = "jemalloc")]
altofed_benches::allocate_like_altofed!();

use std::future::pending;
use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;

use altofed_benches::serving::{
    cost_map_path, ecs_body, fixed_answer, naive_ecs, per_request_get, PIDS,
};
use altofed_model::media;
use altofed_server::{AppState, ServerConfig};
use altofed_tests::synthetic::documents;
use axum::body::{to_bytes, Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{header, Request};
use axum::Router;
use tower::ServiceExt;

/// What one wrk run measured.
#[derive(Debug)]
struct Run {
    requests_per_sec: f64,
    p50: String,
    p99: String,
    /// Requests served.
    requests: f64,
    /// The server thread's CPU time over the run.
    cpu: ThreadTimes,
}

impl Run {
    /// CPU time of the server thread per request, in µs: what one core
    /// could serve with the client elsewhere (1e6 / this requests/s), and
    /// less disturbed than requests/s by other load on the machine.
    fn cpu_us_per_request(&self) -> f64 {
        self.cpu.run_ns / 1e3 / self.requests
    }
}

/// A server under test: its address and its thread's name.
type Target = (SocketAddr, &'static str);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    // Like criterion: a plain argument selects the runs whose name has it
    // (`get`, `ecs`), e.g. to profile one of them.
    let filter = args.iter().find(|a| !a.starts_with('-')).cloned();
    let selected = |name: &str| filter.as_ref().is_none_or(|f| name.contains(f.as_str()));
    // `--pin`: the servers on core 0, wrk on core 1 (less run-to-run
    // spread); `--repeat=N`: after each endpoint cost row, N pairs of
    // altofed and the ceiling ([`paired`]); `--connections=N`: only the
    // endpoint cost rows with N connections (1 or 64).
    let pin = args.iter().any(|a| a == "--pin") && pin_this_process_to_core_0();
    let repeat: usize = args
        .iter()
        .find_map(|a| a.strip_prefix("--repeat=")?.parse().ok())
        .unwrap_or(1);
    let only: Option<usize> = args
        .iter()
        .find_map(|a| a.strip_prefix("--connections=")?.parse().ok());
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("load: `wrk` not found (Debian: apt-get install wrk); skipped");
        return;
    }
    let seconds = if quick { 3 } else { 10 };
    let state = AppState::new(ServerConfig::default());
    let snapshot = state.publish(documents(PIDS, 1)).unwrap();
    let costmap = Arc::new(altofed_model::CostTableDoc::clone(
        &snapshot.cost_maps[0].doc,
    ));
    let netmap = Arc::new(serde_json::to_value(&*snapshot.network_map).unwrap());
    let costmap_value = Arc::new(serde_json::to_value(&*costmap).unwrap());
    drop(snapshot);
    let path = cost_map_path();
    // The ceilings answer with altofed's own answers, made once here.
    let (get_answer, ecs_answer) = answers(&state, &path);

    let ours = on_one_thread("altofed", move |listener| async move {
        altofed_server::run(listener, state, pending())
            .await
            .unwrap();
    });
    let ours = (ours, "altofed");
    let get_baseline = axum_on_one_thread("baseline-get", per_request_get(costmap));
    let ecs_baseline = axum_on_one_thread("baseline-ecs", naive_ecs(netmap, costmap_value));
    let get_ceiling = axum_on_one_thread(
        "ceiling-get",
        fixed_answer(&path, media::COST_MAP, get_answer),
    );
    let ecs_ceiling = axum_on_one_thread(
        "ceiling-ecs",
        fixed_answer("/endpointcost", media::ENDPOINT_COST, ecs_answer),
    );
    let script = ecs_script();

    // Each cell: requests/s (latency p50, p99; server thread CPU time per
    // request).
    println!(
        "| request | connections | altofed | baseline | ratio \
         | bare axum ceiling | altofed / ceiling |"
    );
    println!("|---|---|---|---|---|---|---|");
    if selected("get") {
        let url = |addr: SocketAddr| format!("http://{addr}{path}");
        let runs =
            [ours, get_baseline, get_ceiling].map(|t| wrk(t, &url(t.0), 4, seconds, None, pin));
        report("GET full cost map, 1M pairs (22 MB)", 4, &runs);
    }
    let ecs_rows = [1, 64].into_iter().filter(|c| only.is_none_or(|o| o == *c));
    for connections in ecs_rows.filter(|_| selected("ecs")) {
        let url = |addr: SocketAddr| format!("http://{addr}/endpointcost");
        let runs = [ours, ecs_baseline, ecs_ceiling]
            .map(|t| wrk(t, &url(t.0), connections, seconds, Some(&script), pin));
        report("endpoint cost 10x1", connections, &runs);
        if repeat > 1 {
            let run = |t: Target| wrk(t, &url(t.0), connections, seconds, Some(&script), pin);
            paired(connections, repeat, || run(ours), || run(ecs_ceiling));
        }
    }
}

/// altofed and the ceiling run back to back `repeat` times, in turn first
/// (so that a drift of the shared host falls on both alike), without the
/// baseline between them; prints the median of the pairs' CPU ratios and
/// the ratio of the totals, with user and system time per request.
fn paired(
    connections: usize,
    repeat: usize,
    mut ours: impl FnMut() -> Run,
    mut ceiling: impl FnMut() -> Run,
) {
    let mut pairs: Vec<(Run, Run)> = Vec::with_capacity(repeat);
    for i in 0..repeat {
        if i % 2 == 0 {
            let a = ours();
            pairs.push((a, ceiling()));
        } else {
            let c = ceiling();
            pairs.push((ours(), c));
        }
    }
    let mut ratios: Vec<f64> = pairs
        .iter()
        .map(|(a, c)| a.cpu_us_per_request() / c.cpu_us_per_request())
        .collect();
    ratios.sort_by(f64::total_cmp);
    let total = |pick: fn(&(Run, Run)) -> &Run| Totals::of(pairs.iter().map(pick));
    let (a, c) = (total(|p| &p.0), total(|p| &p.1));
    println!(
        "endpoint cost, {connections} connection(s), {repeat} pairs: altofed / ceiling CPU per \
         request, median {:.2} ({:.2}-{:.2}), of the totals {:.2}; altofed {:.1} µs \
         (user {:.1}, system {:.1}), ceiling {:.1} µs (user {:.1}, system {:.1})",
        ratios[repeat / 2],
        ratios[0],
        ratios[repeat - 1],
        a.cpu_us() / c.cpu_us(),
        a.cpu_us(),
        a.user_us(),
        a.sys_us(),
        c.cpu_us(),
        c.user_us(),
        c.sys_us(),
    );
}

/// Sums over runs of one server, per request.
struct Totals {
    requests: f64,
    cpu_us: f64,
    user_us: f64,
    sys_us: f64,
}

impl Totals {
    fn of<'a>(runs: impl Iterator<Item = &'a Run>) -> Totals {
        let mut t = Totals {
            requests: 0.0,
            cpu_us: 0.0,
            user_us: 0.0,
            sys_us: 0.0,
        };
        for r in runs {
            t.requests += r.requests;
            t.cpu_us += r.cpu.run_ns / 1e3;
            t.user_us += r.cpu.user_us;
            t.sys_us += r.cpu.sys_us;
        }
        t
    }

    fn cpu_us(&self) -> f64 {
        self.cpu_us / self.requests
    }

    fn user_us(&self) -> f64 {
        self.user_us / self.requests
    }

    fn sys_us(&self) -> f64 {
        self.sys_us / self.requests
    }
}

/// Sets this process's threads (and so the servers' threads, spawned
/// later) on core 0 with `taskset`; false if that failed.
fn pin_this_process_to_core_0() -> bool {
    let pid = std::process::id().to_string();
    let pinned = Command::new("taskset")
        .args(["-a", "-p", "-c", "0", &pid])
        .output()
        .is_ok_and(|o| o.status.success());
    if !pinned {
        eprintln!("load: `taskset -a -p -c 0` failed; not pinned");
    }
    pinned
}

fn report(what: &str, connections: usize, [ours, base, ceiling]: &[Run; 3]) {
    let cell = |r: &Run| {
        format!(
            "{:.0} ({}, {}; {:.1} µs CPU)",
            r.requests_per_sec,
            r.p50,
            r.p99,
            r.cpu_us_per_request()
        )
    };
    println!(
        "| {what} | {connections} | {} | {} | {:.1}x | {} | {:.2} |",
        cell(ours),
        cell(base),
        ours.requests_per_sec / base.requests_per_sec,
        cell(ceiling),
        ours.requests_per_sec / ceiling.requests_per_sec
    );
}

/// altofed's answers to the GET and to the endpoint cost request, through
/// the router in process (no socket), for the ceilings to send as they are.
fn answers(state: &AppState, path: &str) -> (Bytes, Bytes) {
    let app = altofed_server::router(state.clone());
    let send = |request: Request<Body>| {
        let mut request = request;
        let client = SocketAddr::from(([127, 0, 0, 1], 40000));
        request.extensions_mut().insert(ConnectInfo(client));
        let app = app.clone();
        async move {
            let response = app.oneshot(request).await.unwrap();
            assert!(response.status().is_success(), "{}", response.status());
            to_bytes(response.into_body(), usize::MAX).await.unwrap()
        }
    };
    let get = Request::get(path)
        .header(header::ACCEPT_ENCODING, "identity")
        .body(Body::empty())
        .unwrap();
    let ecs = Request::post("/endpointcost")
        .header(header::CONTENT_TYPE, media::ENDPOINT_COST_PARAMS)
        .body(Body::from(ecs_body()))
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async { (send(get).await, send(ecs).await) })
}

/// Serves on a thread of its own (named `name`, for profilers) with a
/// current-thread runtime; returns the address once listening.
fn on_one_thread<F, Fut>(name: &str, serve: F) -> SocketAddr
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

fn axum_on_one_thread(name: &'static str, app: Router) -> Target {
    let addr = on_one_thread(name, move |listener| async move {
        axum::serve(listener, app).await.unwrap();
    });
    (addr, name)
}

/// What the scheduler accounts to one thread (totals, or a difference).
#[derive(Debug, Clone, Copy, Default)]
struct ThreadTimes {
    /// Time on a CPU, in ns (`schedstat`: exact).
    run_ns: f64,
    /// User and system time in µs (`stat`: in clock ticks, so only a
    /// split of `run_ns` over a run of seconds).
    user_us: f64,
    sys_us: f64,
}

impl ThreadTimes {
    /// The thread of this process named `name` (zeros where there is no
    /// `/proc`).
    fn of(name: &str) -> ThreadTimes {
        let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
            return ThreadTimes::default();
        };
        let Some(dir) = tasks
            .filter_map(|task| Some(task.ok()?.path()))
            .find(|dir| std::fs::read_to_string(dir.join("comm")).is_ok_and(|c| c.trim() == name))
        else {
            return ThreadTimes::default();
        };
        let read = |file: &str| std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        let run_ns = read("schedstat")
            .split_whitespace()
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0.0);
        // `stat`: fields 14 and 15 (utime, stime), counted from 1, are at
        // 11 and 12 counting from 0 after the command name's ')' (field 2).
        let stat = read("stat");
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map_or("", |s| s.1)
            .split_whitespace()
            .collect();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|t| t.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        let (utime, stime) = (ticks(11), ticks(12));
        let tick_us = 1e6 / clock_ticks_per_second();
        ThreadTimes {
            run_ns,
            user_us: utime * tick_us,
            sys_us: stime * tick_us,
        }
    }

    fn since(self, before: ThreadTimes) -> ThreadTimes {
        ThreadTimes {
            run_ns: self.run_ns - before.run_ns,
            user_us: self.user_us - before.user_us,
            sys_us: self.sys_us - before.sys_us,
        }
    }
}

/// `getconf CLK_TCK` (100 on Linux where that is not there).
fn clock_ticks_per_second() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse().ok())
            .unwrap_or(100.0)
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

/// One wrk run on one thread against `server`; every response must be a
/// 2xx.
fn wrk(
    (_, server): Target,
    url: &str,
    connections: usize,
    seconds: u64,
    script: Option<&tempfile::NamedTempFile>,
    pin: bool,
) -> Run {
    let mut command = if pin {
        let mut taskset = Command::new("taskset");
        taskset.args(["-c", "1", "wrk"]);
        taskset
    } else {
        Command::new("wrk")
    };
    command.args(["-t1", "--latency", "--timeout", "30s"]);
    command
        .arg(format!("-c{connections}"))
        .arg(format!("-d{seconds}s"));
    if let Some(script) = script {
        command.arg("-s").arg(script.path());
    }
    let before = ThreadTimes::of(server);
    let output = command.arg(url).output().unwrap();
    let cpu = ThreadTimes::of(server).since(before);
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
    let requests: f64 = text
        .lines()
        .find(|l| l.contains(" requests in "))
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no request count in wrk output:\n{text}"));
    Run {
        requests_per_sec: field("Requests/sec:").parse().unwrap(),
        p50: field("50%"),
        p99: field("99%"),
        requests,
        cpu,
    }
}
