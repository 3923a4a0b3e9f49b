//! Stream control (RFC 8895 §7) through the control URI.

use serde_json::{json, Value};

use super::support::*;

async fn error_doc(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.headers()["content-type"],
        "application/alto-error+json"
    );
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_then_remove_substreams() {
    let server = start(StreamConfig::default(), Some(figure5())).await;
    let mut sse = Sse::new(
        server
            .open(&json!({"add": {"net": {"resource-id": NET}}}).to_string())
            .await,
    );
    let uri = sse.control_uri().await;
    sse.event().await;

    // Add a cost map: `started`, then the full map.
    let added = server
        .control(
            &uri,
            &json!({"add": {"num": {"resource-id": NUM}}}).to_string(),
        )
        .await;
    assert_eq!(added.status(), 204);
    assert_eq!(
        sse.event().await,
        (CONTROL.to_owned(), json!({"started": ["num"]}))
    );
    let (event, num) = sse.event().await;
    assert_eq!(event, ev("application/alto-costmap+json", "num"));
    assert_eq!(num, server.body(NUM));

    // Remove it: `stopped`; then it gets no more updates.
    let removed = server
        .control(&uri, &json!({"remove": ["num"]}).to_string())
        .await;
    assert_eq!(removed.status(), 204);
    let (event, data) = sse.event().await;
    assert_eq!(event, CONTROL);
    assert_eq!(data["stopped"], json!(["num"]));
    let mut docs = figure5();
    set_cost(&mut docs, NUM, "pid8", "default", 1.0, "num-v2");
    change_network_map(&mut docs, "net-v2");
    server.publish(docs);
    let (event, _) = sse.event().await;
    assert_eq!(event, ev(MERGE, "net"));

    // A removed id cannot come back; removing it again is fine.
    let reused = server
        .control(
            &uri,
            &json!({"add": {"num": {"resource-id": ORD}}}).to_string(),
        )
        .await;
    assert_eq!(
        error_doc(reused).await,
        json!({"meta": {"code": "E_INVALID_FIELD_VALUE", "field": "add", "value": "num"}})
    );
    let again = server
        .control(&uri, &json!({"remove": ["num"]}).to_string())
        .await;
    assert_eq!(again.status(), 204);

    // Removing everything ends the stream; the URI is then unknown.
    let all = server
        .control(&uri, &json!({"remove": []}).to_string())
        .await;
    assert_eq!(all.status(), 204);
    let (event, data) = sse.event().await;
    assert_eq!(event, CONTROL);
    assert_eq!(data["stopped"], json!(["net"]));
    assert_eq!(sse.end().await, Ended::Clean);
    let gone = server
        .control(&uri, &json!({"remove": ["net"]}).to_string())
        .await;
    assert_eq!(gone.status(), 404);
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_control_requests_change_nothing() {
    let server = start(StreamConfig::default(), Some(figure5())).await;
    let mut sse = Sse::new(
        server
            .open(&json!({"add": {"net": {"resource-id": NET}}}).to_string())
            .await,
    );
    let uri = sse.control_uri().await;
    sse.event().await;

    let cases = [
        (
            json!({"add": {"x": {"resource-id": "nope"}}}),
            json!({"meta": {"code": "E_INVALID_FIELD_VALUE", "field": "add/x/resource-id", "value": "nope"}}),
        ),
        (
            json!({"add": {"net": {"resource-id": NUM}}}),
            json!({"meta": {"code": "E_INVALID_FIELD_VALUE", "field": "add", "value": "net"}}),
        ),
        (
            json!({"remove": ["ghost"]}),
            json!({"meta": {"code": "E_INVALID_FIELD_VALUE", "field": "remove", "value": "ghost"}}),
        ),
        (
            json!({"add": {"num": {"resource-id": NUM}}, "remove": []}),
            json!({"meta": {"code": "E_INVALID_FIELD_VALUE", "field": "remove", "value": "[]"}}),
        ),
        // Atomic: the valid add is not applied when the remove is bad.
        (
            json!({"add": {"num": {"resource-id": NUM}}, "remove": ["ghost"]}),
            json!({"meta": {"code": "E_INVALID_FIELD_VALUE", "field": "remove", "value": "ghost"}}),
        ),
        (
            json!({"add": {"y": {}}}),
            json!({"meta": {"code": "E_MISSING_FIELD", "field": "add/y/resource-id"}}),
        ),
    ];
    for (request, expected) in cases {
        let response = server.control(&uri, &request.to_string()).await;
        assert_eq!(error_doc(response).await, expected, "{request}");
    }

    // Add before remove: a substream added and removed at once is valid.
    let both = server
        .control(
            &uri,
            &json!({"add": {"num": {"resource-id": NUM}}, "remove": ["num"]}).to_string(),
        )
        .await;
    assert_eq!(both.status(), 204);
    assert_eq!(
        sse.event().await,
        (CONTROL.to_owned(), json!({"started": ["num"]}))
    );
    assert_eq!(
        sse.event().await.0,
        ev("application/alto-costmap+json", "num")
    );
    assert_eq!(sse.event().await.1["stopped"], json!(["num"]));

    let wrong_type = server
        .client
        .post(format!("{}{uri}", server.base))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), 415);
    let unknown = server
        .control(
            "/updates/control/00000000000000000000000000000000",
            "{\"remove\":[]}",
        )
        .await;
    assert_eq!(unknown.status(), 404);
    server.shut_down().await;
}
