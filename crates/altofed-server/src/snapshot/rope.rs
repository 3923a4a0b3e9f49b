//! A body kept as the parts it was built from and sent part after part:
//! a cost map body assembled from hundreds of reusable pieces is never
//! copied into one buffer, and the pieces it shares with the previous
//! snapshot are held once in memory.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http_body::{Frame, SizeHint};

/// Immutable bytes in parts.
#[derive(Debug, Clone, Default)]
pub struct Rope {
    parts: Arc<[Bytes]>,
    len: usize,
}

impl Rope {
    /// The parts in order; empty ones are dropped.
    pub fn from_parts(parts: impl IntoIterator<Item = Bytes>) -> Self {
        let parts: Arc<[Bytes]> = parts.into_iter().filter(|p| !p.is_empty()).collect();
        let len = parts.iter().map(Bytes::len).sum();
        Self { parts, len }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn parts(&self) -> &[Bytes] {
        &self.parts
    }

    /// The bytes in one buffer: shared when there is one part, else copied
    /// (for readers that need a slice, such as the update streams' diff).
    pub fn to_bytes(&self) -> Bytes {
        match &self.parts[..] {
            [] => Bytes::new(),
            [one] => one.clone(),
            parts => {
                let mut out = BytesMut::with_capacity(self.len);
                parts.iter().for_each(|p| out.extend_from_slice(p));
                out.freeze()
            }
        }
    }

    /// Whether both are the same parts (a clone of one rope): equal without
    /// comparing a byte.
    pub fn shares_parts(&self, other: &Rope) -> bool {
        Arc::ptr_eq(&self.parts, &other.parts)
    }

    /// An HTTP body sending the parts as frames, with its exact length (so
    /// the response has a `Content-Length`).
    pub fn http_body(&self) -> RopeBody {
        RopeBody {
            parts: self.parts.clone(),
            next: 0,
            remaining: self.len as u64,
        }
    }
}

impl From<Bytes> for Rope {
    fn from(bytes: Bytes) -> Self {
        Self::from_parts([bytes])
    }
}

impl PartialEq for Rope {
    fn eq(&self, other: &Self) -> bool {
        if Arc::ptr_eq(&self.parts, &other.parts) {
            return true;
        }
        self.len == other.len && {
            let mut a = self.parts.iter().flat_map(|p| p.iter());
            let mut b = other.parts.iter().flat_map(|p| p.iter());
            a.by_ref().zip(b.by_ref()).all(|(x, y)| x == y)
        }
    }
}

impl Eq for Rope {}

/// [`Rope::http_body`].
#[derive(Debug)]
pub struct RopeBody {
    parts: Arc<[Bytes]>,
    next: usize,
    remaining: u64,
}

impl http_body::Body for RopeBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let Some(part) = self.parts.get(self.next).cloned() else {
            return Poll::Ready(None);
        };
        self.next += 1;
        self.remaining -= part.len() as u64;
        Poll::Ready(Some(Ok(Frame::data(part))))
    }

    fn is_end_stream(&self) -> bool {
        self.next >= self.parts.len()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}
