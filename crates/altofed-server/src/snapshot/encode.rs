//! A body in every content coding we offer, compressed once per snapshot so
//! that requests only copy bytes (never serialize or compress per request).

use std::io::Write;

use bytes::Bytes;

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

/// One body in each coding.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub identity: Rope,
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
        Self {
            identity: Bytes::from(identity).into(),
            gzip: gzip.map(Rope::from),
            zstd: zstd.map(Rope::from),
        }
    }

    /// A body whose codings were made elsewhere (`Encoded::from_pieces`);
    /// the caller answers for them decoding to `identity`.
    pub(super) fn from_codings(identity: Rope, gzip: Option<Rope>, zstd: Option<Rope>) -> Self {
        Self {
            identity,
            gzip,
            zstd,
        }
    }

    /// The body in `coding`, or `None` if it is not kept in that coding.
    pub fn get(&self, coding: Coding) -> Option<&Rope> {
        match coding {
            Coding::Identity => Some(&self.identity),
            Coding::Gzip => self.gzip.as_ref(),
            Coding::Zstd => self.zstd.as_ref(),
        }
    }

    /// Bytes held in all codings (for the snapshot size metric).
    pub fn total_len(&self) -> usize {
        self.identity.len()
            + self.gzip.as_ref().map_or(0, Rope::len)
            + self.zstd.as_ref().map_or(0, Rope::len)
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
