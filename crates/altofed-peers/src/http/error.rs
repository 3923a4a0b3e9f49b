//! Why a peer could not be pulled. Every message names the peer, the URL
//! and the reason; [`FetchError::class`] is the short label used in
//! metrics.

use std::error::Error as _;
use std::path::PathBuf;
use std::time::Duration;

use altofed_core::peer::PeerError;
use reqwest::{StatusCode, Url};
use thiserror::Error;

/// An [`crate::HttpPeer`] that cannot be set up from its configuration.
#[derive(Debug, Error)]
pub enum HttpPeerError {
    #[error("peer `{peer}`: `{url}` is not an http:// or https:// URL")]
    Scheme { peer: String, url: Url },
    #[error("peer `{peer}`: ca-file {}: cannot read: {error}", path.display())]
    CaRead {
        peer: String,
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("peer `{peer}`: ca-file {}: {reason}", path.display())]
    CaPem {
        peer: String,
        path: PathBuf,
        reason: String,
    },
    #[error("peer `{peer}`: {reason}")]
    Credentials { peer: String, reason: String },
    #[error("peer `{peer}`: cannot build the HTTP client: {reason}")]
    Client { peer: String, reason: String },
}

/// A failed pull. The peer keeps its last good maps.
#[derive(Debug, Clone, Error)]
pub enum FetchError {
    /// No connection: refused (peer down), unreachable, DNS, TLS handshake.
    #[error("peer `{peer}`: {method} {url}: cannot connect: {reason}")]
    Connect {
        peer: String,
        method: &'static str,
        url: Box<Url>,
        reason: String,
    },
    /// No complete response within the configured `timeout`.
    #[error("peer `{peer}`: {method} {url}: no complete response within {after:?}")]
    Timeout {
        peer: String,
        method: &'static str,
        url: Box<Url>,
        after: Duration,
    },
    /// A status other than 200 (or 304 to a conditional request).
    #[error("peer `{peer}`: {method} {url}: HTTP {status}{detail}")]
    Status {
        peer: String,
        method: &'static str,
        url: Box<Url>,
        status: StatusCode,
        /// Empty, or starting with `: ` / ` (`.
        detail: String,
    },
    /// The body is larger than `max-bytes` (after decompression).
    #[error("peer `{peer}`: {method} {url}: response body is over the limit of {limit} bytes (max-bytes)")]
    TooLarge {
        peer: String,
        method: &'static str,
        url: Box<Url>,
        limit: u64,
    },
    /// `Content-Type` is not the media type asked for (RFC 7285 §8.3.4.2).
    #[error("peer `{peer}`: {method} {url}: Content-Type is `{got}`, expected `{want}` (RFC 7285 §8.3.4.2)")]
    MediaType {
        peer: String,
        method: &'static str,
        url: Box<Url>,
        got: String,
        want: &'static str,
    },
    /// Not the JSON document expected; `key` is the JSON path (`.` for the
    /// top level).
    #[error("peer `{peer}`: {method} {url}: not a valid {what}: at `{key}`: {reason}")]
    Malformed {
        peer: String,
        method: &'static str,
        url: Box<Url>,
        what: &'static str,
        key: String,
        reason: String,
    },
    /// The maps do not go together, e.g. the cost map's dependent vtag is
    /// not the network map's (RFC 7285 §11.2.3.6). The [`PeerError`] names
    /// the peer.
    #[error("{error}; cost map from {url}")]
    Inconsistent { url: Box<Url>, error: PeerError },
    /// The IRD does not offer what is needed (or configured).
    #[error("peer `{peer}`: IRD {url}: {reason}")]
    Directory {
        peer: String,
        url: Box<Url>,
        reason: String,
    },
    /// A redirect `follow-redirects` does not allow, or too many.
    #[error("peer `{peer}`: {method} {url}: {reason}")]
    Redirect {
        peer: String,
        method: &'static str,
        url: Box<Url>,
        reason: String,
    },
    /// Any other transport problem (connection reset, bad encoding, ...).
    #[error("peer `{peer}`: {method} {url}: {reason}")]
    Transport {
        peer: String,
        method: &'static str,
        url: Box<Url>,
        reason: String,
    },
}

impl FetchError {
    /// The metric label of this failure class.
    pub fn class(&self) -> &'static str {
        match self {
            FetchError::Connect { .. } => "connect",
            FetchError::Timeout { .. } => "timeout",
            FetchError::Status { .. } => "status",
            FetchError::TooLarge { .. } => "too_large",
            FetchError::MediaType { .. } => "media_type",
            FetchError::Malformed { .. } => "malformed",
            FetchError::Inconsistent { .. } => "inconsistent",
            FetchError::Directory { .. } => "directory",
            FetchError::Redirect { .. } => "redirect",
            FetchError::Transport { .. } => "transport",
        }
    }

    /// The URL concerned.
    pub fn url(&self) -> &Url {
        match self {
            FetchError::Connect { url, .. }
            | FetchError::Timeout { url, .. }
            | FetchError::Status { url, .. }
            | FetchError::TooLarge { url, .. }
            | FetchError::MediaType { url, .. }
            | FetchError::Malformed { url, .. }
            | FetchError::Inconsistent { url, .. }
            | FetchError::Directory { url, .. }
            | FetchError::Redirect { url, .. }
            | FetchError::Transport { url, .. } => url,
        }
    }
}

/// Where a request went, to build errors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    pub peer: &'a str,
    pub method: &'static str,
    pub url: &'a Url,
}

impl Target<'_> {
    pub fn timeout(&self, after: Duration) -> FetchError {
        FetchError::Timeout {
            peer: self.peer.to_owned(),
            method: self.method,
            url: Box::new(self.url.clone()),
            after,
        }
    }

    pub fn too_large(&self, limit: u64) -> FetchError {
        FetchError::TooLarge {
            peer: self.peer.to_owned(),
            method: self.method,
            url: Box::new(self.url.clone()),
            limit,
        }
    }

    pub fn malformed(&self, what: &'static str, (key, reason): (String, String)) -> FetchError {
        FetchError::Malformed {
            peer: self.peer.to_owned(),
            method: self.method,
            url: Box::new(self.url.clone()),
            what,
            key,
            reason,
        }
    }

    pub fn media_type(&self, got: Option<&str>, want: &'static str) -> FetchError {
        FetchError::MediaType {
            peer: self.peer.to_owned(),
            method: self.method,
            url: Box::new(self.url.clone()),
            got: got.unwrap_or("(none)").to_owned(),
            want,
        }
    }

    pub fn transport(&self, reason: impl Into<String>) -> FetchError {
        FetchError::Transport {
            peer: self.peer.to_owned(),
            method: self.method,
            url: Box::new(self.url.clone()),
            reason: reason.into(),
        }
    }

    /// Classifies a reqwest error: connect, timeout, redirect, or other.
    pub fn classify(&self, error: &reqwest::Error, timeout: Duration) -> FetchError {
        if error.is_timeout() {
            self.timeout(timeout)
        } else if error.is_connect() {
            FetchError::Connect {
                peer: self.peer.to_owned(),
                method: self.method,
                url: Box::new(self.url.clone()),
                reason: root_cause(error),
            }
        } else if error.is_redirect() {
            FetchError::Redirect {
                peer: self.peer.to_owned(),
                method: self.method,
                url: Box::new(self.url.clone()),
                reason: root_cause(error),
            }
        } else if error.is_decode() {
            self.transport(format!("cannot decode the body: {}", root_cause(error)))
        } else {
            self.transport(root_cause(error))
        }
    }
}

/// The most telling part of an error chain: the innermost I/O error (a
/// refused connection reads "connection refused"), else the innermost
/// message.
fn root_cause(error: &reqwest::Error) -> String {
    let mut innermost = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return match io.kind() {
                std::io::ErrorKind::ConnectionRefused => "connection refused".to_owned(),
                std::io::ErrorKind::ConnectionReset => "connection reset".to_owned(),
                _ => io.to_string(),
            };
        }
        innermost = e.to_string();
        source = e.source();
    }
    innermost
}
