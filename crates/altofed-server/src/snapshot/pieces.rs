//! Bodies assembled from pieces that were compressed on their own, so that a
//! publish which changes a tenth of a 130 MB cost map compresses only that
//! tenth and copies the rest from the previous snapshot.
//!
//! - deflate: each piece is a raw deflate stream from a fresh compressor,
//!   ended by a full flush, so it is byte-aligned, not final, and refers to
//!   no byte before it. Any sequence of such pieces is one valid deflate
//!   stream once a final block is appended (the trick pigz uses to gzip in
//!   parallel); one gzip member wraps it.
//! - zstd: each piece is a whole frame; a zstd body may be several frames
//!   (RFC 8878 §3.1). Frames cannot be spliced into one: blocks of a frame
//!   share entropy tables and repeat offsets.
//! - CRC-32: kept per piece and combined, so assembling a body only copies.

use std::sync::{Arc, OnceLock};

use bytes::Bytes;

use super::compressors::{raw_deflate, zstd_frame};
use super::encode::{Encoded, MIN_COMPRESS};
use super::rope::Rope;

/// Most bytes one deflate stored block holds (RFC 1951 §3.2.4).
const STORED_MAX: usize = 65_535;
/// Most bytes one zstd block holds (RFC 8878 §3.1.1.2.4).
const ZSTD_BLOCK_MAX: usize = 128 * 1024;
/// RFC 8878 §3.1.1.
const ZSTD_MAGIC: u32 = 0xFD2F_B528;
/// The gzip header (RFC 1952 §2.3): deflate, no flags, no mtime, XFL 4
/// (fastest), OS unknown; the bytes flate2's `GzEncoder` writes at `fast()`.
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 0xff];
/// An empty final stored block: closes the stream the pieces leave open.
const DEFLATE_END: [u8; 5] = [0x01, 0x00, 0x00, 0xff, 0xff];

/// Part of a body: its text, and that text compressed on its own (now, or
/// after the body is published: [`Piece::deferred`]) so that it can be
/// joined to other pieces without compressing again.
#[derive(Debug, Clone)]
pub struct Piece {
    identity: Bytes,
    codings: OnceLock<Codings>,
}

/// A piece's text compressed.
#[derive(Debug, Clone)]
struct Codings {
    /// Raw deflate blocks, byte-aligned, none of them final.
    deflate: Bytes,
    /// CRC-32 of the text.
    crc: u32,
    /// Zero (for empty text) or one zstd frame.
    zstd: Bytes,
}

impl Piece {
    /// Compresses `text` in both codings. Meant for a few kB to a few hundred
    /// kB: every piece restarts the compressors' history, so smaller pieces
    /// compress worse (zstd much more than deflate, whose window is 32 kB),
    /// and larger ones mean more to compress again when a part changes.
    pub fn new(text: Vec<u8>) -> Self {
        let piece = Self::deferred(text);
        piece.compress();
        piece
    }

    /// `text`, compressed only when [`Piece::compress`] is called (or a
    /// body is assembled from it by [`Encoded::from_pieces`]): a cost map
    /// body is published in identity first and compressed after.
    pub fn deferred(text: Vec<u8>) -> Self {
        if text.is_empty() {
            return Self::glue(&[]);
        }
        Self {
            identity: tight(text),
            codings: OnceLock::new(),
        }
    }

    /// A few bytes between pieces (`,`, `},"pid":{`), stored, not compressed:
    /// compressing them would cost more than it saves.
    pub fn glue(text: &[u8]) -> Self {
        let codings = Codings {
            deflate: Bytes::from(stored_blocks(text)),
            crc: crc32fast::hash(text),
            zstd: Bytes::from(raw_frame(text)),
        };
        Self {
            identity: Bytes::copy_from_slice(text),
            codings: OnceLock::from(codings),
        }
    }

    /// Compresses the text if that is not done yet (by this or another
    /// thread, which this then waits for).
    pub fn compress(&self) {
        self.codings();
    }

    fn codings(&self) -> &Codings {
        self.codings.get_or_init(|| {
            let text = &self.identity[..];
            // Neither fails in practice; storing instead keeps the body valid.
            let deflate = raw_deflate(text).unwrap_or_else(|| stored_blocks(text));
            let zstd = zstd_frame(text).unwrap_or_else(|| raw_frame(text));
            Codings {
                deflate: tight(deflate),
                crc: crc32fast::hash(text),
                zstd: tight(zstd),
            }
        })
    }

    /// The uncompressed text.
    pub fn identity(&self) -> &Bytes {
        &self.identity
    }

    /// Length of the uncompressed text.
    pub fn len(&self) -> usize {
        self.identity.len()
    }

    pub fn is_empty(&self) -> bool {
        self.identity.is_empty()
    }

    /// Bytes held in all codings (for size metrics); the text only while
    /// it is not compressed.
    pub fn total_len(&self) -> usize {
        let compressed = self
            .codings
            .get()
            .map_or(0, |c| c.deflate.len() + c.zstd.len());
        self.identity.len() + compressed
    }
}

impl Encoded {
    /// The body made of `pieces` in order, with no copy: identity is their
    /// texts one after another, gzip one member around all their deflate
    /// blocks, zstd their frames one after another, each a [`Rope`] of the
    /// pieces' own buffers. Pieces not compressed yet are compressed here.
    /// Bodies shorter than `MIN_COMPRESS` get no compressed codings, as
    /// with [`Encoded::new`].
    pub fn from_pieces<'a>(pieces: impl IntoIterator<Item = &'a Piece>) -> Encoded {
        let pieces: Vec<&Piece> = pieces.into_iter().collect();
        let identity = identity_of(pieces.iter().copied());
        let (gzip, zstd) = compressed_of(&pieces, identity.len());
        Encoded::from_codings(identity, gzip, zstd)
    }

    /// The body made of `pieces` in identity at once, and in gzip and zstd
    /// once [`Encoded::compress_pending`] has compressed its pieces: what
    /// a publish serves first, so that a change is served without waiting
    /// for its compression (a client that asks for gzip meanwhile gets
    /// identity, which every client accepts).
    pub fn from_pieces_deferred(pieces: Vec<Arc<Piece>>) -> Encoded {
        let identity = identity_of(pieces.iter().map(|p| &**p));
        if identity.len() < MIN_COMPRESS {
            return Encoded::from_codings(identity, None, None);
        }
        Encoded::pending(identity, pieces)
    }
}

/// The texts of `pieces` one after another.
fn identity_of<'a>(pieces: impl IntoIterator<Item = &'a Piece>) -> Rope {
    Rope::from_parts(pieces.into_iter().map(|p| p.identity.clone()))
}

/// The gzip and zstd bodies of `pieces` (whose texts are `len` bytes),
/// compressing those that are not yet; none for a body shorter than
/// `MIN_COMPRESS`.
pub(super) fn compressed_of(pieces: &[&Piece], len: usize) -> (Option<Rope>, Option<Rope>) {
    if len < MIN_COMPRESS {
        return (None, None);
    }
    let codings: Vec<&Codings> = pieces.iter().map(|p| p.codings()).collect();
    let mut crc = crc32fast::Hasher::new();
    for (p, c) in pieces.iter().zip(&codings) {
        crc.combine(&crc32fast::Hasher::new_with_initial_len(
            c.crc,
            p.identity.len() as u64,
        ));
    }
    let mut trailer = DEFLATE_END.to_vec();
    trailer.extend_from_slice(&crc.finalize().to_le_bytes());
    // ISIZE is the length modulo 2^32 (RFC 1952 §2.3.1): truncating is
    // the definition, not a loss.
    trailer.extend_from_slice(&(len as u32).to_le_bytes());
    let gzip = Rope::from_parts(
        std::iter::once(Bytes::from_static(&GZIP_HEADER))
            .chain(codings.iter().map(|c| c.deflate.clone()))
            .chain(std::iter::once(Bytes::from(trailer))),
    );
    let zstd = Rope::from_parts(codings.iter().map(|c| c.zstd.clone()));
    (Some(gzip), Some(zstd))
}

/// Pieces live as long as the snapshots that share them, and the buffers
/// compressors return are sized for the worst case (zstd's for more than the
/// whole text): keep only what was written (`Bytes::from` would keep the
/// spare capacity for the piece's life).
fn tight(mut bytes: Vec<u8>) -> Bytes {
    bytes.shrink_to_fit();
    Bytes::from(bytes)
}

/// `text` in deflate stored blocks, none final (RFC 1951 §3.2.4); nothing
/// at all for empty text.
fn stored_blocks(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 5 * text.len().div_ceil(STORED_MAX));
    for chunk in text.chunks(STORED_MAX) {
        // chunks() keeps every chunk within STORED_MAX, which fits a u16.
        let len = chunk.len() as u16;
        // BFINAL 0 and BTYPE 00 in the low bits, then padding to the byte.
        out.push(0);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out
}

/// `text` as one zstd frame of raw blocks (RFC 8878 §3.1.1): single segment,
/// so the window is the content size and no window descriptor is needed; no
/// checksum. Nothing at all for empty text.
fn raw_frame(text: &[u8]) -> Vec<u8> {
    if text.is_empty() {
        return Vec::new();
    }
    let blocks = text.len().div_ceil(ZSTD_BLOCK_MAX);
    let mut out = Vec::with_capacity(4 + 9 + 3 * blocks + text.len());
    out.extend_from_slice(&ZSTD_MAGIC.to_le_bytes());
    // Frame header descriptor: Single_Segment_flag (0x20) and the size of the
    // Frame_Content_Size field in the top two bits.
    let size = text.len() as u64;
    match size {
        0..=255 => out.extend_from_slice(&[0x20, size as u8]),
        256..=65_791 => {
            out.push(0x60);
            out.extend_from_slice(&((size - 256) as u16).to_le_bytes());
        }
        65_792..=0xFFFF_FFFF => {
            out.push(0xA0);
            out.extend_from_slice(&(size as u32).to_le_bytes());
        }
        _ => {
            out.push(0xE0);
            out.extend_from_slice(&size.to_le_bytes());
        }
    }
    let mut chunks = text.chunks(ZSTD_BLOCK_MAX).peekable();
    while let Some(chunk) = chunks.next() {
        let last = u32::from(chunks.peek().is_none());
        // Block header, 3 bytes little-endian: Last_Block, Block_Type 0 (raw)
        // and Block_Size, which ZSTD_BLOCK_MAX keeps within 21 bits.
        let header = last | (chunk.len() as u32) << 3;
        out.extend_from_slice(&header.to_le_bytes()[..3]);
        out.extend_from_slice(chunk);
    }
    out
}
