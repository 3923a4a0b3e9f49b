//! What the engine holds of one peer, and its liveness.
//!
//! Liveness is the last contact, not the maps' age: a peer whose maps do
//! not change for days is alive as long as it answers. Every good answer
//! (new maps that are used, or word that the maps in use are still its
//! maps) is a contact. The first failure after a contact makes the peer
//! stale (`.priv:stale-since` is that failure's time); `max-age` after the
//! last contact its PIDs are withdrawn, whether failures were reported or
//! the peer just went silent. A rejected answer (maps that fail the peer
//! checks) is a failure, not a contact.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use altofed_core::peer::PeerMaps;
use altofed_core::pipeline::PeerColumns;

/// A peer's last good maps, their composition, and their freshness.
#[derive(Debug, Default)]
pub struct PeerSlot {
    pub maps: Option<Arc<PeerMaps>>,
    pub columns: Option<Arc<PeerColumns>>,
    /// When the maps in use arrived.
    pub received: Option<SystemTime>,
    /// The peer's last good answer.
    pub last_contact: Option<SystemTime>,
    /// From the first failure after a good answer until the next good one.
    pub stale: Option<Stale>,
    /// Set once `max-age` passed since the last contact.
    pub withdrawn: bool,
    /// Set while the peer's latest maps are rejected (the ones in use are
    /// older).
    pub rejected: bool,
}

/// Since when and why a peer is stale.
#[derive(Debug, Clone)]
pub struct Stale {
    pub since: SystemTime,
    pub reason: String,
}

impl PeerSlot {
    /// Stale: maps in use, and the latest answer was a failure.
    pub fn is_stale(&self) -> bool {
        self.columns.is_some() && self.stale.is_some()
    }

    /// Never gave maps that could be used.
    pub fn never_fetched(&self) -> bool {
        self.maps.is_none()
    }

    /// Whether its PIDs are in what is published.
    pub fn is_published(&self) -> bool {
        self.columns.is_some() && !self.withdrawn
    }

    /// RFC 3339 time of the first failure, while stale.
    pub fn stale_since(&self) -> Option<String> {
        let stale = self.stale.as_ref().filter(|_| self.is_stale())?;
        Some(humantime::format_rfc3339_seconds(stale.since).to_string())
    }

    /// New maps, composed: in use from now. Always a change to publish.
    pub fn accept(&mut self, maps: Arc<PeerMaps>, columns: PeerColumns, now: SystemTime) {
        self.maps = Some(maps);
        self.columns = Some(Arc::new(columns));
        self.received = Some(now);
        self.contact(now);
    }

    /// A good answer that keeps the maps in use. `true` when what is
    /// published changes (the stale mark goes, or withdrawn PIDs return).
    pub fn contact(&mut self, now: SystemTime) -> bool {
        let changed = self.columns.is_some() && (self.stale.is_some() || self.withdrawn);
        self.last_contact = Some(now);
        self.stale = None;
        self.withdrawn = false;
        self.rejected = false;
        changed
    }

    /// A failed answer. `true` when the peer just became stale while
    /// published (its PIDs get `.priv:stale-since`).
    pub fn fail(&mut self, now: SystemTime, reason: String) -> bool {
        match &mut self.stale {
            Some(stale) => {
                stale.reason = reason;
                false
            }
            None => {
                self.stale = Some(Stale { since: now, reason });
                self.is_published()
            }
        }
    }

    /// What was wrong until now, for the line that says the peer answers
    /// again: `None` when nothing was.
    pub fn trouble(&self) -> Option<String> {
        let since = |s: &Stale| humantime::format_rfc3339_seconds(s.since).to_string();
        match (&self.stale, self.withdrawn) {
            (Some(stale), false) => Some(format!("failing since {}", since(stale))),
            (Some(stale), true) => Some(format!(
                "failing since {}, its PIDs withdrawn",
                since(stale)
            )),
            (None, true) => Some("silence, its PIDs withdrawn".to_owned()),
            (None, false) => None,
        }
    }

    /// Whether `max-age` has passed since the last contact while the
    /// peer's PIDs are still published.
    pub fn expired(&self, now: SystemTime, max_age: Duration) -> bool {
        self.is_published()
            && self
                .last_contact
                .is_some_and(|t| now.duration_since(t).unwrap_or_default() > max_age)
    }

    /// Time since the last contact, for metrics.
    pub fn contact_age(&self, now: SystemTime) -> Option<Duration> {
        self.last_contact
            .map(|t| now.duration_since(t).unwrap_or_default())
    }

    /// Age of the maps in use, for metrics.
    pub fn maps_age(&self, now: SystemTime) -> Option<Duration> {
        self.received
            .map(|t| now.duration_since(t).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// A slot with composed maps, without real maps behind them: the
    /// liveness rules only look at whether there are columns.
    fn published(at: SystemTime) -> PeerSlot {
        let mut slot = PeerSlot {
            columns: Some(Arc::new(PeerColumns::new(
                Vec::new(),
                Default::default(),
                altofed_core::compose::Matrix::filled(0, 0, 0.0),
                None,
                Default::default(),
                Vec::new(),
                &Default::default(),
            ))),
            received: Some(at),
            ..PeerSlot::default()
        };
        slot.contact(at);
        slot
    }

    #[test]
    fn a_peer_unchanged_past_max_age_that_fails_once_stays_until_max_age_after_its_last_contact() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let max_age = Duration::from_secs(30);
        let at = |s: u64| t0 + Duration::from_secs(s);
        let mut slot = published(t0);
        // Unchanged maps, confirmed every 5 s for 60 s: twice max-age.
        for s in (5..=60).step_by(5) {
            assert!(!slot.contact(at(s)));
            assert!(!slot.expired(at(s), max_age));
        }
        assert!(slot.fail(at(61), "refused".into()), "stale at once");
        assert!(!slot.fail(at(62), "refused".into()), "once");
        assert_eq!(
            slot.stale_since().unwrap(),
            humantime::format_rfc3339_seconds(at(61)).to_string()
        );
        assert_eq!(slot.maps_age(at(61)), Some(Duration::from_secs(61)));
        assert_eq!(slot.contact_age(at(61)), Some(Duration::from_secs(1)));
        assert!(
            !slot.expired(at(90), max_age),
            "30 s after the last contact"
        );
        assert!(slot.expired(at(91), max_age));
    }

    #[test]
    fn a_silent_peer_expires_and_a_contact_brings_it_back() {
        let t0 = SystemTime::UNIX_EPOCH;
        let mut slot = published(t0);
        let later = t0 + Duration::from_secs(31);
        assert!(slot.expired(later, Duration::from_secs(30)));
        slot.withdrawn = true;
        assert!(!slot.expired(later, Duration::from_secs(30)), "once");
        assert!(slot.contact(later), "its PIDs return");
        assert!(!slot.is_stale() && slot.is_published());
    }
}
