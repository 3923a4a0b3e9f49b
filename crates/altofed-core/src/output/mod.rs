//! The documents altofed publishes: one network map (CDN PIDs, every peer's
//! subscriber PIDs as `<peer>:<pid>`, one catch-all PID), the routingcost
//! cost map in numerical and ordinal mode, and a property map saying what
//! each PID is. Every document passes the model's validators before it
//! leaves this module.

mod costmap;
mod merge;
mod propmap;

pub use costmap::build_cost_maps;
pub use merge::{merge_network_map, MergedMap, PeerPids, PidOrigin, PublishedPid};
pub use propmap::{build_property_map, mark_never_fetched};

use altofed_model::NameError;
use thiserror::Error;

/// Published names of subscriber PIDs: `<peer>:<pid>`.
pub fn published_name(peer: &str, pid: &str) -> String {
    format!("{peer}:{pid}")
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OutputError {
    #[error("peer `{peer}`: PID `{pid}` cannot be published as `{published}`: {error}")]
    PidName {
        peer: String,
        pid: String,
        published: String,
        error: NameError,
    },
    #[error("PID `{name}` would be published twice (by {first} and by {second})")]
    DuplicatePid {
        name: String,
        first: String,
        second: String,
    },
    #[error("produced an invalid {document}: {reason} (this is a bug in altofed)")]
    Invalid {
        document: &'static str,
        reason: String,
    },
}
