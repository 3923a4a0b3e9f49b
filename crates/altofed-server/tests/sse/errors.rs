//! Invalid stream requests: an error, and no stream (RFC 8895 §6.6).

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{json, Value};

use super::support::*;

async fn alto_error(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.headers()[CONTENT_TYPE],
        "application/alto-error+json"
    );
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_requests_get_the_exact_alto_error() {
    let server = start(StreamConfig::default(), Some(figure5())).await;
    let cases = [
        (
            json!({}),
            json!({"meta": {"code": "E_MISSING_FIELD", "field": "add"}}),
        ),
        (
            json!({"add": {}}),
            json!({"meta": {"code": "E_INVALID_FIELD_VALUE", "field": "add", "value": "{}"}}),
        ),
        (
            json!({"add": {"net": {"resource-id": "no-such-map"}}}),
            json!({"meta": {"code": "E_INVALID_FIELD_VALUE", "field": "add/net/resource-id", "value": "no-such-map"}}),
        ),
        (
            json!({"add": {"net": {"tag": "x"}}}),
            json!({"meta": {"code": "E_MISSING_FIELD", "field": "add/net/resource-id"}}),
        ),
        (
            json!({"add": {"net": {"resource-id": NET, "incremental-changes": "yes"}}}),
            json!({"meta": {"code": "E_INVALID_FIELD_TYPE", "field": "add/net/incremental-changes"}}),
        ),
        (
            json!({"add": []}),
            json!({"meta": {"code": "E_INVALID_FIELD_TYPE", "field": "add"}}),
        ),
        (
            json!({"add": {"bad.id": {"resource-id": NET}}}),
            json!({"meta": {"code": "E_INVALID_FIELD_VALUE", "field": "add", "value": "bad.id"}}),
        ),
        (
            json!({"add": {"n": {"resource-id": NET, "patch-media-type": "text/plain"}}}),
            json!({"meta": {"code": "E_INVALID_FIELD_VALUE", "field": "add/n/patch-media-type", "value": "text/plain"}}),
        ),
    ];
    for (request, expected) in cases {
        assert_eq!(
            alto_error(server.open(&request.to_string()).await).await,
            expected,
            "{request}"
        );
    }

    // The same substream id twice (a JSON object with a repeated member).
    let twice =
        format!(r#"{{"add":{{"a":{{"resource-id":"{NET}"}},"a":{{"resource-id":"{NUM}"}}}}}}"#);
    assert_eq!(
        alto_error(server.open(&twice).await).await,
        json!({"meta": {"code": "E_INVALID_FIELD_VALUE", "field": "add", "value": "a"}})
    );

    let syntax = alto_error(server.open("{\"add\": ").await).await;
    assert_eq!(syntax["meta"]["code"], "E_SYNTAX");
    assert!(syntax["meta"]["syntax-error"].is_string());
    assert_eq!(server.state.update_streams().open_streams(), 0);
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_media_types_and_no_data_yet() {
    let server = start(StreamConfig::default(), None).await;
    let url = format!("{}/updates", server.base);
    let body = json!({"add": {"net": {"resource-id": NET}}}).to_string();

    let unsupported = server
        .client
        .post(&url)
        .header(CONTENT_TYPE, "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(unsupported.status(), 415);
    let not_acceptable = server
        .client
        .post(&url)
        .header(CONTENT_TYPE, PARAMS)
        .header(ACCEPT, "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(not_acceptable.status(), 406);
    // Nothing published yet: 503 with Retry-After (RFC 7285 §8.5.3).
    let unavailable = server.open(&body).await;
    assert_eq!(unavailable.status(), 503);
    assert!(unavailable.headers().contains_key("retry-after"));

    server.publish(figure5());
    let mut sse = Sse::new(server.open(&body).await);
    sse.control_uri().await;
    assert_eq!(sse.event().await.1, server.body(NET));
    server.shut_down().await;
}
