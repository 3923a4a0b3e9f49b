//! `altofed mirror` (issue #15, read replicas) with real processes and
//! sockets: an ISP (`altofed publish`), the aggregator (`altofed serve`)
//! pulling from it, and mirrors of the aggregator. Mirrors serve every
//! resource of the aggregator's IRD with its bytes and ETags in every
//! content coding, follow ISP edits and node status changes, catch up when
//! started late, keep serving when the aggregator is gone (marked stale
//! after `stale-after`) and converge when it returns. Bad upstream
//! documents: mirror_faults.rs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod aggregator;
mod replica;

use std::path::Path;

use aggregator::{closed_port, copy_figure5, figure5, http_source, log_lines, publish, until};
use altofed_tests::process::{start_announcing, wait_for_text, Running};
use replica::{body, everything, fast_config, get_paths, metric, mirror, until_identical};
use serde_json::{json, Value};

/// A CDN node of Figure 5 (in CDN PID pid8).
const N8: &str = "203.0.113.1";

/// `altofed serve -v` of `config` on `listen`, once it publishes isp-a.
async fn serve_on(config: &Path, listen: &str, log: &Path) -> (Running, String) {
    let config = config.to_str().unwrap();
    let args = ["serve", "-v", "--config", config, "--listen", listen];
    let (running, ird) = start_announcing(aggregator::BIN, &args, log, "serving ALTO at ");
    let base = ird.trim_end_matches("/directory").to_owned();
    wait_for_text(&format!("{base}/maps/agg-netmap"), "isp-a:pid1").await;
    (running, base)
}

/// The ISP of Figure 5 published from `dir/isp-a`, and the aggregator's
/// configuration pulling it over HTTP.
fn isp_and_config(dir: &Path) -> (Running, std::path::PathBuf) {
    copy_figure5(dir);
    let (isp, url) = publish(&dir.join("isp-a"), "127.0.0.1:0", &dir.join("isp.log"));
    (isp, figure5(dir, &http_source(&url), "", ""))
}

/// Rewrites the ISP's cost map with `pid4 -> pid1` (border to subscriber)
/// at `cost`, and a new vtag.
fn edit_isp_cost(dir: &Path, cost: u32) {
    let path = dir.join("isp-a/costmap.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    doc["cost-map"]["pid4"]["pid1"] = json!(cost);
    doc["meta"]["vtag"]["tag"] = json!(format!("figure5-costmap-{cost}"));
    std::fs::write(&path, doc.to_string()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mirrors_serve_the_aggregators_bytes_and_follow_its_changes() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let (_isp, config) = isp_and_config(dir);
    let (agg, base) = serve_on(&config, "127.0.0.1:0", &dir.join("serve.log")).await;
    let (one, first) = mirror(&base, &dir.join("one.log"), &[]);
    until_identical(&base, &first, &one).await;
    let ready = reqwest::get(format!("{first}/readyz")).await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(
        metric(&first, "altofed_mirror_divergent_resources", &[]).await,
        Some(0.0)
    );
    // Changes come by the update stream (the poll interval is 30 s, as
    // long as any wait below).
    until("the mirror follows the update stream", &one, async || {
        let streaming = [("state", "streaming")];
        metric(&first, "altofed_mirror_upstream_state", &streaming).await == Some(1.0)
    })
    .await;

    // An ISP edit: the aggregator recomputes, the mirror follows.
    let before = body(&base, "/maps/agg-routingcost-num").await;
    edit_isp_cost(dir, 7);
    until("the aggregator's cost map changes", &agg, async || {
        body(&base, "/maps/agg-routingcost-num").await != before
    })
    .await;
    until_identical(&base, &first, &one).await;

    // A node status through the aggregator's admin API: its property map
    // changes, the mirror serves it as it is.
    let status = json!({"health": "down", "load": 0.5, "drained": false});
    let put = reqwest::Client::new()
        .put(format!("{base}/admin/nodes/{N8}"))
        .json(&status)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200, "{}", agg.log_text());
    until_identical(&base, &first, &one).await;
    let props = String::from_utf8(body(&first, "/maps/agg-propmap").await).unwrap();
    assert!(props.contains(&format!("\"ipv4:{N8}\"")), "{props}");

    // A mirror started now catches up at once; both stay identical.
    let (two, second) = mirror(&base, &dir.join("two.log"), &[]);
    until_identical(&base, &second, &two).await;
    until_identical(&base, &first, &one).await;
    assert_eq!(log_lines(&one, "WARN", ""), 0, "{}", one.log_text());

    // The aggregator published several times (ISP edit, node status); the
    // mirrors know its generation and are behind by none.
    let generation = aggregator::metric(&base, "altofed_snapshot_generation", false)
        .await
        .unwrap();
    assert!(generation >= 3.0, "{generation}");
    for (running, replica) in [(&one, &first), (&two, &second)] {
        until(
            "the mirror knows it is behind by nothing",
            running,
            async || {
                let known = metric(replica, "altofed_mirror_upstream_generation", &[]).await;
                let behind = metric(replica, "altofed_mirror_generation_behind", &[]).await;
                known == Some(generation) && behind == Some(0.0)
            },
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mirror_without_its_upstream_keeps_serving_marks_stale_and_catches_up() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let (_isp, config) = isp_and_config(dir);
    let listen = format!("127.0.0.1:{}", closed_port());
    let (agg, base) = serve_on(&config, &listen, &dir.join("serve.log")).await;
    let file = fast_config(dir, "");
    let args = ["--config", &file, "--stale-after", "2s"];
    let (m, replica) = mirror(&base, &dir.join("mirror.log"), &args);
    until_identical(&base, &replica, &m).await;
    let paths = get_paths(&base).await;
    let served = everything(&replica, &paths).await;

    drop(agg);
    until("the mirror marks itself stale", &m, async || {
        metric(&replica, "altofed_mirror_stale", &[]).await == Some(1.0)
    })
    .await;
    let down = [("state", "down")];
    assert_eq!(
        metric(&replica, "altofed_mirror_upstream_state", &down).await,
        Some(1.0)
    );
    let lag = metric(&replica, "altofed_mirror_lag_seconds", &[])
        .await
        .unwrap();
    assert!(lag > 2.0, "lag {lag}");
    // Every map but the property map is served as before; the property
    // map's entities carry the mark.
    let now = everything(&replica, &paths).await;
    for (old, new) in served.iter().zip(&now) {
        if !["/maps/agg-propmap", "/directory"].contains(&old.0.as_str()) {
            assert_eq!(old, new, "{} ({}) changed while stale", old.0, old.1);
        }
    }
    let props: Value = serde_json::from_slice(&body(&replica, "/maps/agg-propmap").await).unwrap();
    for (entity, properties) in props["property-map"].as_object().unwrap() {
        let since = properties[".priv:mirror-stale-since"].as_str();
        assert!(
            since.is_some_and(|s| s.ends_with('Z')),
            "{entity}: {properties}"
        );
    }
    let warned = "no confirmed copy of the upstream since";
    assert_eq!(log_lines(&m, "WARN", warned), 1, "{}", m.log_text());

    // The aggregator back on its port: the mirror converges again.
    let (_agg, base) = serve_on(&config, &listen, &dir.join("serve2.log")).await;
    until_identical(&base, &replica, &m).await;
    assert_eq!(
        metric(&replica, "altofed_mirror_stale", &[]).await,
        Some(0.0)
    );
    // Its update stream is subscribed to again (after a backoff).
    until("the mirror follows the stream again", &m, async || {
        let streaming = [("state", "streaming")];
        metric(&replica, "altofed_mirror_upstream_state", &streaming).await == Some(1.0)
    })
    .await;
}
