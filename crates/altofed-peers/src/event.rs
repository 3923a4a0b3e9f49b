//! What a peer watcher tells the engine. Watchers run as tasks, one per
//! peer, and send events on a `tokio::sync::mpsc` channel; the engine never
//! calls into a peer.
//!
//! The engine logs what the events say (one WARN per failure, one INFO on
//! recovery): it alone knows the peer's name and state, and logging there
//! makes directory and HTTP peers read the same. So a failure carries what
//! the log line needs (where, and the class) besides the message.

use std::sync::Arc;

use altofed_core::peer::PeerMaps;

use crate::{FetchError, SourceError};

/// A peer's news, `peer` being its index in the configuration.
#[derive(Debug, Clone)]
pub enum PeerEvent {
    /// New maps, already checked (media types, schema, the cost map's
    /// dependent vtag names the network map).
    Updated { peer: usize, maps: Arc<PeerMaps> },
    /// A fetch failed; the engine keeps the last good maps, marked stale.
    Failed {
        peer: usize,
        /// The whole message (it names the peer, URL or file, and reason).
        error: String,
        /// The URL concerned; for a directory peer the file, as a `file://`
        /// URL.
        url: String,
        /// A short label: [`FetchError::class`], or [`SourceError::class`].
        class: &'static str,
    },
    /// The peer answered and its maps are the ones last sent (a 304, an
    /// unchanged body, an unchanged directory, an update stream still open
    /// and alive): a contact, and current again if it was stale.
    Current { peer: usize },
}

impl PeerEvent {
    pub fn peer(&self) -> usize {
        match self {
            PeerEvent::Updated { peer, .. }
            | PeerEvent::Failed { peer, .. }
            | PeerEvent::Current { peer } => *peer,
        }
    }

    /// The failure of an HTTP pull.
    pub fn failed(peer: usize, error: &FetchError) -> Self {
        PeerEvent::Failed {
            peer,
            error: error.to_string(),
            url: error.url().to_string(),
            class: error.class(),
        }
    }

    /// The failure of reading a directory peer's files.
    pub fn unreadable(peer: usize, error: &SourceError) -> Self {
        PeerEvent::Failed {
            peer,
            error: error.to_string(),
            url: error.file_url(),
            class: error.class(),
        }
    }
}

impl SourceError {
    /// The metric and log label of this failure class.
    pub fn class(&self) -> &'static str {
        match self {
            SourceError::Io { .. } => "io",
            SourceError::TooLarge { .. } => "too_large",
            SourceError::Malformed { .. } => "malformed",
        }
    }

    /// The file concerned as a `file://` URL (absolute, not resolved
    /// further: no symbolic link is followed to say where it is).
    pub fn file_url(&self) -> String {
        let path = match self {
            SourceError::Io { path, .. }
            | SourceError::TooLarge { path, .. }
            | SourceError::Malformed { path, .. } => path,
        };
        let path = std::path::absolute(path).unwrap_or_else(|_| path.clone());
        format!("file://{}", path.display())
    }
}
