//! Admin events and the hooks that receive them: how the engine (which
//! recomputes) learns of node status changes and recompute requests.

use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, PoisonError, RwLock};

use super::nodes::NodeStatus;

/// Something an operator asked for through the admin API (or code through
/// [`crate::AppState::change_nodes`] / [`crate::AppState::set_node_status`] /
/// [`crate::AppState::request_recompute`]).
#[derive(Debug, Clone, PartialEq)]
pub enum AdminEvent {
    /// A node's status changed (`None`: cleared). The property map has
    /// already been republished with it when this is sent. Changes published
    /// together give one event per node whose published status changed.
    NodeChanged {
        address: IpAddr,
        status: Option<NodeStatus>,
    },
    /// `POST /admin/recompute`.
    RecomputeRequested,
}

/// Called synchronously for every event. Hooks must be quick and must not
/// panic: send on a channel and return. A hook may call
/// [`crate::AppState::publish`]; no lock is held while hooks run.
pub type EventHook = Arc<dyn Fn(&AdminEvent) + Send + Sync>;

/// The registered hooks, called in registration order.
#[derive(Default)]
pub(crate) struct Hooks(RwLock<Vec<EventHook>>);

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hooks({})", self.len())
    }
}

impl Hooks {
    pub fn add(&self, hook: EventHook) {
        self.0
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .push(hook);
    }

    pub fn len(&self) -> usize {
        self.0.read().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Calls every hook; returns how many there were.
    pub fn emit(&self, event: &AdminEvent) -> usize {
        // Clone the list so that a hook may register another one.
        let hooks: Vec<EventHook> = self
            .0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        tracing::info!(?event, hooks = hooks.len(), "admin event");
        for hook in &hooks {
            hook(event);
        }
        hooks.len()
    }
}
