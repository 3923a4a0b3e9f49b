//! CDN node status changes: applied to the book at once, published by a
//! single flight in batches (see [`crate::ops::node_book`]). A batch's
//! snapshot is the current one with new property maps only
//! ([`with_property_maps`]): the network map, the cost maps and their
//! bodies are shared, so a publish costs the property maps, not the cost
//! maps.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

use tokio::sync::oneshot;

use super::AppState;
use crate::ops::events::AdminEvent;
use crate::ops::metrics::PublishCause;
use crate::ops::node_book::{Batch, NodeChangeError, NodeChanges, Queued};
use crate::ops::nodes::{merge_nodes, NodeStatus};
use crate::snapshot::{with_property_maps, SnapshotError};

/// Told the published statuses after every publish that changed one; see
/// [`AppState::on_node_statuses_published`].
pub type NodeSaver = Arc<dyn Fn(&BTreeMap<IpAddr, NodeStatus>) + Send + Sync>;

/// The one [`NodeSaver`] of a state, if any.
#[derive(Default)]
pub(crate) struct SaverSlot(OnceLock<NodeSaver>);

impl fmt::Debug for SaverSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SaverSlot({})", self.0.get().is_some())
    }
}

impl AppState {
    /// Takes `statuses` (e.g. read back from a state directory) as the
    /// published ones, before anything is published: the first publish
    /// merges them, so no snapshot is ever served without them. `false`,
    /// and nothing done, once a snapshot exists or a change is pending
    /// (then they would overwrite newer changes; use `change_nodes`).
    pub fn restore_node_statuses(&self, statuses: BTreeMap<IpAddr, NodeStatus>) -> bool {
        let _turn = self.publish_turn();
        self.snapshot().is_none() && self.node_book().restore(statuses)
    }

    /// Registers the one saver of node statuses (later calls are ignored,
    /// `false`). It is called with every published set of statuses, on the
    /// publishing thread, in publish order, *before* the requests that
    /// changed them are answered: a client told "200" can count on the
    /// save having been attempted. It must report its own failures (the
    /// change stays published and answered: serving it matters more).
    pub fn on_node_statuses_published(
        &self,
        save: impl Fn(&BTreeMap<IpAddr, NodeStatus>) + Send + Sync + 'static,
    ) -> bool {
        self.inner.node_saver.0.set(Arc::new(save)).is_ok()
    }

    /// The status of every CDN node set so far (including changes still
    /// being published).
    pub fn node_statuses(&self) -> BTreeMap<IpAddr, NodeStatus> {
        self.node_book().nodes().clone()
    }

    /// Sets (`Some`) or clears (`None`) CDN node statuses and returns each
    /// address's previous status, once a snapshot with the changes is
    /// current (at once when they change nothing, or when nothing has been
    /// published yet: the first publish merges them). Changes from
    /// concurrent callers are published together, one snapshot at a time,
    /// on a blocking thread; the hooks hear [`AdminEvent::NodeChanged`] for
    /// every status that changed before the callers are answered. If the
    /// snapshot cannot be built the changes it carried are undone and the
    /// error returned.
    pub async fn change_nodes(
        &self,
        changes: NodeChanges,
    ) -> Result<Vec<Option<NodeStatus>>, NodeChangeError> {
        let (tx, rx) = oneshot::channel();
        let reply = Box::new(move |outcome| {
            // A caller that went away no longer listens; its change stands.
            let _ = tx.send(outcome);
        });
        let (previous, queued) = self.node_book().enqueue(changes, reply);
        match queued {
            Queued::Shown => return Ok(previous),
            Queued::Lead => {
                let state = self.clone();
                // Not awaited: the flight publishes other callers' changes
                // too, and must finish even if this caller goes away.
                drop(tokio::task::spawn_blocking(move || {
                    state.publish_node_changes(true);
                }));
            }
            Queued::Wait => {}
        }
        match rx.await {
            Ok(outcome) => outcome.map(|()| previous),
            Err(_) => Err(NodeChangeError::Abandoned),
        }
    }

    /// [`AppState::change_nodes`] for one node, for synchronous callers:
    /// publishes on the calling thread, and blocks while another publish
    /// runs. Returns the previous status.
    pub fn set_node_status(
        &self,
        address: IpAddr,
        status: Option<NodeStatus>,
    ) -> Result<Option<NodeStatus>, NodeChangeError> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let reply = Box::new(move |outcome| {
            let _ = tx.send(outcome);
        });
        let (previous, queued) = self.node_book().enqueue(vec![(address, status)], reply);
        let previous = previous.first().copied().flatten();
        if queued == Queued::Shown {
            return Ok(previous);
        }
        // Whatever is queued, this change included unless a running flight
        // took it already (then it answers).
        self.publish_node_changes(queued == Queued::Lead);
        match rx.recv() {
            Ok(outcome) => outcome.map(|()| previous),
            Err(_) => Err(NodeChangeError::Abandoned),
        }
    }

    /// Publishes queued node status changes, one batch per snapshot, until
    /// none is queued. `lead`: this is the flight `enqueue` asked for.
    fn publish_node_changes(&self, lead: bool) {
        let _abandon = AbandonOnPanic(self);
        loop {
            let (mut batch, outcome) = {
                let _turn = self.publish_turn();
                let Some(mut batch) = self.node_book().take_batch(lead) else {
                    break;
                };
                let outcome = self.publish_batch(&batch).map_err(NodeChangeError::from);
                self.node_book().finish(&mut batch, outcome.is_ok());
                // Saved within the turn, so saves happen in publish order.
                if outcome.is_ok() && !batch.changed.is_empty() {
                    if let Some(save) = self.inner.node_saver.0.get() {
                        let published = self.node_book().published().clone();
                        save(&published);
                    }
                }
                (batch, outcome)
            };
            // Hooks may publish themselves: called without the turn, and
            // before the answers (a caller's answer means they were told).
            if outcome.is_ok() {
                self.inner.metrics.count_node_changes(batch.changed.len());
                for &(address, status) in &batch.changed {
                    let event = AdminEvent::NodeChanged { address, status };
                    self.inner.hooks.emit(&event);
                }
            }
            batch.answer(&outcome);
        }
    }

    /// The current snapshot with the batch's statuses merged into the last
    /// published documents' property maps. Nothing to publish when the
    /// batch changes nothing, or before the first publish.
    fn publish_batch(&self, batch: &Batch) -> Result<(), SnapshotError> {
        if batch.changed.is_empty() {
            return Ok(());
        }
        let (Some(previous), Some(base)) = (self.snapshot(), batch.base.as_ref()) else {
            return Ok(());
        };
        let mut property_maps = Vec::clone(base);
        merge_nodes(
            &batch.target,
            previous.network_map_vtag(),
            &mut property_maps,
        );
        self.install(PublishCause::NodeStatus, |generation| {
            with_property_maps(&previous, property_maps, generation)
        })?;
        Ok(())
    }
}

/// Ends the flight if a publish panics, so that later changes start a new
/// one instead of waiting for it forever.
struct AbandonOnPanic<'a>(&'a AppState);

impl Drop for AbandonOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.node_book().abandon();
        }
    }
}
