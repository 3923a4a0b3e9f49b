//! The per-connection hyper service: the router with the client's address
//! as `ConnectInfo` (or a [`Lane`] before it), each request counted in
//! flight until its response body has been sent.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::connect_info::ConnectInfo;
use axum::http::{Method, Request, Response, Uri};
use axum::routing::future::RouteFuture;
use axum::Router;
use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;

use super::activity::{Activity, InFlight};

/// Requests served before the router: the busiest service, answered
/// without the router's per-route boxing (`crate::ops::lane`). A lane
/// does whatever the router's layers would do for the request.
pub trait Lane: Send + Sync + std::fmt::Debug {
    /// Whether this lane answers a request of `method` to `uri` (else the
    /// router does).
    fn takes(&self, method: &Method, uri: &Uri) -> bool;
    /// The answer to `request` from `peer`.
    fn serve(self: Arc<Self>, request: Request<Body>, peer: SocketAddr) -> LaneFuture;
}

/// The answer of a [`Lane`].
pub type LaneFuture = Pin<Box<dyn Future<Output = Response<Body>> + Send>>;

/// Serves one connection's requests.
#[derive(Debug, Clone)]
pub(super) struct ConnService {
    pub(super) router: Router,
    pub(super) lane: Option<Arc<dyn Lane>>,
    pub(super) peer: SocketAddr,
    pub(super) activity: Arc<Activity>,
}

impl hyper::service::Service<Request<Incoming>> for ConnService {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn call(&self, request: Request<Incoming>) -> ResponseFuture {
        let in_flight = Some(self.activity.begin());
        if let Some(lane) = self
            .lane
            .as_ref()
            .filter(|lane| lane.takes(request.method(), request.uri()))
        {
            let future = lane.clone().serve(request.map(Body::new), self.peer);
            return ResponseFuture {
                inner: Inner::Lane { future },
                in_flight,
            };
        }
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(ConnectInfo(self.peer));
        let future = tower::Service::call(&mut self.router.clone(), request);
        ResponseFuture {
            inner: Inner::Router { future },
            in_flight,
        }
    }
}

pin_project_lite::pin_project! {
    /// The router's or the lane's future; hands the in-flight guard to
    /// the body.
    pub(super) struct ResponseFuture {
        #[pin]
        inner: Inner,
        in_flight: Option<InFlight>,
    }
}

pin_project_lite::pin_project! {
    #[project = InnerProjection]
    enum Inner {
        Router { #[pin] future: RouteFuture<Infallible> },
        Lane { future: LaneFuture },
    }
}

impl Future for ResponseFuture {
    type Output = Result<Response<Body>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = match this.inner.project() {
            InnerProjection::Router { future } => match std::task::ready!(future.poll(cx)) {
                Ok(response) => response,
                Err(never) => match never {},
            },
            InnerProjection::Lane { future } => std::task::ready!(future.as_mut().poll(cx)),
        };
        let in_flight = this.in_flight.take();
        Poll::Ready(Ok(response.map(|body| {
            Body::new(Guarded {
                body,
                _in_flight: in_flight,
            })
        })))
    }
}

pin_project_lite::pin_project! {
    /// A response body that keeps its request in flight until dropped
    /// (hyper drops it once the last byte is written, or the connection
    /// ends).
    struct Guarded {
        #[pin]
        body: Body,
        _in_flight: Option<InFlight>,
    }
}

impl HttpBody for Guarded {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        self.project().body.poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
