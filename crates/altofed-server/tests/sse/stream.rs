//! Opening a stream, initial full replacements, patches on publish.

use std::time::Duration;

use serde_json::{json, Value};

use super::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_documents_then_merge_patches_that_rebuild_each_new_version() {
    let server = start(StreamConfig::default(), Some(figure5())).await;
    // Cost map listed first: the network map must still come first.
    let request = json!({"add": {"num": {"resource-id": NUM}, "net": {"resource-id": NET}}});
    let mut sse = Sse::new(server.open(&request.to_string()).await);
    sse.control_uri().await;

    let (event, mut net) = sse.event().await;
    assert_eq!(event, ev("application/alto-networkmap+json", "net"));
    assert_eq!(net, server.body(NET));
    let (event, mut num) = sse.event().await;
    assert_eq!(event, ev("application/alto-costmap+json", "num"));
    assert_eq!(num, server.body(NUM));

    // A cost changes: one merge patch, for the cost map only.
    let mut docs = figure5();
    set_cost(&mut docs, NUM, "pid8", "isp-a:pid1", 9.0, "num-v2");
    server.publish(docs.clone());
    let (event, patch) = sse.event().await;
    assert_eq!(event, ev(MERGE, "num"));
    assert_eq!(patch["cost-map"], json!({"pid8": {"isp-a:pid1": 9}}));
    apply(&mut num, &event, &patch);
    assert_eq!(num, server.body(NUM));

    // The network map changes: its patch comes before the cost map's.
    change_network_map(&mut docs, "net-v2");
    set_cost(&mut docs, NUM, "pid9", "default", 1.0, "num-v3");
    server.publish(docs);
    let (event, patch) = sse.event().await;
    assert_eq!(event, ev(MERGE, "net"));
    apply(&mut net, &event, &patch);
    assert_eq!(net, server.body(NET));
    let (event, patch) = sse.event().await;
    assert_eq!(event, ev(MERGE, "num"));
    apply(&mut num, &event, &patch);
    assert_eq!(num, server.body(NUM));
    assert_eq!(num["meta"]["dependent-vtags"][0]["tag"], "net-v2");
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_current_tag_skips_the_full_replacement() {
    let server = start(StreamConfig::default(), Some(figure5())).await;
    let request = json!({"add": {
        "net": {"resource-id": NET, "tag": server.tag(NET)},
        "num": {"resource-id": NUM, "tag": server.tag(NUM)},
        "ord": {"resource-id": ORD, "tag": "stale"},
    }});
    let mut sse = Sse::new(server.open(&request.to_string()).await);
    sse.control_uri().await;
    // Only the stale one is sent whole.
    let (event, _) = sse.event().await;
    assert_eq!(event, ev("application/alto-costmap+json", "ord"));

    let mut num = server.body(NUM);
    let mut docs = figure5();
    set_cost(&mut docs, NUM, "pid10", "default", 2.0, "num-v2");
    server.publish(docs);
    let (event, patch) = sse.event().await;
    assert_eq!(event, ev(MERGE, "num"));
    apply(&mut num, &event, &patch);
    assert_eq!(num, server.body(NUM));
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_patch_when_asked_or_when_a_null_is_written_and_full_when_no_increments() {
    let server = start(StreamConfig::default(), Some(figure5())).await;
    // Written out: `json!` would sort the members.
    let request = format!(
        r#"{{"add": {{"jp": {{"resource-id": "{NUM}", "patch-media-type": "{JSON_PATCH}"}},
            "full": {{"resource-id": "{NUM}", "incremental-changes": false}},
            "props": {{"resource-id": "{PROPS}"}}}}}}"#
    );
    let mut sse = Sse::new(server.open(&request).await);
    sse.control_uri().await;
    let mut docs: Vec<(String, Value)> = Vec::new();
    for _ in 0..3 {
        let (event, doc) = sse.event().await;
        docs.push((event, doc));
    }
    let ids: Vec<&str> = docs
        .iter()
        .map(|(e, _)| e.rsplit(',').next().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["jp", "full", "props"],
        "request order among dependents"
    );
    let (mut jp, mut props) = (docs[0].1.clone(), docs[2].1.clone());

    // A cost changes and a property becomes null (blocks inheritance,
    // RFC 9240 §6.1.3), which a merge patch cannot say.
    let mut next = figure5();
    set_cost(&mut next, NUM, "pid8", "default", 3.0, "num-v2");
    let (_, map) = &mut next.property_maps[0];
    map.property_map
        .get_mut("agg-netmap.pid:pid8")
        .unwrap()
        .insert(".priv:kind".to_owned(), Value::Null);
    server.publish(next);

    let (event, patch) = sse.event().await;
    assert_eq!(event, ev(JSON_PATCH, "jp"));
    apply(&mut jp, &event, &patch);
    assert_eq!(jp, server.body(NUM));
    let (event, full) = sse.event().await;
    assert_eq!(event, ev("application/alto-costmap+json", "full"));
    assert_eq!(full, server.body(NUM));
    let (event, patch) = sse.event().await;
    assert_eq!(event, ev(JSON_PATCH, "props"));
    apply(&mut props, &event, &patch);
    assert_eq!(props, server.body(PROPS));
    assert_eq!(
        props["property-map"]["agg-netmap.pid:pid8"][".priv:kind"],
        Value::Null
    );
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resource_that_disappears_stops_its_substream() {
    let server = start(StreamConfig::default(), Some(figure5())).await;
    let request = json!({"add": {"num": {"resource-id": NUM}, "ord": {"resource-id": ORD}}});
    let mut sse = Sse::new(server.open(&request.to_string()).await);
    sse.control_uri().await;
    sse.event().await;
    sse.event().await;
    let mut docs = figure5();
    docs.cost_maps.retain(|(id, _)| id != ORD);
    server.publish(docs);
    let (event, data) = sse.event().await;
    assert_eq!(event, CONTROL);
    assert_eq!(data["stopped"], json!(["ord"]));
    assert!(data["description"].is_string());
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_comments_while_idle() {
    let server = start(config(Duration::from_millis(50), 8), Some(figure5())).await;
    let mut sse = Sse::new(
        server
            .open(&json!({"add": {"n": {"resource-id": NET}}}).to_string())
            .await,
    );
    sse.control_uri().await;
    sse.event().await;
    assert_eq!(sse.next().await, Ok(Item::Comment("keep-alive".to_owned())));
    assert_eq!(sse.next().await, Ok(Item::Comment("keep-alive".to_owned())));
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_stops_every_substream_and_ends_cleanly() {
    let server = start(StreamConfig::default(), Some(figure5())).await;
    let request = json!({"add": {"net": {"resource-id": NET}, "p": {"resource-id": PROPS}}});
    let mut a = Sse::new(server.open(&request.to_string()).await);
    let mut b = Sse::new(server.open(&request.to_string()).await);
    let (uri_a, uri_b) = (a.control_uri().await, b.control_uri().await);
    assert_ne!(uri_a, uri_b, "control URIs are unique");
    for sse in [&mut a, &mut b] {
        sse.event().await;
        sse.event().await;
    }
    assert_eq!(server.state.update_streams().open_streams(), 2);
    let state = server.state.clone();
    let stopping = tokio::spawn(server.shut_down());
    for sse in [&mut a, &mut b] {
        let (event, data) = sse.event().await;
        assert_eq!(event, CONTROL);
        assert_eq!(data["stopped"], json!(["net", "p"]));
        assert_eq!(sse.end().await, Ended::Clean);
    }
    stopping.await.unwrap();
    assert_eq!(state.update_streams().open_streams(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_documents_arrive_on_bounded_data_lines() {
    let streams = StreamConfig {
        max_data_line: Some(40),
        ..StreamConfig::default()
    };
    let server = start(streams, Some(figure5())).await;
    let response = server
        .open(&json!({"add": {"n": {"resource-id": NET}}}).to_string())
        .await;
    let text = tokio::time::timeout(GUARD, async {
        let mut text = String::new();
        let mut body = response;
        while !text.contains("event: application/alto-networkmap+json,n\n")
            || !text.ends_with("\n\n")
        {
            let chunk = body.chunk().await.unwrap().unwrap();
            text.push_str(std::str::from_utf8(&chunk).unwrap());
        }
        text
    })
    .await
    .unwrap();
    let start = text
        .find("event: application/alto-networkmap+json,n\n")
        .unwrap();
    let lines: Vec<&str> = text[start..].trim_end().lines().skip(1).collect();
    assert!(lines.len() > 5, "split into several data lines");
    assert!(lines.iter().all(|l| l.starts_with("data: ")));
    let json = lines.iter().map(|l| &l[6..]).collect::<Vec<_>>().join("\n");
    assert_eq!(
        serde_json::from_str::<Value>(&json).unwrap(),
        server.body(NET)
    );
    server.shut_down().await;
}
