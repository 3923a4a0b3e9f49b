//! The `text/event-stream` response body of one stream: the batches of its
//! queue, a keep-alive comment whenever nothing was sent for the
//! configured time (RFC 8895 §6.8), and the end of the stream.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use bytes::Bytes;

use super::frame::KEEP_ALIVE;
use super::queue::{End, Next, Queue};
use super::registry::{Opened, UpdateStreams};
use altofed_model::media;

/// The streaming response for a newly opened stream.
pub(super) fn response(streams: UpdateStreams, opened: Opened) -> Response {
    // A zero interval would send nothing but comments.
    let keep_alive = streams.config().keep_alive.max(Duration::from_millis(10));
    let reader = Reader {
        queue: opened.queue,
        pending: VecDeque::new(),
        keep_alive,
        cut: false,
        _guard: Guard {
            streams,
            id: opened.id,
        },
    };
    let body = futures_util::stream::unfold(reader, Reader::next);
    let mut response = Response::new(Body::from_stream(body));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media::EVENT_STREAM),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Ask reverse proxies not to buffer the stream.
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

struct Reader {
    queue: Arc<Queue>,
    /// Chunks of the batch being sent.
    pending: VecDeque<Bytes>,
    keep_alive: Duration,
    /// The error that cuts the connection was sent.
    cut: bool,
    _guard: Guard,
}

impl Reader {
    async fn next(mut self) -> Option<(Result<Bytes, std::io::Error>, Self)> {
        loop {
            if let Some(chunk) = self.pending.pop_front() {
                return Some((Ok(chunk), self));
            }
            if self.cut {
                return None;
            }
            match tokio::time::timeout(self.keep_alive, self.queue.next()).await {
                Err(_idle) => return Some((Ok(Bytes::from_static(KEEP_ALIVE)), self)),
                Ok(Next::Batch(batch)) => self.pending.extend(batch),
                Ok(Next::End(End::Done)) => return None,
                Ok(Next::End(End::Overflow)) => {
                    // An error (not a clean end) makes the server drop the
                    // connection, so the client knows it missed updates.
                    self.cut = true;
                    let error = std::io::Error::other(
                        "update stream closed: the client fell too far behind",
                    );
                    return Some((Err(error), self));
                }
            }
        }
    }
}

/// Removes the stream from the registry when its body is dropped (the
/// client went away, or the stream ended).
struct Guard {
    streams: UpdateStreams,
    id: String,
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.streams.forget(&self.id);
    }
}
