//! A cost request entirely in the direction the cost maps do not publish
//! gets an error that says which direction they do, instead of an empty
//! map (an HTTP redirector asking subscriber -> CDN of a server that
//! publishes CDN -> subscriber only would otherwise read "no costs").
//!
//! A requested PID is a CDN PID when the property map says `.priv:kind` =
//! `cdn`, and a subscriber-side PID for any other kind (`subscriber`,
//! `catch-all`); a PID without a kind (unknown, or in no PID) takes no
//! part. The request is refused when some (source, destination) pair it
//! selects is in the unpublished direction and none is in a published
//! one; pairs between two CDN PIDs or two subscriber PIDs are in neither
//! and never count. An empty (or missing) list selects every kind.

use altofed_model::error::{ErrorCode, ErrorDoc};
use serde_json::Value;

use crate::http::ApiError;
use crate::snapshot::Snapshot;

/// The rows the cost maps hold (the aggregator's `output.direction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishedDirection {
    CdnToSubscriber,
    SubscriberToCdn,
    Both,
}

impl PublishedDirection {
    fn refusal(self) -> Option<&'static str> {
        match self {
            Self::CdnToSubscriber => Some(
                "this server publishes costs from CDN PIDs to subscriber PIDs only \
                 (output.direction = cdn-to-subscriber)",
            ),
            Self::SubscriberToCdn => Some(
                "this server publishes costs from subscriber PIDs to CDN PIDs only \
                 (output.direction = subscriber-to-cdn)",
            ),
            Self::Both => None,
        }
    }
}

/// The kinds of PID among a request's sources or destinations.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Kinds {
    cdn: bool,
    subscriber: bool,
}

impl Kinds {
    /// What an empty list selects: every PID.
    pub(crate) fn all() -> Self {
        Kinds {
            cdn: true,
            subscriber: true,
        }
    }

    /// Adds one PID by name; a PID without a kind adds nothing.
    pub(crate) fn add(&mut self, snapshot: &Snapshot, pid: &str) {
        self.add_kind(is_cdn(snapshot, pid));
    }

    /// Adds the PID number `index` of the network map (as the endpoint
    /// cost service resolves addresses), from the snapshot's table.
    pub(crate) fn add_index(&mut self, snapshot: &Snapshot, index: usize) {
        self.add_kind(pid_is_cdn(snapshot, index));
    }

    fn add_kind(&mut self, cdn: Option<bool>) {
        match cdn {
            Some(true) => self.cdn = true,
            Some(false) => self.subscriber = true,
            None => {}
        }
    }
}

/// Whether the PID number `index` of the network map is a CDN PID (`None`:
/// it has no kind), from the snapshot's table; for the admin API's check
/// that a node status is for a CDN node (`ops::node_scope`).
pub(crate) fn pid_is_cdn(snapshot: &Snapshot, index: usize) -> Option<bool> {
    let kinds = snapshot.pid_kinds.get_or_init(|| pid_kinds(snapshot));
    kinds.get(index).copied().flatten()
}

/// [`is_cdn`] of every PID of the network map, by PID number.
fn pid_kinds(snapshot: &Snapshot) -> Vec<Option<bool>> {
    let names = snapshot.network_map.network_map.keys();
    names.map(|pid| is_cdn(snapshot, pid)).collect()
}

/// Whether the PID is a CDN PID, by its `.priv:kind`; `None` without one.
fn is_cdn(snapshot: &Snapshot, pid: &str) -> Option<bool> {
    let entity = format!("{}.pid:{pid}", snapshot.ids.network_map);
    let kind = snapshot
        .property_maps
        .values()
        .find_map(|m| m.property_map.get(&entity)?.get(".priv:kind"))?;
    Some(kind == &Value::String("cdn".to_owned()))
}

/// The error for a request whose pairs are all in the unpublished
/// direction (see the module documentation); `field` names the request's
/// source list. `None` for `published`: the server was not told, no check.
pub(crate) fn check(
    published: Option<PublishedDirection>,
    srcs: Kinds,
    dsts: Kinds,
    field: &str,
) -> Result<(), ApiError> {
    let Some(published) = published else {
        return Ok(());
    };
    let forward = srcs.cdn && dsts.subscriber;
    let reverse = srcs.subscriber && dsts.cdn;
    let (wanted, unwanted) = match published {
        PublishedDirection::CdnToSubscriber => (forward, reverse),
        PublishedDirection::SubscriberToCdn => (reverse, forward),
        PublishedDirection::Both => (true, false),
    };
    match published.refusal() {
        Some(message) if unwanted && !wanted => {
            let doc = ErrorDoc::with_field(ErrorCode::InvalidFieldValue, field);
            Err(doc.with_message(message).into())
        }
        _ => Ok(()),
    }
}
