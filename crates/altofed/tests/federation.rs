//! Live federation end to end, all real processes and sockets: two ISP
//! ALTO servers (`altofed publish` over the realdata scenario's AS1239 and
//! AS3257 maps) and the aggregator (`altofed serve`) pulling from them.
//! Editing one ISP's cost map file, then the CDN topology file, changes the
//! aggregator's cost map to exactly what `altofed compute` gives for the
//! edited files, and an update stream client of the aggregator receives
//! the patches that turn its copy into that map.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use altofed_tests::fixtures::{copy_tree, scenario};
use altofed_tests::process::{start_announcing, Running};
use altofed_tests::sse_client::{self, apply, Sse, CONTROL, GUARD, JSON_PATCH, MERGE};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_altofed");
const COST_MAP: &str = "agg-routingcost-num";

/// `altofed publish` of one ISP directory; returns it and its IRD URL.
fn publish(dir: &Path, log: &Path) -> (Running, String) {
    let args = ["publish", "--dir", dir.to_str().unwrap()];
    let args = [&args[..], &["--listen", "127.0.0.1:0", "--reload-ms", "50"]].concat();
    let (running, rest) = start_announcing(BIN, &args, log, "publishing ");
    let url = rest.rsplit(' ').next().unwrap().to_owned();
    (running, url)
}

/// The scenario's config with both peers pulled over HTTP; `peer` and
/// `server` are added to every `[[peer]]` and to `[server]`.
fn live_config(dir: &Path, urls: [&str; 2], peer: &str, server: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(dir.join("altofed.toml")).unwrap();
    let text = text
        .replace("dir = \"as1239\"", &format!("url = \"{}\"", urls[0]))
        .replace("dir = \"as3257\"", &format!("url = \"{}\"", urls[1]))
        .replace(
            "[[peer]]",
            &format!("[[peer]]\nhttp.poll-interval = \"200ms\"\n{peer}"),
        );
    let path = dir.join("live.toml");
    let server = format!("[server]\nwatch-interval = \"50ms\"\n{server}");
    std::fs::write(&path, format!("{text}\n{server}")).unwrap();
    path
}

/// `altofed serve -v` of `config` on a free port; returns it and its base URL.
fn serve(config: &Path, log: &Path) -> (Running, String) {
    let config = config.to_str().unwrap();
    let args = ["serve", "-v", "--config", config, "--listen", "127.0.0.1:0"];
    let (running, ird) = start_announcing(BIN, &args, log, "serving ALTO at ");
    (running, ird.trim_end_matches("/directory").to_owned())
}

/// The oracle: `altofed compute` over the same files, peers as directories.
fn computed_cost_map(dir: &Path) -> Value {
    let out = dir.join("computed");
    let status = std::process::Command::new(BIN)
        .args(["compute", "--config"])
        .arg(dir.join("altofed.toml"))
        .arg("--out")
        .arg(&out)
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(out.join("costmap.json")).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["cost-map"].clone()
}

async fn served_cost_map(base: &str) -> Option<Value> {
    let response = reqwest::get(format!("{base}/maps/{COST_MAP}")).await.ok()?;
    (response.status() == 200).then_some(())?;
    Some(response.json::<Value>().await.ok()?["cost-map"].clone())
}

/// Waits until the aggregator serves `want`; the deadline guards a hang.
async fn served_eventually(base: &str, want: &Value, aggregator: &Running) {
    let deadline = Instant::now() + GUARD;
    while served_cost_map(base).await.as_ref() != Some(want) {
        assert!(
            Instant::now() < deadline,
            "the aggregator never served the expected cost map; log:\n{}",
            aggregator.log_text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Reads update events (patches, not full maps) until the client's copy has the cost map `want`;
/// returns how many events that took.
async fn patched_to(sse: &mut Sse, doc: &mut Value, want: &Value) -> usize {
    let mut events = 0;
    while &doc["cost-map"] != want {
        let (event, data) = sse.event().await;
        let patch = [MERGE, JSON_PATCH].map(|m| format!("{m},num"));
        assert!(
            patch.contains(&event),
            "a patch of the cost map, not {event}"
        );
        apply(doc, &event, &data);
        events += 1;
    }
    events
}

fn edit(path: &Path, change: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    let edited = change(text.clone());
    assert_ne!(text, edited, "{} unchanged", path.display());
    std::fs::write(path, edited).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_at_an_isp_and_in_the_topology_reach_the_cost_map_and_its_update_stream() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    copy_tree(&scenario("realdata"), dir);
    let (_a, as1239) = publish(&dir.join("as1239"), &dir.join("as1239.log"));
    let (_b, as3257) = publish(&dir.join("as3257"), &dir.join("as3257.log"));
    let config = live_config(dir, [&as1239, &as3257], "", "");
    let (aggregator, base) = serve(&config, &dir.join("aggregator.log"));

    let first = computed_cost_map(dir);
    served_eventually(&base, &first, &aggregator).await;
    let client = reqwest::Client::new();
    let request = json!({"add": {"num": {"resource-id": COST_MAP}}}).to_string();
    let mut sse = Sse::new(sse_client::open(&client, &base, &request).await);
    let (event, _) = sse.event().await;
    assert_eq!(event, CONTROL);
    let (event, mut doc) = sse.event().await;
    assert_eq!(event, "application/alto-costmap+json,num");
    assert_eq!(doc["cost-map"], first);

    // AS3257 lowers every cost towards `amsterdam` to 0 and says so with a
    // new vtag, as an ALTO server must.
    edit(&dir.join("as3257/costmap.json"), |text| {
        let mut map: Value = serde_json::from_str(&text).unwrap();
        for row in map["cost-map"].as_object_mut().unwrap().values_mut() {
            row["amsterdam"] = json!(0.0);
        }
        map["meta"]["vtag"]["tag"] = json!("edited-v2");
        serde_json::to_string(&map).unwrap()
    });
    let second = computed_cost_map(dir);
    assert_ne!(second, first, "the edit must change the aggregate");
    served_eventually(&base, &second, &aggregator).await;
    assert!(patched_to(&mut sse, &mut doc, &second).await > 0);

    // The CDN moves its London PID's caches to Dublin.
    edit(&dir.join("cdn.toml"), |text| {
        text.replacen("nodes = [\"34\"]  # UK", "nodes = [\"33\"]  # IE", 1)
    });
    let third = computed_cost_map(dir);
    assert_ne!(third, second, "the topology edit must change the aggregate");
    served_eventually(&base, &third, &aggregator).await;
    assert!(patched_to(&mut sse, &mut doc, &third).await > 0);

    // What the stream client rebuilt is what a GET returns, meta included.
    let served: Value = reqwest::get(format!("{base}/maps/{COST_MAP}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc, served);

    // One /metrics for serving, the peers and the engine.
    let metrics = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for series in [
        "altofed_peer_update_stream_connected{peer=\"as3257\"} 1",
        "altofed_peer_update_stream_updates_total{peer=\"as3257\",kind=\"merge_patch\"}",
        "altofed_engine_peer_stale{peer=\"as1239\"} 0",
        "altofed_engine_recomputes_total{result=\"ok\"}",
    ] {
        assert!(metrics.contains(series), "no {series} in\n{metrics}");
    }
}

async fn get(base: &str, path: &str) -> Option<Value> {
    let response = reqwest::get(format!("{base}{path}")).await.ok()?;
    (response.status() == 200).then_some(())?;
    response.json().await.ok()
}

async fn metrics(base: &str) -> String {
    let response = reqwest::get(format!("{base}/metrics")).await.unwrap();
    response.text().await.unwrap()
}

/// Waits until `check` holds; the deadline guards against a hang.
async fn until(what: &str, aggregator: &Running, check: impl AsyncFn() -> bool) {
    let deadline = Instant::now() + GUARD;
    while !check().await {
        assert!(
            Instant::now() < deadline,
            "never happened: {what}; log:\n{}",
            aggregator.log_text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Whether any AS3257 PID is marked stale in the aggregator's property map.
async fn as3257_stale(base: &str) -> bool {
    let Some(props) = get(base, "/maps/agg-propmap").await else {
        return false;
    };
    props["property-map"]
        .as_object()
        .unwrap()
        .iter()
        .any(|(entity, p)| {
            entity.starts_with("agg-netmap.pid:as3257:") && p.get(".priv:stale-since").is_some()
        })
}

async fn as3257_published(base: &str) -> bool {
    let Some(map) = get(base, "/maps/agg-netmap").await else {
        return false;
    };
    map["network-map"]
        .as_object()
        .unwrap()
        .keys()
        .any(|pid| pid.starts_with("as3257:"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_goes_down_is_served_stale_withdrawn_and_back_and_a_restart_serves_the_snapshot(
) {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    copy_tree(&scenario("realdata"), dir);
    let (a, as1239) = publish(&dir.join("as1239"), &dir.join("as1239.log"));
    let (b, as3257) = publish(&dir.join("as3257"), &dir.join("as3257.log"));
    let peer = "max-age = \"2s\"\nhttp.retry-min = \"100ms\"\nhttp.retry-max = \"200ms\"\n";
    let config = live_config(dir, [&as1239, &as3257], peer, "state-dir = \"state\"\n");
    let (aggregator, base) = serve(&config, &dir.join("aggregator.log"));
    let first = computed_cost_map(dir);
    served_eventually(&base, &first, &aggregator).await;

    // AS3257 goes down: its last good maps stay in service, marked stale,
    // and /metrics says so and why.
    drop(b);
    until("stale mark", &aggregator, async || {
        as3257_stale(&base).await
    })
    .await;
    assert_eq!(served_cost_map(&base).await, Some(first.clone()));
    until("stale and refused in /metrics", &aggregator, async || {
        let text = metrics(&base).await;
        [
            "altofed_engine_peer_stale{peer=\"as3257\"} 1",
            "altofed_peer_fetches_total{peer=\"as3257\",result=\"connect\"}",
            "altofed_engine_peer_stale{peer=\"as1239\"} 0",
        ]
        .iter()
        .all(|series| text.contains(series))
    })
    .await;
    until("the failure in the log", &aggregator, async || {
        let log = aggregator.log_text();
        log.contains("peer `as3257`: GET ") && log.contains("cannot connect: connection refused")
    })
    .await;

    // Past max-age its PIDs are withdrawn; AS1239's stay.
    until("withdrawal", &aggregator, async || {
        !as3257_published(&base).await
    })
    .await;
    let without = served_cost_map(&base).await.unwrap();
    assert!(without.as_object().unwrap()["cdn-lon"]
        .as_object()
        .unwrap()
        .keys()
        .all(|pid| !pid.starts_with("as3257:")));
    assert!(metrics(&base)
        .await
        .contains("altofed_engine_peer_withdrawn{peer=\"as3257\"} 1"));

    // AS3257 comes back on the same address: everything returns, fresh.
    let address = as3257
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap();
    let as3257_dir = dir.join("as3257");
    let args = [
        "publish",
        "--dir",
        as3257_dir.to_str().unwrap(),
        "--listen",
        address,
    ];
    let (_b, _) = start_announcing(BIN, &args, &dir.join("as3257-again.log"), "publishing ");
    served_eventually(&base, &first, &aggregator).await;
    until("stale mark cleared", &aggregator, async || {
        !as3257_stale(&base).await
    })
    .await;
    let log = aggregator.log_text();
    let recoveries = log
        .lines()
        .filter(|l| l.contains("INFO") && l.contains("peer answers again after failing since"))
        .collect::<Vec<_>>();
    assert_eq!(
        recoveries.len(),
        1,
        "one INFO line for the recovery; log:\n{log}"
    );
    assert!(recoveries[0].contains("peer=as3257"), "{}", recoveries[0]);

    // The aggregator restarted with every peer down serves what it had.
    drop((aggregator, a, _b));
    let (aggregator, base) = serve(&config, &dir.join("aggregator-again.log"));
    assert_eq!(
        served_cost_map(&base).await,
        Some(first),
        "the persisted snapshot, at once; log:\n{}",
        aggregator.log_text()
    );
}
