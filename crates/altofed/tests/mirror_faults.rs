//! `altofed mirror` given bad documents (issue #15): a document over
//! `max-bytes` (from a real `altofed publish`) or malformed (from a
//! hand-made upstream) leaves the last good maps in service, and the error
//! is the one the log and `/metrics` show.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod aggregator;
mod replica;

use aggregator::{copy_figure5, log_lines, publish, until};
use altofed_model::CostTableDoc;
use replica::fake::Fake;
use replica::{body, everything, fast_config, get_paths, metric, mirror, until_identical};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_over_max_bytes_leaves_the_last_good_maps_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    copy_figure5(dir);
    // The ISP's own server is the upstream here: its files are what changes.
    let (_isp, url) = publish(&dir.join("isp-a"), "127.0.0.1:0", &dir.join("isp.log"));
    let base = url.trim_end_matches("/directory").to_owned();
    let file = fast_config(dir, "max-bytes = 4096\n");
    let (m, replica) = mirror(&base, &dir.join("mirror.log"), &["--config", &file]);
    until_identical(&base, &replica, &m).await;
    let paths = get_paths(&base).await;
    let served = everything(&replica, &paths).await;

    // A network map of about 8 kB (the vtag kept: the ISP serves it with a
    // content ETag): the ISP serves it, the mirror refuses it.
    let path = dir.join("isp-a/networkmap.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let hosts: Vec<String> = (0..500)
        .map(|i| format!("10.0.{}.{}/32", i / 250, i % 250))
        .collect();
    doc["network-map"]["pid3"]["ipv4"] = json!(hosts);
    std::fs::write(&path, doc.to_string()).unwrap();
    let net_path = "/maps/isp-a-netmap";
    until("the ISP serves the large network map", &m, async || {
        body(&base, net_path).await.len() > 6000
    })
    .await;
    let too_large = [("class", "too_large")];
    until("the mirror counts the refusal", &m, async || {
        metric(&replica, "altofed_mirror_pull_failures_total", &too_large)
            .await
            .is_some_and(|n| n >= 1.0)
    })
    .await;
    let message = format!(
        "peer `upstream`: GET {base}{net_path}: response body is over the limit of 4096 bytes (max-bytes); the last good maps stay in service"
    );
    assert!(log_lines(&m, "WARN", &message) >= 1, "{}", m.log_text());
    assert_eq!(everything(&replica, &paths).await, served);
    assert_eq!(
        reqwest::get(format!("{replica}/readyz"))
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_document_leaves_the_last_good_maps_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    copy_figure5(dir);
    let (_isp, url) = publish(&dir.join("isp-a"), "127.0.0.1:0", &dir.join("isp.log"));
    // A copy of the ISP's server that offers no update stream (404): the
    // mirror polls.
    let fake = Fake::copy_of(url.trim_end_matches("/directory")).await;
    let file = fast_config(dir, "");
    let (m, replica) = mirror(&fake.base, &dir.join("mirror.log"), &["--config", &file]);
    let cost_path = "/maps/isp-a-routingcost";
    until("the mirror serves the cost map", &m, async || {
        body(&replica, cost_path).await == fake.body(cost_path)
    })
    .await;
    let paths = get_paths(&fake.base).await;
    let served = everything(&replica, &paths).await;

    // The cost map cut short: not JSON any more.
    let good = fake.body(cost_path);
    let bad = good[..good.len() - 3].to_vec();
    let (key, reason) = altofed_peers::parse_document::<CostTableDoc>(&bad).unwrap_err();
    fake.set(cost_path, bad);
    let malformed = [("class", "malformed")];
    until("the mirror counts the refusal", &m, async || {
        metric(&replica, "altofed_mirror_pull_failures_total", &malformed)
            .await
            .is_some_and(|n| n >= 1.0)
    })
    .await;
    let message = format!(
        "peer `upstream`: GET {}{cost_path}: not a valid cost map: at `{key}`: {reason}; the last good maps stay in service",
        fake.base
    );
    assert!(
        log_lines(&m, "WARN", &message) >= 1,
        "{message}\n{}",
        m.log_text()
    );
    assert_eq!(everything(&replica, &paths).await, served);
    let polling = [("state", "down")];
    assert_eq!(
        metric(&replica, "altofed_mirror_upstream_state", &polling).await,
        Some(1.0)
    );

    // Repaired: served again.
    fake.set(cost_path, good.clone());
    until(
        "the mirror answers from the upstream again",
        &m,
        async || {
            metric(
                &replica,
                "altofed_mirror_upstream_state",
                &[("state", "polling")],
            )
            .await
                == Some(1.0)
        },
    )
    .await;
    assert_eq!(body(&replica, cost_path).await, good);
}
