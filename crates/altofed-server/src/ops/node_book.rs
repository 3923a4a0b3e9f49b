//! The CDN node statuses, and the bookkeeping of the single flight that
//! publishes their changes ([`crate::state::AppState::change_nodes`]).
//!
//! A change is applied to the book at once (`GET /admin/nodes` shows it)
//! and queued. One publisher at a time takes *everything* queued as one
//! batch and publishes one snapshot for it, so a burst of changes costs far
//! fewer publishes than changes: whatever arrives during a publish rides on
//! the next one. Each request is answered once a snapshot holding its
//! change is installed, or with the error of the publish that carried it;
//! then the batch's changes are undone (those queued since stay).
//!
//! The book keeps two views: `nodes`, every change accepted, and
//! `published`, the statuses in the current snapshot (what a publish of new
//! documents merges). They are equal when nothing is queued or in flight.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use thiserror::Error;

use super::nodes::NodeStatus;
use crate::snapshot::{SharedPropertyMaps, SnapshotError};

/// Statuses to set (`Some`) or clear (`None`), by address.
pub type NodeChanges = Vec<(IpAddr, Option<NodeStatus>)>;

/// Why a node status change was not applied.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NodeChangeError {
    /// The snapshot with the change cannot be built; the change is undone.
    #[error("{0}")]
    Publish(#[from] SnapshotError),
    /// The publisher stopped (it panicked) before publishing the change;
    /// the change is undone.
    #[error("the publish carrying the change was abandoned")]
    Abandoned,
}

/// What the publish that carried a request came to.
pub(crate) type Outcome = Result<(), NodeChangeError>;

/// Called once with the [`Outcome`] of the publish that carried a request;
/// dropped uncalled if the publisher panicked.
pub(crate) type Reply = Box<dyn FnOnce(Outcome) + Send>;

struct Request {
    changes: NodeChanges,
    reply: Reply,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("changes", &self.changes)
            .finish_non_exhaustive()
    }
}

/// What a request must do once its changes are in the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Queued {
    /// Nothing to wait for: the current snapshot already shows the changes
    /// (the reply was dropped uncalled).
    Shown,
    /// No publisher is running: start one, then wait for the reply.
    Lead,
    /// A publisher is running and will carry the changes: wait.
    Wait,
}

/// The queued requests one publish carries.
#[derive(Debug)]
pub(crate) struct Batch {
    requests: Vec<Request>,
    /// What to publish: the published statuses with the batch's changes.
    pub target: BTreeMap<IpAddr, NodeStatus>,
    /// The addresses whose published status the batch changes, with the
    /// new status (for the hooks and the metrics).
    pub changed: Vec<(IpAddr, Option<NodeStatus>)>,
    /// The property maps of the last published documents, before the
    /// merge; `None` before the first publish.
    pub base: Option<Arc<SharedPropertyMaps>>,
}

impl Batch {
    /// Answers every request the batch carries.
    pub fn answer(&mut self, outcome: &Outcome) {
        for request in self.requests.drain(..) {
            (request.reply)(outcome.clone());
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct NodeBook {
    nodes: BTreeMap<IpAddr, NodeStatus>,
    published: BTreeMap<IpAddr, NodeStatus>,
    queued: Vec<Request>,
    /// A publisher is running (the single flight).
    publishing: bool,
    /// A batch has been taken and is being published.
    in_flight: bool,
    base: Option<Arc<SharedPropertyMaps>>,
}

impl NodeBook {
    /// Every status accepted, published or not yet.
    pub fn nodes(&self) -> &BTreeMap<IpAddr, NodeStatus> {
        &self.nodes
    }

    /// The statuses the current snapshot holds.
    pub fn published(&self) -> &BTreeMap<IpAddr, NodeStatus> {
        &self.published
    }

    /// Statuses read back at start-up (e.g. from a state directory),
    /// taken as published: the first publish merges them. `false` (and
    /// nothing done) once a change is queued or in flight.
    pub fn restore(&mut self, statuses: BTreeMap<IpAddr, NodeStatus>) -> bool {
        if !self.queued.is_empty() || self.in_flight {
            return false;
        }
        self.nodes = statuses.clone();
        self.published = statuses;
        true
    }

    /// The property maps of newly published documents, before the merge.
    pub fn set_base(&mut self, base: Arc<SharedPropertyMaps>) {
        self.base = Some(base);
    }

    /// Applies `changes` and returns each address's previous status, with
    /// what the request must do. Nothing to wait for when no change made a
    /// difference and none is queued or in flight (the current snapshot
    /// already shows them).
    pub fn enqueue(
        &mut self,
        changes: NodeChanges,
        reply: Reply,
    ) -> (Vec<Option<NodeStatus>>, Queued) {
        let previous: Vec<Option<NodeStatus>> = changes
            .iter()
            .map(|&(address, status)| apply(&mut self.nodes, address, status))
            .collect();
        let effective = changes.iter().zip(&previous).any(|((_, s), p)| s != p);
        if !effective && self.queued.is_empty() && !self.in_flight {
            return (previous, Queued::Shown);
        }
        self.queued.push(Request { changes, reply });
        let queued = if self.publishing {
            Queued::Wait
        } else {
            Queued::Lead
        };
        self.publishing = true;
        (previous, queued)
    }

    /// Takes every queued request as one batch. `None` when none is queued,
    /// which ends the flight when asked by the `lead` publisher.
    pub fn take_batch(&mut self, lead: bool) -> Option<Batch> {
        if self.queued.is_empty() {
            if lead {
                self.publishing = false;
            }
            return None;
        }
        let requests = std::mem::take(&mut self.queued);
        let mut target = self.published.clone();
        let mut addresses = BTreeSet::new();
        for (address, status) in requests.iter().flat_map(|r| &r.changes) {
            apply(&mut target, *address, *status);
            addresses.insert(*address);
        }
        let changed = addresses
            .into_iter()
            .map(|a| (a, target.get(&a).copied()))
            .filter(|(a, new)| self.published.get(a) != new.as_ref())
            .collect();
        self.in_flight = true;
        Some(Batch {
            requests,
            target,
            changed,
            base: self.base.clone(),
        })
    }

    /// Ends the publish of `batch`: its statuses become the published ones,
    /// or, when it failed, its changes are undone.
    pub fn finish(&mut self, batch: &mut Batch, published: bool) {
        self.in_flight = false;
        if published {
            self.published = std::mem::take(&mut batch.target);
        } else {
            self.nodes = self.published.clone();
            for (address, status) in self.queued.iter().flat_map(|r| &r.changes) {
                apply(&mut self.nodes, *address, *status);
            }
        }
    }

    /// After a publisher panicked: every change not published is undone,
    /// its requests see their reply channel closed, and the flight ends.
    pub fn abandon(&mut self) {
        self.queued.clear();
        self.nodes = self.published.clone();
        self.publishing = false;
        self.in_flight = false;
    }
}

/// Sets or clears one status; returns the previous one.
fn apply(
    nodes: &mut BTreeMap<IpAddr, NodeStatus>,
    address: IpAddr,
    status: Option<NodeStatus>,
) -> Option<NodeStatus> {
    match status {
        Some(s) => nodes.insert(address, s),
        None => nodes.remove(&address),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::nodes::Health;

    fn status(load: f64) -> Option<NodeStatus> {
        Some(NodeStatus {
            health: Health::Up,
            load,
            drained: false,
        })
    }

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, last])
    }

    /// Enqueues with a reply nobody listens to.
    fn enqueue(book: &mut NodeBook, address: IpAddr, load: Option<f64>) -> Queued {
        book.enqueue(vec![(address, load.and_then(status))], Box::new(|_| ()))
            .1
    }

    #[test]
    fn changes_queued_during_a_publish_ride_on_the_next_one() {
        let mut book = NodeBook::default();
        assert_eq!(enqueue(&mut book, ip(1), Some(0.1)), Queued::Lead);
        let mut batch = book.take_batch(true).expect("one request queued");
        assert_eq!(enqueue(&mut book, ip(2), Some(0.2)), Queued::Wait);
        assert_eq!(enqueue(&mut book, ip(1), Some(0.3)), Queued::Wait);
        book.finish(&mut batch, true);
        assert_eq!(book.published().len(), 1);
        let next = book.take_batch(true).expect("two requests queued");
        assert_eq!(
            next.changed,
            vec![(ip(1), status(0.3)), (ip(2), status(0.2))]
        );
        assert_eq!(next.requests.len(), 2);
        // Nothing left: the flight ends, the next request leads again.
        assert!(book.take_batch(true).is_none());
        assert_eq!(enqueue(&mut book, ip(3), Some(0.4)), Queued::Lead);
    }

    #[test]
    fn a_failed_publish_undoes_its_changes_but_not_those_queued_since() {
        let mut book = NodeBook::default();
        enqueue(&mut book, ip(1), Some(0.1));
        let mut batch = book.take_batch(true).expect("queued");
        enqueue(&mut book, ip(2), Some(0.2));
        book.finish(&mut batch, false);
        assert_eq!(book.nodes().keys().copied().collect::<Vec<_>>(), [ip(2)]);
        assert!(book.published().is_empty());
    }

    #[test]
    fn a_change_that_changes_nothing_waits_only_for_what_is_in_flight() {
        let mut book = NodeBook::default();
        assert_eq!(enqueue(&mut book, ip(1), None), Queued::Shown);
        enqueue(&mut book, ip(1), Some(0.5));
        let mut batch = book.take_batch(true).expect("queued");
        // The same status again while it is being published: waits for it.
        assert_eq!(enqueue(&mut book, ip(1), Some(0.5)), Queued::Wait);
        book.finish(&mut batch, true);
        let no_op = book.take_batch(true).expect("the repeated request");
        assert!(no_op.changed.is_empty());
    }
}
