//! Running `altofed mirror` and comparing what it serves with what its
//! upstream serves, byte for byte, for crates/altofed/tests/mirror.rs.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

pub mod fake;

use std::path::Path;
use std::time::{Duration, Instant};

use altofed_tests::process::{start_announcing, Running};
use altofed_tests::prometheus::sample;
use reqwest::header::{ACCEPT_ENCODING, ETAG};
use serde_json::Value;

use crate::aggregator::BIN;

const GUARD: Duration = Duration::from_secs(30);

/// `altofed mirror -v --upstream <base>/directory` on a free port, plus
/// `extra`; returns it and its base URL.
pub fn mirror(upstream: &str, log: &Path, extra: &[&str]) -> (Running, String) {
    let ird = format!("{upstream}/directory");
    let args = [
        "mirror",
        "-v",
        "--upstream",
        &ird,
        "--listen",
        "127.0.0.1:0",
    ];
    let args = [&args[..], extra].concat();
    let (running, rest) = start_announcing(BIN, &args, log, "mirroring ");
    let ird = rest.rsplit(' ').next().unwrap();
    (running, ird.trim_end_matches("/directory").to_owned())
}

/// A client that leaves bodies as they were sent (no decompression).
fn raw_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .no_gzip()
        .no_zstd()
        .build()
        .unwrap()
}

/// One GET as sent: status, ETag, body bytes.
pub type Answer = (u16, Option<String>, Vec<u8>);

pub async fn get_raw(base: &str, path: &str, coding: &str) -> Option<Answer> {
    let response = raw_client()
        .get(format!("{base}{path}"))
        .header(ACCEPT_ENCODING, coding)
        .send()
        .await
        .ok()?;
    let status = response.status().as_u16();
    let etag = (response.headers().get(ETAG)).map(|v| v.to_str().unwrap().to_owned());
    Some((status, etag, response.bytes().await.ok()?.to_vec()))
}

/// The IRD and every GET resource the IRD at `base` lists, as paths.
pub async fn get_paths(base: &str) -> Vec<String> {
    let (_, _, body) = get_raw(base, "/directory", "identity").await.unwrap();
    let ird: Value = serde_json::from_slice(&body).unwrap();
    let mut paths = vec!["/directory".to_owned()];
    for entry in ird["resources"].as_object().unwrap().values() {
        if entry.get("accepts").is_none() {
            paths.push(entry["uri"].as_str().unwrap().to_owned());
        }
    }
    paths
}

/// Every GET resource of `upstream` in every coding, as sent.
pub async fn everything(base: &str, paths: &[String]) -> Vec<(String, &'static str, Answer)> {
    let mut out = Vec::new();
    for path in paths {
        for coding in ["identity", "gzip", "zstd"] {
            if let Some(answer) = get_raw(base, path, coding).await {
                out.push((path.clone(), coding, answer));
            }
        }
    }
    out
}

/// Where `mirror` differs from `upstream` (status, ETag or body of any
/// GET resource of the upstream's IRD in any coding); `None` if nowhere.
pub async fn difference(upstream: &str, mirror: &str) -> Option<String> {
    let paths = get_paths(upstream).await;
    let theirs = everything(upstream, &paths).await;
    let ours = everything(mirror, &paths).await;
    if theirs.len() != ours.len() {
        return Some(format!("{} answers, not {}", ours.len(), theirs.len()));
    }
    for ((path, coding, a), (_, _, b)) in theirs.iter().zip(&ours) {
        if a.0 != 200 || a != b {
            return Some(format!(
                "{path} ({coding}): upstream {} {:?} {} bytes, mirror {} {:?} {} bytes",
                a.0,
                a.1,
                a.2.len(),
                b.0,
                b.1,
                b.2.len()
            ));
        }
    }
    None
}

/// Waits (bounded) until `mirror` serves exactly what `upstream` does.
pub async fn until_identical(upstream: &str, mirror: &str, running: &Running) {
    let deadline = Instant::now() + GUARD;
    loop {
        let Some(diff) = difference(upstream, mirror).await else {
            return;
        };
        assert!(
            Instant::now() < deadline,
            "the mirror never served what the upstream serves: {diff}; log:\n{}",
            running.log_text()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One sample of the mirror's `/metrics`.
pub async fn metric(base: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let response = reqwest::get(format!("{base}/metrics")).await.ok()?;
    sample(&response.text().await.ok()?, name, labels)
}

/// The identity body of `path` at `base`.
pub async fn body(base: &str, path: &str) -> Vec<u8> {
    get_raw(base, path, "identity").await.unwrap_or_default().2
}

/// A file with the mirror's `[http]` options: fast polls and retries.
pub fn fast_config(dir: &Path, extra: &str) -> String {
    let path = dir.join("mirror.toml");
    let text = format!(
        "[http]\npoll-interval = \"200ms\"\nretry-min = \"100ms\"\nretry-max = \"300ms\"\n{extra}"
    );
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}
