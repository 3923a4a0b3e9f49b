//! The endpoint cost service's lane: `POST /endpointcost` answered before
//! the router, with what the router's layers do for it done inline.
//!
//! It is the service asked most (DNS servers and HTTP redirectors ask it
//! per client), with small answers, so what surrounds the handler is most
//! of its cost. Through the router, a request passes axum's routing, the
//! route's boxed service (cloned per request) and six tower layers applied
//! per route (`super::layers::common`, the overload limit, authentication),
//! each with its own future; measured on the load bench, that was as much
//! CPU as the rest of the request above the bare HTTP stack. Here the same
//! steps run in one future, from the same code: request id
//! ([`SequentialIds`]), span ([`request_span_with_id`]) and failure log
//! ([`log_failure`]), metrics ([`Tracking`]), timeout, overload limit
//! ([`Shedder`], shared with the router's), credentials ([`Guard`]), then
//! the router's own handler ([`crate::routes::endpoint_costs`]).
//!
//! The router still serves the route (in-process callers, and requests the
//! lane leaves to it): while DEBUG logging is on, so that tower-http's
//! per-request events are logged as for every other route.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tokio::time::Instant;
use tower_http::classify::ServerErrorsFailureClass;
use tracing::{Instrument, Span};

use super::auth::Guard;
use super::layers::{log_failure, request_span_with_id, SequentialIds, REQUEST_ID};
use super::overload::Shedder;
use super::track::Tracking;
use crate::conn::{Lane, LaneFuture};
use crate::snapshot::ENDPOINT_COST_URI;
use crate::state::AppState;

/// `POST /endpointcost`, served as [`crate::router`] would serve it.
#[derive(Debug)]
pub(crate) struct EcsLane {
    state: AppState,
    timeout: Duration,
    shedder: Option<Shedder>,
    guard: Option<Arc<Guard>>,
}

impl EcsLane {
    /// The lane of `state`'s server, under the router's overload limit
    /// and ALTO credentials.
    pub(crate) fn new(
        state: AppState,
        shedder: Option<Shedder>,
        guard: Option<Arc<Guard>>,
    ) -> Self {
        let timeout = state.config().request_timeout;
        Self {
            state,
            timeout,
            shedder,
            guard,
        }
    }

    /// Within the request timeout: admitted, authenticated, answered.
    async fn answer(&self, request: Request<Body>, peer: SocketAddr) -> Response {
        let _permit = match &self.shedder {
            Some(shedder) => match shedder.admit() {
                Some(permit) => Some(permit),
                None => return shedder.shed(),
            },
            None => None,
        };
        if let Some(guard) = &self.guard {
            if let Err(refused) = guard.admit(request.headers()) {
                return refused.into_response();
            }
        }
        let state = State(self.state.clone());
        crate::routes::endpoint_costs(state, ConnectInfo(peer), request)
            .await
            .into_response()
    }
}

impl Lane for EcsLane {
    fn takes(&self, method: &Method, uri: &Uri) -> bool {
        method == Method::POST
            && uri.path() == ENDPOINT_COST_URI
            && !tracing::level_enabled!(tracing::Level::DEBUG)
    }

    fn serve(self: Arc<Self>, request: Request<Body>, peer: SocketAddr) -> LaneFuture {
        let id = request_id(&request);
        let span = request_span_with_id(&request, id.as_ref());
        let path = request.uri().path();
        // One clock read for the metrics, the timeout and the failure log.
        let started = Instant::now();
        let tracking = Tracking::begin_at(
            &self.state,
            request.method(),
            ENDPOINT_COST_URI,
            path,
            started.into_std(),
        );
        let answered = async move {
            let answering = self.answer(request, peer);
            let answer = match started.checked_add(self.timeout) {
                Some(deadline) => tokio::time::timeout_at(deadline, answering).await,
                // A timeout beyond the clock's range (the configuration
                // does not bound it): no deadline, as `timeout` would.
                None => Ok(answering.await),
            };
            let mut response =
                answer.unwrap_or_else(|_| StatusCode::SERVICE_UNAVAILABLE.into_response());
            let status = response.status();
            tracking.finish(status);
            if status.is_server_error() {
                let failure = ServerErrorsFailureClass::StatusCode(status);
                log_failure(failure, started.elapsed(), &Span::current());
            }
            if let Some(id) = id {
                response.headers_mut().entry(REQUEST_ID_NAME).or_insert(id);
            }
            response
        };
        Box::pin(answered.instrument(span))
    }
}

/// [`REQUEST_ID`] as a header name made once: as a `&str`, every use
/// parsed and hashed it again.
const REQUEST_ID_NAME: HeaderName = HeaderName::from_static(REQUEST_ID);

/// The request's id: the client's `x-request-id`, or a new one. Unlike
/// tower-http's `SetRequestId`, a new one is not set on the request: the
/// handler does not read it, and the span takes it as it is (setting it
/// cost a header map insertion and a shared copy of the value per
/// request).
fn request_id(request: &Request<Body>) -> Option<HeaderValue> {
    match request.headers().get(REQUEST_ID_NAME) {
        Some(given) => Some(given.clone()),
        None => HeaderValue::from_bytes(&SequentialIds::next_id()).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServerConfig;
    use altofed_model::media;
    use axum::http::header::{ACCEPT, CONTENT_TYPE};

    #[tokio::test]
    async fn a_timeout_beyond_the_clock_leaves_a_request_without_deadline() {
        let config = ServerConfig {
            request_timeout: Duration::MAX,
            ..ServerConfig::default()
        };
        let lane = Arc::new(EcsLane::new(AppState::new(config), None, None));
        let request = Request::post(ENDPOINT_COST_URI)
            .header(CONTENT_TYPE, media::ENDPOINT_COST_PARAMS)
            .header(ACCEPT, media::ENDPOINT_COST)
            .body(Body::from(
                r#"{"endpoints":{"srcs":["ipv4:192.0.2.1"],"dsts":["ipv4:192.0.2.2"]}}"#,
            ))
            .expect("a request");
        let peer = SocketAddr::from(([192, 0, 2, 1], 40000));
        // No snapshot yet: answered 503 (not a panic adding the timeout).
        let response = lane.serve(request, peer).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.headers().contains_key(REQUEST_ID_NAME));
    }

    #[test]
    fn the_lane_takes_endpoint_cost_posts_only() {
        let lane = EcsLane::new(AppState::new(ServerConfig::default()), None, None);
        let takes = |method: Method, uri: &str| lane.takes(&method, &uri.parse().expect("a URI"));
        assert!(takes(Method::POST, "/endpointcost"));
        assert!(takes(Method::POST, "/endpointcost?x=1"));
        assert!(takes(Method::POST, "http://alto.example/endpointcost"));
        assert!(!takes(Method::GET, "/endpointcost"));
        assert!(!takes(Method::HEAD, "/endpointcost"));
        assert!(!takes(Method::POST, "/endpointcost/"));
        assert!(!takes(Method::POST, "/endpointprop"));
        assert!(!takes(Method::POST, "/maps/agg-routingcost-num/filtered"));
        // With DEBUG logging on, the router serves it (tower-http's
        // per-request events).
        let debug = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_test_writer()
            .finish();
        tracing::subscriber::with_default(debug, || {
            assert!(!takes(Method::POST, "/endpointcost"));
        });
    }
}
