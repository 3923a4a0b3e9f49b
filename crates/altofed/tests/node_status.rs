//! Issue #14, "node status reaches every answer", against `altofed serve`
//! of Figure 5 as a real process: a status for an address in no CDN PID
//! is refused (single and batch, nothing published changes); endpoint
//! cost answers leave out nodes that are down or drained, in both
//! directions; statuses survive SIGTERM and SIGKILL restarts, a corrupt
//! status file is reported and ignored, and a status that cannot be saved
//! is still served, logged and counted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod aggregator;

use std::path::{Path, PathBuf};

use aggregator::{copy_figure5, get, log_lines, serve};
use altofed_tests::process::{wait_for_text, Running};
use serde_json::{json, Value};

// The node of each Figure 5 CDN PID, and a subscriber in isp-a:pid1.
const N8: &str = "203.0.113.1";
const N9: &str = "203.0.113.65";
const N10: &str = "203.0.113.129";
const PID1: &str = "198.51.100.1";

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// `altofed serve` of `config` (a Figure 5 file in `dir`), once isp-a's
/// PIDs are published.
async fn serve_figure5(dir: &Path, config: &str, log: &str) -> (Running, String) {
    let (running, base) = serve(&dir.join(config), &dir.join(log));
    wait_for_text(&format!("{base}/maps/agg-netmap"), "isp-a:pid1").await;
    (running, base)
}

fn status(health: &str, load: f64, drained: bool) -> Value {
    json!({"health": health, "load": load, "drained": drained})
}

async fn put(base: &str, path: &str, body: &Value) -> reqwest::Response {
    let url = format!("{base}/admin/{path}");
    http().put(url).json(body).send().await.unwrap()
}

/// The published `ipv4:` / `ipv6:` entities (node statuses).
async fn node_entities(base: &str) -> Value {
    let map = get(base, "/maps/agg-propmap").await.unwrap();
    let nodes = map["property-map"].as_object().unwrap().iter();
    let nodes = nodes.filter(|(k, _)| k.starts_with("ipv4:") || k.starts_with("ipv6:"));
    Value::Object(nodes.map(|(k, v)| (k.clone(), v.clone())).collect())
}

fn entity(health: &str, load: f64, drained: bool) -> Value {
    json!({".priv:health": health, ".priv:load": load, ".priv:drained": drained})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_for_an_address_in_no_cdn_pid_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    copy_figure5(dir.path());
    let (server, base) = serve_figure5(dir.path(), "altofed.toml", "serve.log").await;
    let up = status("up", 0.2, false);
    let r = put(&base, &format!("nodes/{N8}"), &up).await;
    assert_eq!(r.status(), 200, "{}", server.log_text());
    let before = get(&base, "/maps/agg-propmap").await.unwrap();

    let message = format!(
        "{PID1} is in no CDN PID of the CDN topology (it is in PID isp-a:pid1): \
         node statuses are for CDN nodes"
    );
    let r = put(&base, &format!("nodes/{PID1}"), &up).await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/alto-error+json");
    let expected = json!({"meta": {"code": "E_INVALID_FIELD_VALUE", "field": "address",
        "value": PID1, "message": message}});
    assert_eq!(r.json::<Value>().await.unwrap(), expected);

    // A batch with one such address is refused whole: N9 is not set.
    let batch = json!({"nodes": {N9: status("down", 0.0, true), PID1: up}});
    let r = put(&base, "nodes", &batch).await;
    assert_eq!(r.status(), 400);
    let expected = json!({"meta": {"code": "E_INVALID_FIELD_VALUE",
        "field": format!("nodes/{PID1}"), "value": PID1, "message": message}});
    assert_eq!(r.json::<Value>().await.unwrap(), expected);

    // Nothing published changed, nothing was accepted.
    assert_eq!(get(&base, "/maps/agg-propmap").await.unwrap(), before);
    let listed = get(&base, "/admin/nodes").await.unwrap();
    assert_eq!(listed, json!({"nodes": {N8: up}}));
}

/// A redirector's endpoint cost request: `srcs` x `dsts`, routingcost.
async fn ecs(base: &str, srcs: &[&str], dsts: &[&str]) -> Value {
    let typed = |list: &[&str]| list.iter().map(|a| format!("ipv4:{a}")).collect::<Vec<_>>();
    let body = json!({
        "cost-type": {"cost-mode": "numerical", "cost-metric": "routingcost"},
        "endpoints": {"srcs": typed(srcs), "dsts": typed(dsts)},
    });
    let r = http()
        .post(format!("{base}/endpointcost"))
        .header("content-type", "application/alto-endpointcostparams+json")
        .header("accept", "application/alto-endpointcost+json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    floats(&r.json::<Value>().await.unwrap()["endpoint-cost-map"])
}

/// `value` with every number as a float (`4` and `4.0` compare equal).
fn floats(value: &Value) -> Value {
    match value {
        Value::Number(n) => json!(n.as_f64().unwrap()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), floats(v))).collect()),
        other => other.clone(),
    }
}

/// Both directions' answers for pid1's subscriber and the three nodes.
async fn answers(base: &str) -> (Value, Value) {
    let nodes = [N8, N9, N10];
    (
        ecs(base, &nodes, &[PID1]).await,
        ecs(base, &[PID1], &nodes).await,
    )
}

/// The expected answers when the nodes of `costs` (address, cost to or
/// from pid1) are the usable ones.
fn expected(costs: &[(&str, f64)]) -> (Value, Value) {
    let forward = costs
        .iter()
        .map(|(n, c)| (format!("ipv4:{n}"), json!({format!("ipv4:{PID1}"): c})));
    let reverse = costs.iter().map(|(n, c)| (format!("ipv4:{n}"), json!(c)));
    (
        Value::Object(forward.collect()),
        json!({format!("ipv4:{PID1}"): Value::Object(reverse.collect())}),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpoint_costs_leave_out_nodes_down_or_drained_in_both_directions() {
    let dir = tempfile::tempdir().unwrap();
    copy_figure5(dir.path());
    let (server, base) = serve_figure5(dir.path(), "altofed-both.toml", "serve.log").await;
    // design.md's table: pid8 -> pid1 4, pid9 5, pid10 8 (and back).
    assert_eq!(
        answers(&base).await,
        expected(&[(N8, 4.0), (N9, 5.0), (N10, 8.0)])
    );

    let r = put(&base, &format!("nodes/{N8}"), &status("up", 0.1, true)).await;
    assert_eq!(r.status(), 200, "{}", server.log_text());
    assert_eq!(answers(&base).await, expected(&[(N9, 5.0), (N10, 8.0)]));

    // Down counts like drained; a load near 1 is left to the client.
    let batch = json!({"nodes": {N10: status("down", 0.0, false), N9: status("up", 1.0, false)}});
    assert_eq!(put(&base, "nodes", &batch).await.status(), 200);
    assert_eq!(answers(&base).await, expected(&[(N9, 5.0)]));

    // Cleared or undrained, a node is back.
    let r = http()
        .delete(format!("{base}/admin/nodes/{N8}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let up = status("up", 0.0, false);
    assert_eq!(put(&base, &format!("nodes/{N10}"), &up).await.status(), 200);
    assert_eq!(
        answers(&base).await,
        expected(&[(N8, 4.0), (N9, 5.0), (N10, 8.0)])
    );
}

/// Figure 5's `altofed.toml` with a state directory; its path.
fn with_state_dir(dir: &Path) -> PathBuf {
    copy_figure5(dir);
    let path = dir.join("altofed.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}\n[server]\nstate-dir = \"state\"\n")).unwrap();
    path
}

/// Sends SIGTERM and waits for a clean exit.
fn terminate(mut running: Running) {
    running.signal("TERM");
    assert!(running.child.wait().unwrap().success(), "exit 0 on SIGTERM");
}

/// A restart: the first property map it serves (no waiting for a later
/// one) already holds the statuses.
async fn restart(dir: &Path, log: &str) -> (Running, String, Value) {
    let (running, base) = serve(&dir.join("altofed.toml"), &dir.join(log));
    let first = node_entities(&base).await;
    (running, base, first)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_statuses_survive_restarts_and_a_corrupt_file_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    with_state_dir(dir);
    let (server, base) = serve_figure5(dir, "altofed.toml", "serve1.log").await;
    let r = put(&base, &format!("nodes/{N8}"), &status("up", 0.3, true)).await;
    assert_eq!(r.status(), 200, "{}", server.log_text());
    let batch = json!({"nodes": {N9: status("down", 0.0, false), "2001:db8:10::1": status("up", 0.7, false)}});
    assert_eq!(put(&base, "nodes", &batch).await.status(), 200);
    let set = json!({
        format!("ipv4:{N8}"): entity("up", 0.3, true),
        format!("ipv4:{N9}"): entity("down", 0.0, false),
        "ipv6:2001:db8:10::1": entity("up", 0.7, false),
    });
    assert_eq!(node_entities(&base).await, set);
    terminate(server);

    let (mut server, base, first) = restart(dir, "serve2.log").await;
    assert_eq!(first, set, "{}", server.log_text());
    // A change, then SIGKILL: it is on disk once answered.
    let r = http()
        .delete(format!("{base}/admin/nodes/{N9}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = put(&base, &format!("nodes/{N8}"), &status("up", 0.1, false)).await;
    assert_eq!(r.status(), 200);
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    drop(server);

    let (server, _, first) = restart(dir, "serve3.log").await;
    let now = json!({
        format!("ipv4:{N8}"): entity("up", 0.1, false),
        "ipv6:2001:db8:10::1": entity("up", 0.7, false),
    });
    assert_eq!(first, now, "{}", server.log_text());
    assert!(!dir.join("state/nodes.json.tmp").exists());
    terminate(server);

    // A corrupt file: reported, ignored, replaced by the next change.
    let file = dir.join("state/nodes.json");
    std::fs::write(&file, "{\"nodes\": {\"203.0.113.1\": ").unwrap();
    let (server, base, first) = restart(dir, "serve4.log").await;
    assert_eq!(first, json!({}));
    let reported = format!(
        "node statuses not restored, starting without them: {}: not a node status file altofed wrote",
        file.display()
    );
    assert_eq!(
        log_lines(&server, "ERROR", &reported),
        1,
        "{}",
        server.log_text()
    );
    // The rest is served as before the restart.
    wait_for_text(&format!("{base}/maps/agg-netmap"), "isp-a:pid1").await;
    let r = put(&base, &format!("nodes/{N10}"), &status("up", 0.5, false)).await;
    assert_eq!(r.status(), 200);
    let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(saved, json!({"nodes": {N10: status("up", 0.5, false)}}));
    let shown = json!({format!("ipv4:{N10}"): entity("up", 0.5, false)});
    assert_eq!(node_entities(&base).await, shown);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_that_cannot_be_saved_is_served_logged_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    with_state_dir(dir);
    let (server, base) = serve_figure5(dir, "altofed.toml", "serve.log").await;
    // The temporary file's name taken by a directory: the save fails.
    std::fs::create_dir(dir.join("state/nodes.json.tmp")).unwrap();
    let r = put(&base, &format!("nodes/{N8}"), &status("up", 0.2, true)).await;
    assert_eq!(r.status(), 200, "{}", server.log_text());
    let shown = json!({format!("ipv4:{N8}"): entity("up", 0.2, true)});
    assert_eq!(node_entities(&base).await, shown);
    let unsaved = "node statuses not saved to the state directory (they are published; \
                   a restart would lose the change)";
    assert_eq!(
        log_lines(&server, "ERROR", unsaved),
        1,
        "{}",
        server.log_text()
    );
    let metrics = http().get(format!("{base}/metrics")).send().await.unwrap();
    let metrics = metrics.text().await.unwrap();
    let failures =
        altofed_tests::prometheus::sample(&metrics, "altofed_state_save_failures_total", &[]);
    assert_eq!(failures, Some(1.0), "{metrics}");
    assert!(!dir.join("state/nodes.json").exists());
}
