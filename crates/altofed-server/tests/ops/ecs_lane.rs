//! The endpoint cost lane (`POST /endpointcost` served before the router
//! on `run`'s connections): the same answers as the router gives, the
//! same request ids, metrics, overload limit and credentials.

use std::net::SocketAddr;

use altofed_model::media;
use altofed_server::ops::Auth;
use altofed_server::{router, ServerConfig};
use axum::body::{to_bytes, Body};
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, HeaderValue, Request};
use reqwest::StatusCode;
use tower::ServiceExt;

use altofed_tests::prometheus::sample;

use crate::shutdown_overload::{only_permit_held, PermitHeld};
use crate::support::{client, Server};

const TOKEN: &str = "lane-token";

fn usual(mode: &str) -> String {
    format!(
        r#"{{"cost-type":{{"cost-mode":"{mode}","cost-metric":"routingcost"}},"endpoints":{{"srcs":["ipv4:203.0.113.1"],"dsts":["ipv4:198.51.100.1","ipv4:198.51.100.200","ipv4:192.0.2.200","ipv4:203.0.113.70","ipv6:2001:db8:1::1"]}}}}"#
    )
}

/// One request of the table: what differs from a good one.
struct Case {
    name: &'static str,
    path: &'static str,
    content_type: &'static str,
    accept: Option<&'static str>,
    token: Option<&'static str>,
    body: String,
}

fn case(name: &'static str, body: String) -> Case {
    Case {
        name,
        path: "/endpointcost",
        content_type: media::ENDPOINT_COST_PARAMS,
        accept: Some(media::ENDPOINT_COST),
        token: Some(TOKEN),
        body,
    }
}

fn cases() -> Vec<Case> {
    let escaped = usual("numerical").replace("203.0.113.1", "203.0.113.\\u0031");
    vec![
        case("usual request", usual("numerical")),
        case("ordinal", usual("ordinal")),
        case("escaped address (serde path)", escaped),
        case(
            "own address",
            usual("numerical").replace(r#""ipv4:203.0.113.1""#, ""),
        ),
        case(
            "unknown metric",
            usual("numerical").replace("routingcost", "hopcount"),
        ),
        case(
            "bad address",
            usual("numerical").replace("ipv4:203", "ipv4:999"),
        ),
        case("truncated JSON", r#"{"cost-type":{"cost-mode""#.to_owned()),
        case(
            "over the body limit",
            " ".repeat(5000) + &usual("numerical"),
        ),
        Case {
            path: "/endpointcost?x=1",
            ..case("query string", usual("numerical"))
        },
        Case {
            content_type: "text/plain",
            ..case("wrong content type", usual("numerical"))
        },
        Case {
            accept: Some("text/html"),
            ..case("wrong accept", usual("numerical"))
        },
        Case {
            accept: None,
            ..case("no accept", usual("numerical"))
        },
        Case {
            token: None,
            ..case("no credentials", usual("numerical"))
        },
        Case {
            token: Some("wrong"),
            ..case("wrong credentials", usual("numerical"))
        },
    ]
}

/// Status, the headers a client reads, and the body.
type Answer = (u16, Vec<Option<String>>, String);

const COMPARED: [header::HeaderName; 4] = [
    header::CONTENT_TYPE,
    header::WWW_AUTHENTICATE,
    header::RETRY_AFTER,
    header::CACHE_CONTROL,
];

async fn over_socket(server: &Server, case: &Case) -> Answer {
    let mut request = client()
        .post(server.url(case.path))
        .header(header::CONTENT_TYPE, case.content_type)
        .body(case.body.clone());
    if let Some(accept) = case.accept {
        request = request.header(header::ACCEPT, accept);
    }
    if let Some(token) = case.token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let headers = compared(response.headers(), case);
    (
        response.status().as_u16(),
        headers,
        response.text().await.unwrap(),
    )
}

/// The [`COMPARED`] headers of an answer to `case`, which has a request id.
fn compared(headers: &HeaderMap, case: &Case) -> Vec<Option<String>> {
    assert!(headers.contains_key("x-request-id"), "{}", case.name);
    let text = |v: &HeaderValue| v.to_str().unwrap().to_owned();
    COMPARED.iter().map(|h| headers.get(h).map(text)).collect()
}

async fn through_router(server: &Server, case: &Case) -> Answer {
    let mut request = Request::post(case.path)
        .header(header::CONTENT_TYPE, case.content_type)
        .body(Body::from(case.body.clone()))
        .unwrap();
    let headers = request.headers_mut();
    if let Some(accept) = case.accept {
        headers.insert(header::ACCEPT, accept.parse().unwrap());
    }
    if let Some(token) = case.token {
        let value = format!("Bearer {token}").parse().unwrap();
        headers.insert(header::AUTHORIZATION, value);
    }
    let client = SocketAddr::from(([127, 0, 0, 1], 40000));
    request.extensions_mut().insert(ConnectInfo(client));
    let response = router(server.state.clone()).oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let headers = compared(response.headers(), case);
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

fn lane_config() -> ServerConfig {
    ServerConfig {
        alto_auth: Some(Auth::Bearer {
            token: TOKEN.into(),
        }),
        max_body_bytes: 4096,
        ..ServerConfig::default()
    }
}

#[tokio::test]
async fn the_lane_answers_every_request_as_the_router_does() {
    let server = Server::published(lane_config()).await;
    let mut statuses = Vec::new();
    for case in cases() {
        let lane = over_socket(&server, &case).await;
        let routed = through_router(&server, &case).await;
        assert_eq!(lane, routed, "{}", case.name);
        statuses.push((case.name, lane.0));
    }
    // The table covers answers and errors of every layer the lane stands
    // in for.
    let expected = [
        ("usual request", 200),
        ("ordinal", 200),
        ("escaped address (serde path)", 200),
        ("own address", 200),
        ("unknown metric", 400),
        ("bad address", 400),
        ("truncated JSON", 400),
        ("over the body limit", 413),
        ("query string", 200),
        ("wrong content type", 415),
        ("wrong accept", 406),
        ("no accept", 200),
        ("no credentials", 401),
        ("wrong credentials", 401),
    ];
    assert_eq!(statuses, expected);
    server.stop().await;
}

#[tokio::test]
async fn the_lane_echoes_request_ids_and_is_counted() {
    let server = Server::published(lane_config()).await;
    let http = client();
    let post = |id: Option<&str>, token: &str| {
        let mut request = http
            .post(server.url("/endpointcost"))
            .header(header::CONTENT_TYPE, media::ENDPOINT_COST_PARAMS)
            .bearer_auth(token)
            .body(usual("numerical"));
        if let Some(id) = id {
            request = request.header("x-request-id", id);
        }
        request.send()
    };
    let given = post(Some("lane-7"), TOKEN).await.unwrap();
    assert_eq!(given.status(), StatusCode::OK);
    assert_eq!(given.headers()["x-request-id"], "lane-7");
    let made = post(None, TOKEN).await.unwrap();
    let refused = post(None, "wrong").await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let (a, b) = (
        &made.headers()["x-request-id"],
        &refused.headers()["x-request-id"],
    );
    assert_eq!(a.len(), 36, "{a:?}");
    assert_ne!(a, b);

    let resource = server.state.snapshot().unwrap().ids.endpoint_cost.clone();
    let metrics = http.get(server.url("/metrics")).send().await.unwrap();
    let metrics = metrics.text().await.unwrap();
    let count = |status: &str| {
        let labels = [
            ("method", "POST"),
            ("route", "/endpointcost"),
            ("resource", resource.as_str()),
            ("status", status),
        ];
        sample(&metrics, "altofed_http_requests_total", &labels)
    };
    assert_eq!(count("200"), Some(2.0), "{metrics}");
    assert_eq!(count("401"), Some(1.0), "{metrics}");
    let latency = [("method", "POST"), ("route", "/endpointcost")];
    let observed = sample(
        &metrics,
        "altofed_http_request_duration_seconds_count",
        &latency,
    );
    assert_eq!(observed, Some(3.0), "{metrics}");
    server.stop().await;
}

#[tokio::test]
async fn the_lane_shares_the_overload_limit_of_the_router() {
    // An admin request, through the router, holds the only permit.
    let PermitHeld {
        server,
        release,
        in_flight,
    } = only_permit_held().await;
    let post = || {
        client()
            .post(server.url("/endpointcost"))
            .header(header::CONTENT_TYPE, media::ENDPOINT_COST_PARAMS)
            .header("x-request-id", "shed-1")
            .body(usual("numerical"))
            .send()
    };
    let shed = post().await.unwrap();
    assert_eq!(shed.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(shed.headers()["retry-after"], "1");
    assert_eq!(shed.headers()["x-request-id"], "shed-1");
    assert_eq!(
        shed.text().await.unwrap(),
        "server overloaded, retry later\n"
    );
    release.send(()).unwrap();
    assert_eq!(in_flight.await.unwrap().unwrap().status(), StatusCode::OK);
    // The permit is back: the lane is admitted again, and its own permit
    // returned once answered.
    for _ in 0..3 {
        assert_eq!(post().await.unwrap().status(), StatusCode::OK);
    }
    server.stop().await;
}
