//! Overload protection: at most `max` requests of the routes it wraps at
//! once; the next ones are answered at once with 503 and `Retry-After`
//! (RFC 7285 §8.5.3).
//!
//! One layer instead of tower's `GlobalConcurrencyLimit` + `LoadShed` +
//! axum's `HandleError`: those cost every request a boxed future (the
//! error handler's) and a boxed semaphore future (each clone of the
//! limit, and axum clones the route's service per request, starts a new
//! one), plus a boxed error for each request shed. Here a request takes
//! a permit without waiting (`try_acquire`) and holds it until its
//! response future is done, as the limit did; the answer to a request
//! shed is the same.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use pin_project_lite::pin_project;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower::{Layer, Service};

use crate::state::AppState;

/// The limit on requests at once: one per server, shared by the routes
/// it wraps ([`overload_limit`]) and the endpoint cost lane
/// (`super::lane`).
#[derive(Debug, Clone)]
pub(crate) struct Shedder {
    permits: Arc<Semaphore>,
    retry_after_secs: u64,
}

impl Shedder {
    /// At most `max` requests at once (at least 1); the rest are shed
    /// with `retry_after` (whole seconds, at least 1).
    pub(crate) fn new(max: usize, retry_after: Duration) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max.max(1))),
            retry_after_secs: retry_after.as_secs().max(1),
        }
    }

    /// A permit held while the request is answered; `None`: answer
    /// [`Shedder::shed`] at once.
    pub(crate) fn admit(&self) -> Option<OwnedSemaphorePermit> {
        self.permits.clone().try_acquire_owned().ok()
    }

    /// The answer to a request not admitted: 503 with `Retry-After`.
    pub(crate) fn shed(&self) -> Response {
        overloaded(self.retry_after_secs)
    }
}

/// `router`'s routes, at most as many at once as `shedder` allows.
pub(crate) fn overload_limit(router: Router<AppState>, shedder: Shedder) -> Router<AppState> {
    router.layer(OverloadLayer(shedder))
}

#[derive(Debug, Clone)]
struct OverloadLayer(Shedder);

impl<S> Layer<S> for OverloadLayer {
    type Service = Overload<S>;

    fn layer(&self, inner: S) -> Overload<S> {
        Overload {
            inner,
            shedder: self.0.clone(),
        }
    }
}

/// The service of [`OverloadLayer`].
#[derive(Debug, Clone)]
pub(crate) struct Overload<S> {
    inner: S,
    shedder: Shedder,
}

impl<S> Service<Request> for Overload<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = OverloadFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match self.shedder.admit() {
            Some(permit) => OverloadFuture::Admitted {
                inner: self.inner.call(request),
                _permit: permit,
            },
            None => OverloadFuture::Shed {
                response: Some(self.shedder.shed()),
            },
        }
    }
}

pin_project! {
    /// The inner service's answer while holding a permit, or the 503.
    #[project = Projected]
    pub(crate) enum OverloadFuture<F> {
        Admitted {
            #[pin]
            inner: F,
            _permit: OwnedSemaphorePermit,
        },
        Shed {
            response: Option<Response>,
        },
    }
}

impl<F, E> Future for OverloadFuture<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            Projected::Admitted { inner, .. } => inner.poll(cx),
            Projected::Shed { response } => Poll::Ready(Ok(response.take().unwrap_or_default())),
        }
    }
}

fn overloaded(retry_after_secs: u64) -> Response {
    tracing::warn!("overloaded: request shed");
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "server overloaded, retry later\n",
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}
