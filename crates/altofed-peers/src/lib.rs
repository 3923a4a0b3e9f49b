//! Where peer maps come from.
//!
//! A [`PeerSource`] yields one peer's [`PeerMaps`]. Today the only source is
//! a local directory of ALTO JSON documents ([`DirectorySource`]); the HTTP
//! ALTO client will be a second implementation of the same trait, so the
//! engine never knows which one it talks to.

mod directory;
pub mod discovery;
pub mod event;
pub mod http;
mod read;

pub use directory::DirectorySource;
pub use event::PeerEvent;
pub use http::{FetchError, Fetched, HttpPeer, HttpPeerError, PeerMetrics};
pub use read::{parse_document, read_document, MAX_DOCUMENT_BYTES};

use std::path::PathBuf;

use altofed_core::peer::PeerMaps;
use thiserror::Error;

/// A place that yields one peer's maps.
pub trait PeerSource {
    /// Where the maps come from, for messages.
    fn describe(&self) -> String;
    /// Fetches the current maps.
    fn fetch(&self) -> Result<PeerMaps, SourceError>;
}

/// Why a peer's maps could not be had. Every variant names the file.
#[derive(Debug, Error)]
pub enum SourceError {
    #[error("{}: cannot read: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}: {size} bytes is over the limit of {limit} bytes", path.display())]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("{}: not a valid {what}: at `{key}`: {reason}", path.display())]
    Malformed {
        path: PathBuf,
        what: &'static str,
        key: String,
        reason: String,
    },
}
