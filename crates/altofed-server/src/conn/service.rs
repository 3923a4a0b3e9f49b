//! The per-connection hyper service: the router with the client's address
//! as `ConnectInfo`, each request counted in flight until its response
//! body has been sent.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::connect_info::ConnectInfo;
use axum::http::{Request, Response};
use axum::routing::future::RouteFuture;
use axum::Router;
use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;

use super::activity::{Activity, InFlight};

/// Serves one connection's requests.
#[derive(Debug, Clone)]
pub(super) struct ConnService {
    pub(super) router: Router,
    pub(super) peer: SocketAddr,
    pub(super) activity: Arc<Activity>,
}

impl hyper::service::Service<Request<Incoming>> for ConnService {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn call(&self, request: Request<Incoming>) -> ResponseFuture {
        let in_flight = self.activity.begin();
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(ConnectInfo(self.peer));
        let inner = tower::Service::call(&mut self.router.clone(), request);
        ResponseFuture {
            inner,
            in_flight: Some(in_flight),
        }
    }
}

pin_project_lite::pin_project! {
    /// The router's future; hands the in-flight guard to the body.
    pub(super) struct ResponseFuture {
        #[pin]
        inner: RouteFuture<Infallible>,
        in_flight: Option<InFlight>,
    }
}

impl Future for ResponseFuture {
    type Output = Result<Response<Body>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = match std::task::ready!(this.inner.poll(cx)) {
            Ok(response) => response,
            Err(never) => match never {},
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
