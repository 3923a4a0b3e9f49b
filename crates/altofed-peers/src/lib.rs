//! Where peer maps come from.
//!
//! - [`DirectorySource`]: a local directory of ALTO JSON documents (the
//!   synchronous [`PeerSource`] seam);
//! - [`http`]: the ALTO client of a peer's server (IRD, conditional GET,
//!   RFC 8895 update streams, retries), run as a task sending [`PeerEvent`]s;
//! - [`discovery`]: RFC 8686 discovery of a peer's ALTO server.

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
