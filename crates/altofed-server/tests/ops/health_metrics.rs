//! Probes before and after publishing; Prometheus metrics.

use altofed_server::ServerConfig;
use reqwest::StatusCode;

use altofed_tests::prometheus::sample;

use crate::support::{client, Server, COSTMAP, NETMAP};

#[tokio::test]
async fn healthz_and_readyz_follow_the_snapshot() {
    let server = Server::start(ServerConfig::default()).await;
    let http = client();
    let get = |path: &str| http.get(server.url(path)).send();

    let health = get("/healthz").await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let ready = get("/readyz").await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(ready.headers().contains_key("retry-after"));
    assert_eq!(
        get("/directory").await.unwrap().status(),
        StatusCode::SERVICE_UNAVAILABLE
    );

    server.publish();
    assert_eq!(get("/healthz").await.unwrap().status(), StatusCode::OK);
    let ready = get("/readyz").await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(
        ready.text().await.unwrap(),
        "ready: snapshot generation 1\n"
    );
    assert_eq!(get("/directory").await.unwrap().status(), StatusCode::OK);
    server.stop().await;
}

#[tokio::test]
async fn metrics_count_requests_and_describe_the_snapshot() {
    let server = Server::published(ServerConfig::default()).await;
    let other = Server::published(ServerConfig::default()).await;
    let http = client();
    for _ in 0..3 {
        let r = http
            .get(server.url(&format!("/maps/{NETMAP}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    assert_eq!(
        http.get(server.url("/maps/no-such-map"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let wrong_type = http
        .post(server.url(&format!("/maps/{COSTMAP}/filtered")))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        http.get(server.url("/no/such/route"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    let response = http.get(server.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    let text = response.text().await.unwrap();
    assert!(text.ends_with("# EOF\n"), "{text}");

    let requests = |method: &str, route: &str, resource: &str, status: &str| {
        let labels = [
            ("method", method),
            ("route", route),
            ("resource", resource),
            ("status", status),
        ];
        sample(&text, "altofed_http_requests_total", &labels)
    };
    assert_eq!(
        requests("GET", "/maps/{id}", NETMAP, "200"),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        requests("GET", "/maps/{id}", "unknown", "404"),
        Some(1.0),
        "{text}"
    );
    let filtered = format!("{COSTMAP}-filtered");
    assert_eq!(
        requests("POST", "/maps/{id}/filtered", &filtered, "415"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(requests("GET", "unmatched", "", "404"), Some(1.0), "{text}");
    let count = sample(
        &text,
        "altofed_http_request_duration_seconds_count",
        &[("method", "GET"), ("route", "/maps/{id}")],
    );
    assert_eq!(count, Some(4.0), "{text}");
    assert_eq!(
        sample(&text, "altofed_http_requests_in_flight", &[]),
        Some(1.0),
        "only /metrics itself: {text}"
    );

    let snapshot = server.state.snapshot().unwrap();
    assert_eq!(sample(&text, "altofed_snapshot_generation", &[]), Some(1.0));
    assert_eq!(
        sample(&text, "altofed_snapshot_size_bytes", &[]),
        Some(snapshot.encoded_bytes() as f64)
    );
    let age = sample(&text, "altofed_snapshot_age_seconds", &[]).unwrap();
    assert!(age.is_finite() && age >= 0.0, "{age}");

    // The other server in this process counts only its own requests.
    let other_text = http
        .get(other.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        sample(
            &other_text,
            "altofed_http_requests_total",
            &[
                ("method", "GET"),
                ("route", "/maps/{id}"),
                ("resource", NETMAP),
                ("status", "200")
            ]
        ),
        None
    );
    server.stop().await;
    other.stop().await;
}
