//! Swapping a snapshot that holds a 1M-pair cost map while clients fetch:
//! no request fails, and no response mixes two snapshots — each body is one
//! generation throughout and its ETag names that generation.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use altofed_model::CostMapDoc;
use altofed_server::ServerConfig;
use altofed_tests::server::TestServer;
use altofed_tests::synthetic::{cost, documents, COST_MAP_ID};
use reqwest::header::{ACCEPT_ENCODING, ETAG};

/// 1000 x 1000 = 1M pairs.
const PIDS: usize = 1000;
const GENERATIONS: u32 = 3;

/// Checks one response; returns its generation.
fn check_body(etag: &str, body: &[u8]) -> u32 {
    let doc: CostMapDoc = serde_json::from_slice(body).expect("a complete cost map");
    let tag = doc.meta.vtag.unwrap().tag;
    assert_eq!(
        etag,
        format!("\"{tag}\""),
        "the ETag names the body's version"
    );
    let generation: u32 = tag.strip_prefix("gen-").unwrap().parse().unwrap();
    assert_eq!(doc.cost_map.len(), PIDS);
    for (src, row) in doc.cost_map.iter().step_by(97) {
        assert_eq!(row.len(), PIDS);
        let s: usize = src[1..].parse().unwrap();
        for (dst, c) in row.iter().step_by(89) {
            let d: usize = dst[1..].parse().unwrap();
            assert_eq!(
                c.0,
                cost(generation, PIDS, s, d),
                "{src}->{dst} is from generation {generation}"
            );
        }
    }
    generation
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swapping_a_million_pair_snapshot_under_load_never_fails_or_mixes() {
    let mut all = (1..=GENERATIONS)
        .map(|g| documents(PIDS, g))
        .collect::<Vec<_>>()
        .into_iter();
    let server = TestServer::start(ServerConfig::default(), Some(all.next().unwrap())).await;
    let url = server.url(&format!("/maps/{COST_MAP_ID}"));
    let (done_tx, done_rx) = tokio::sync::watch::channel(false);

    let mut fetchers = Vec::new();
    for _ in 0..2 {
        let (url, done) = (url.clone(), done_rx.clone());
        fetchers.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .no_gzip()
                .no_zstd()
                .build()
                .unwrap();
            let mut seen = Vec::new();
            // Bounded: one request after the last swap, 200 at most.
            for _ in 0..200 {
                let finished = *done.borrow();
                let response = client
                    .get(&url)
                    .header(ACCEPT_ENCODING, "identity")
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), reqwest::StatusCode::OK);
                let etag = response.headers()[ETAG].to_str().unwrap().to_owned();
                let body = response.bytes().await.unwrap();
                seen.push(
                    tokio::task::spawn_blocking(move || check_body(&etag, &body))
                        .await
                        .unwrap(),
                );
                if finished {
                    break;
                }
            }
            seen
        }));
    }
    for docs in all {
        let state = server.state.clone();
        tokio::task::spawn_blocking(move || state.publish(docs).unwrap())
            .await
            .unwrap();
    }
    done_tx.send(true).unwrap();
    for fetcher in fetchers {
        let seen = fetcher.await.unwrap();
        assert!(
            seen.windows(2).all(|w| w[0] <= w[1]),
            "generations never go back: {seen:?}"
        );
        assert_eq!(
            *seen.last().unwrap(),
            GENERATIONS,
            "a fetch after the last swap sees it"
        );
    }
}
