//! What the engine holds of one peer.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use altofed_core::peer::PeerMaps;
use altofed_core::pipeline::PeerColumns;

/// A peer's last good maps, their composition, and their freshness.
#[derive(Debug, Default)]
pub struct PeerSlot {
    pub maps: Option<Arc<PeerMaps>>,
    pub columns: Option<Arc<PeerColumns>>,
    /// When the peer last gave maps that were used.
    pub last_success: Option<SystemTime>,
    /// Set while the latest fetch failed.
    pub last_error: Option<String>,
    /// Set once the maps were older than the peer's `max-age`.
    pub withdrawn: bool,
    /// Set while the peer's latest maps could not be composed (the ones in
    /// use are older).
    pub rejected: bool,
}

impl PeerSlot {
    /// Stale: the maps in use are older than the latest failed attempt.
    pub fn is_stale(&self) -> bool {
        self.columns.is_some() && self.last_error.is_some()
    }

    /// RFC 3339 time of the last success, while stale.
    pub fn stale_since(&self) -> Option<String> {
        if !self.is_stale() {
            return None;
        }
        self.last_success
            .map(|t| humantime::format_rfc3339_seconds(t).to_string())
    }

    /// Whether the maps are now too old to serve.
    pub fn expired(&self, now: SystemTime, max_age: Duration) -> bool {
        self.is_stale()
            && !self.withdrawn
            && self
                .last_success
                .is_some_and(|t| now.duration_since(t).unwrap_or_default() > max_age)
    }

    /// Age of the maps in use, for metrics.
    pub fn age(&self, now: SystemTime) -> Option<Duration> {
        self.last_success
            .map(|t| now.duration_since(t).unwrap_or_default())
    }
}
