//! A body in every content coding we offer, compressed once per snapshot so
//! that requests only copy bytes (never serialize or compress per request).

use std::io::Write;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use rayon::prelude::*;

use super::pieces::{compressed_of, Piece};
use super::rope::Rope;

/// The codings we offer, in order of preference when a client accepts
/// several with equal weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Zstd,
    Gzip,
    Identity,
}

impl Coding {
    /// The `Content-Encoding` value (`None` for identity).
    pub fn header(self) -> Option<&'static str> {
        match self {
            Coding::Zstd => Some("zstd"),
            Coding::Gzip => Some("gzip"),
            Coding::Identity => None,
        }
    }

    /// Suffix that makes the strong ETag differ per coding (RFC 9110 §8.8.3).
    pub fn etag_suffix(self) -> &'static str {
        match self {
            Coding::Zstd => "-zst",
            Coding::Gzip => "-gz",
            Coding::Identity => "",
        }
    }
}

/// Bodies below this size are not worth compressing.
pub(super) const MIN_COMPRESS: usize = 512;

/// zstd's default level: fast enough to compress every body at publish time.
pub(super) const ZSTD_LEVEL: i32 = 3;

/// One body in each coding: identity always; gzip and zstd from the
/// start, or (a cost map body a publish serves first in identity,
/// [`Encoded::from_pieces_deferred`]) once [`Encoded::compress_pending`]
/// has run. Clones share the compressed codings.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub identity: Rope,
    compressed: Arc<OnceLock<Compressed>>,
    /// The pieces to compress, for a body whose codings come later.
    pending: Option<Arc<[Arc<Piece>]>>,
}

#[derive(Debug)]
struct Compressed {
    gzip: Option<Rope>,
    zstd: Option<Rope>,
}

impl Encoded {
    pub fn new(mut identity: Vec<u8>) -> Self {
        // `Bytes::from` keeps a Vec's spare capacity for the body's life.
        identity.shrink_to_fit();
        let (gzip, zstd) = if identity.len() < MIN_COMPRESS {
            (None, None)
        } else {
            (gzip(&identity), zstd(&identity))
        };
        Self::from_codings(
            Bytes::from(identity).into(),
            gzip.map(Rope::from),
            zstd.map(Rope::from),
        )
    }

    /// A body whose codings were made elsewhere (`Encoded::from_pieces`);
    /// the caller answers for them decoding to `identity`.
    pub(super) fn from_codings(identity: Rope, gzip: Option<Rope>, zstd: Option<Rope>) -> Self {
        Self {
            identity,
            compressed: Arc::new(OnceLock::from(Compressed { gzip, zstd })),
            pending: None,
        }
    }

    /// A body of `pieces` (whose texts are `identity`) compressed later.
    pub(super) fn pending(identity: Rope, pieces: Vec<Arc<Piece>>) -> Self {
        Self {
            identity,
            compressed: Arc::new(OnceLock::new()),
            pending: Some(pieces.into()),
        }
    }

    /// The body in `coding`, or `None` if it is not kept in that coding
    /// (or not yet: [`Encoded::is_compressed`]).
    pub fn get(&self, coding: Coding) -> Option<&Rope> {
        let compressed = || self.compressed.get();
        match coding {
            Coding::Identity => Some(&self.identity),
            Coding::Gzip => compressed()?.gzip.as_ref(),
            Coding::Zstd => compressed()?.zstd.as_ref(),
        }
    }

    /// Whether the body has all the codings it will have.
    pub fn is_compressed(&self) -> bool {
        self.compressed.get().is_some()
    }

    /// Compresses the pieces of a body published in identity first (with
    /// rayon; pieces another body compressed already are not compressed
    /// again) and adds its gzip and zstd codings. Nothing to do for any
    /// other body, or when done already; a second caller waits for the
    /// first.
    pub fn compress_pending(&self) {
        let Some(pieces) = &self.pending else {
            return;
        };
        self.compressed.get_or_init(|| {
            pieces.par_iter().for_each(|p| p.compress());
            let pieces: Vec<&Piece> = pieces.iter().map(|p| &**p).collect();
            let (gzip, zstd) = compressed_of(&pieces, self.identity.len());
            Compressed { gzip, zstd }
        });
    }

    /// Bytes held in all codings (for the snapshot size metric).
    pub fn total_len(&self) -> usize {
        let compressed = self.compressed.get().map_or(0, |c| {
            c.gzip.as_ref().map_or(0, Rope::len) + c.zstd.as_ref().map_or(0, Rope::len)
        });
        self.identity.len() + compressed
    }
}

/// A coding that fails to compress is simply not offered.
fn gzip(data: &[u8]) -> Option<Bytes> {
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 4),
        flate2::Compression::fast(),
    );
    enc.write_all(data).ok()?;
    let mut out = enc.finish().ok()?;
    out.shrink_to_fit();
    Some(Bytes::from(out))
}

fn zstd(data: &[u8]) -> Option<Bytes> {
    // bulk::compress sizes its buffer for the worst case (more than the
    // input); a snapshot keeps the body for its whole life.
    let mut out = super::compressors::zstd_frame(data)?;
    out.shrink_to_fit();
    Some(Bytes::from(out))
}
