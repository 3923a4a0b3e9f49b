//! A GET resource's body: encoded when the snapshot is built, or on first
//! use. The ordinal cost map is the one built on first use: its ranks are
//! dense over the whole map (RFC 7285 §6.1.2.2), so a change at one peer
//! moves nearly every rank and none of its pieces can be taken over; at
//! 5.1M pairs encoding it (205 MB of JSON, gzip and zstd) is most of a
//! publish. Publishing it lazily serves the numerical map at once, and
//! spends nothing on ordinal bodies nobody asks for before the next change
//! (docs/benchmarks.md, "End to end").
//!
//! Whoever reads a lazy body first builds it; readers that arrive during
//! the build wait for it. Async code must not be that reader:
//! [`super::Snapshot::build_bodies`] builds them on a blocking thread.

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use super::{Coding, CostBody, Encoded};

/// A body and, for a cost map, the pieces it was assembled from.
#[derive(Debug)]
pub struct Built {
    pub encoded: Encoded,
    /// Kept for the update streams' patches (`sse::diff`).
    pub pieces: Option<CostBody>,
}

type Build = Box<dyn Fn() -> Built + Send + Sync>;

/// A resource's body in every coding; reads as an [`Encoded`], building it
/// first if it is lazy. Clones share the body (and a lazy body's build).
#[derive(Clone)]
pub struct Body(Arc<Inner>);

enum Inner {
    Ready(Built),
    Lazy { cell: OnceLock<Built>, build: Build },
}

impl Body {
    /// A body encoded already.
    pub fn ready(encoded: Encoded) -> Self {
        Self(Arc::new(Inner::Ready(Built {
            encoded,
            pieces: None,
        })))
    }

    /// A body `build` encodes when it is first read; it must be kept in
    /// every coding ([`Body::offers`] answers so before it is built).
    pub fn lazy(build: impl Fn() -> Built + Send + Sync + 'static) -> Self {
        Self(Arc::new(Inner::Lazy {
            cell: OnceLock::new(),
            build: Box::new(build),
        }))
    }

    /// Whether reading the body now costs nothing.
    pub fn is_ready(&self) -> bool {
        match &*self.0 {
            Inner::Ready(_) => true,
            Inner::Lazy { cell, .. } => cell.get().is_some(),
        }
    }

    /// Whether the body is kept in `coding`, without building it.
    pub fn offers(&self, coding: Coding) -> bool {
        match &*self.0 {
            Inner::Ready(built) => built.encoded.get(coding).is_some(),
            Inner::Lazy { .. } => true,
        }
    }

    /// Whether the body is built on first use (ready or not).
    pub fn is_lazy(&self) -> bool {
        matches!(&*self.0, Inner::Lazy { .. })
    }

    /// The body, built now if it is lazy and nobody built it yet (this
    /// blocks: keep it off async workers).
    pub fn built(&self) -> &Built {
        match &*self.0 {
            Inner::Ready(built) => built,
            Inner::Lazy { cell, build } => cell.get_or_init(|| {
                let started = Instant::now();
                let built = build();
                let ms = started.elapsed().as_millis();
                tracing::debug!(bytes = built.encoded.identity.len(), ms, "lazy body built");
                built
            }),
        }
    }

    /// Adds the compressed codings of a body published in identity first
    /// ([`Encoded::compress_pending`]); a lazy body is compressed by its
    /// build, and one not built yet is left so.
    pub fn compress_pending(&self) {
        match &*self.0 {
            Inner::Ready(built) => built.encoded.compress_pending(),
            Inner::Lazy { cell, .. } => {
                if let Some(built) = cell.get() {
                    built.encoded.compress_pending();
                }
            }
        }
    }

    /// Whether [`Body::compress_pending`] has nothing left to do.
    pub fn is_compressed(&self) -> bool {
        match &*self.0 {
            Inner::Ready(built) => built.encoded.is_compressed(),
            Inner::Lazy { cell, .. } => cell.get().is_none_or(|b| b.encoded.is_compressed()),
        }
    }

    /// The cost map pieces of a lazy body (building it), `None` for a body
    /// encoded whole.
    pub fn pieces(&self) -> Option<&CostBody> {
        self.built().pieces.as_ref()
    }

    /// Bytes held in all codings; 0 for a lazy body not built yet.
    pub fn held_len(&self) -> usize {
        match &*self.0 {
            Inner::Ready(built) => built.encoded.total_len(),
            Inner::Lazy { cell, .. } => cell.get().map_or(0, |b| b.encoded.total_len()),
        }
    }

    /// Whether both are the same body (clones of one another).
    pub fn same(&self, other: &Body) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Deref for Body {
    type Target = Encoded;

    fn deref(&self) -> &Encoded {
        &self.built().encoded
    }
}

impl From<Encoded> for Body {
    fn from(encoded: Encoded) -> Self {
        Self::ready(encoded)
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            Inner::Ready(built) => f.debug_tuple("Ready").field(&built.encoded).finish(),
            Inner::Lazy { cell, .. } => f.debug_tuple("Lazy").field(&cell.get()).finish(),
        }
    }
}
