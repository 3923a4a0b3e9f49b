//! `altofed publish` of a file whose content changes under the same vtag:
//! a WARN names the file, and the ETag becomes a content tag, so a client
//! revalidating with the old ETag gets the new body (200), not a 304; the
//! content tag stays while the content does.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use altofed_tests::fixtures::{copy_tree, scenario};
use altofed_tests::process::{start_announcing, Running};
use altofed_tests::prometheus::sample;
use reqwest::header::{ACCEPT_ENCODING, ETAG, IF_NONE_MATCH};
use reqwest::StatusCode;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_altofed");
const COST_MAP: &str = "/maps/isp-a-routingcost";
const NETWORK_MAP: &str = "/maps/isp-a-netmap";
const GUARD: Duration = Duration::from_secs(20);
const WARNING: &str = "costmap.json: the content changed but the vtag did not; serving `isp-a-routingcost` with a content tag as its ETag";

fn start(dir: &Path, log: &Path) -> (Running, String) {
    let args = ["publish", "--dir", dir.to_str().unwrap()];
    let args = [&args[..], &["--listen", "127.0.0.1:0", "--reload-ms", "50"]].concat();
    let (publisher, rest) = start_announcing(BIN, &args, log, "publishing ");
    let url = rest.rsplit(' ').next().unwrap();
    (publisher, url.trim_end_matches("/directory").to_owned())
}

/// Status, ETag and body of a GET of `path`, conditional on `etag`.
async fn get(url: &str, path: &str, etag: Option<&str>) -> (StatusCode, String, Value) {
    let mut request = reqwest::Client::new()
        .get(format!("{url}{path}"))
        .header(ACCEPT_ENCODING, "identity");
    if let Some(etag) = etag {
        request = request.header(IF_NONE_MATCH, etag);
    }
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let etag = headers
        .get(ETAG)
        .map_or("", |v| v.to_str().unwrap())
        .to_owned();
    (status, etag, response.json().await.unwrap_or(Value::Null))
}

async fn generation(url: &str) -> f64 {
    let text = reqwest::get(format!("{url}/metrics")).await.unwrap().text();
    sample(&text.await.unwrap(), "altofed_snapshot_generation", &[]).unwrap()
}

/// Polls `ready` until it holds; the deadline only guards against a hang.
async fn eventually<T>(what: &str, mut ready: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + GUARD;
    loop {
        if let Some(value) = ready().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Writes `text` to `path` with a modification time `ahead` seconds from now.
fn write(path: &Path, text: &str, ahead: u64) {
    std::fs::write(path, text).unwrap();
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(SystemTime::now() + Duration::from_secs(ahead))
        .unwrap();
}

#[tokio::test]
async fn content_changed_under_the_same_vtag_gets_a_content_tag_and_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&scenario("figure5").join("isp-a"), dir.path());
    let log = tempfile::NamedTempFile::new().unwrap();
    let (publisher, url) = start(dir.path(), log.path());

    let (status, old_etag, doc) = get(&url, COST_MAP, None).await;
    assert_eq!(
        (status, old_etag.as_str()),
        (StatusCode::OK, "\"figure5-costmap-v1\"")
    );
    assert_eq!(doc["cost-map"]["pid4"]["pid1"], 1);
    assert_eq!(
        get(&url, COST_MAP, Some(&old_etag)).await.0,
        StatusCode::NOT_MODIFIED
    );
    let (_, net_etag, _) = get(&url, NETWORK_MAP, None).await;

    // The same vtag, another cost.
    let path = dir.path().join("costmap.json");
    let original = std::fs::read_to_string(&path).unwrap();
    let edited = original.replace("\"pid4\": { \"pid1\": 1,", "\"pid4\": { \"pid1\": 7,");
    assert_ne!(edited, original);
    write(&path, &edited, 1);

    let (new_etag, doc) = eventually("the new cost map", async || {
        let (status, etag, doc) = get(&url, COST_MAP, Some(&old_etag)).await;
        (status == StatusCode::OK).then_some((etag, doc))
    })
    .await;
    assert_eq!(doc["cost-map"]["pid4"]["pid1"], 7);
    assert_eq!(doc["meta"]["vtag"]["tag"], "figure5-costmap-v1");
    assert!(
        new_etag.starts_with('"') && new_etag != old_etag,
        "{new_etag}"
    );
    eventually("the warning", async || {
        let text = publisher.log_text();
        let line = text.lines().find(|l| l.contains(WARNING))?;
        assert!(line.contains("WARN"), "{line}");
        Some(())
    })
    .await;
    assert_eq!(
        get(&url, COST_MAP, Some(&new_etag)).await.0,
        StatusCode::NOT_MODIFIED
    );
    assert_eq!(get(&url, NETWORK_MAP, None).await.1, net_etag, "unchanged");

    // Reloaded again with the same content: the content tag stays (the
    // vtag would name the old content).
    let before = generation(&url).await;
    write(&path, &edited, 2);
    eventually("the reload", async || {
        (generation(&url).await > before).then_some(())
    })
    .await;
    let (status, etag, _) = get(&url, COST_MAP, Some(&new_etag)).await;
    assert_eq!((status, etag), (StatusCode::NOT_MODIFIED, new_etag.clone()));
    let warnings = publisher.log_text().matches(WARNING).count();
    assert_eq!(warnings, 1, "{}", publisher.log_text());
}
