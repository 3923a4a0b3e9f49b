//! CDN node statuses (set through the admin API) kept in the state
//! directory, so that a restarted aggregator publishes them from its first
//! snapshot on: a node drained before a restart stays drained after it.
//!
//! `<state-dir>/nodes.json` holds `{"nodes": {"<address>": <status>}}`,
//! written like `snapshot.json` ([`crate::persist`]): to a temporary file,
//! flushed, renamed, so a kill at any moment leaves the previous file or
//! the new one, never half of one; a leftover temporary file is removed at
//! start. The file is rewritten after every publish that changes a status,
//! before the admin request is answered.
//!
//! A file that cannot be read or parsed, or holds a bad status, is
//! reported (ERROR, naming the file) and ignored: the aggregator starts
//! without statuses rather than not at all. It is overwritten by the next
//! status change.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use altofed_server::ops::NodeStatus;
use altofed_server::AppState;
use prometheus_client::metrics::counter::Counter;
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub const NODES_FILE: &str = "nodes.json";
pub const NODES_TMP_FILE: &str = "nodes.json.tmp";

#[derive(Debug, Error)]
pub enum NodeStoreError {
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}: not a node status file altofed wrote: {error}", path.display())]
    Format {
        path: PathBuf,
        error: serde_json::Error,
    },
    #[error("{}: node {address}: load {load} is not in 0..=1", path.display())]
    Status {
        path: PathBuf,
        address: IpAddr,
        load: f64,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    nodes: BTreeMap<IpAddr, NodeStatus>,
}

/// [`Stored`] borrowed: saving copies nothing.
#[derive(Serialize)]
struct StoredRef<'a> {
    nodes: &'a BTreeMap<IpAddr, NodeStatus>,
}

/// Reads back the statuses saved in `dir` into `state` (which must not
/// have published yet), and saves every published change there from now
/// on. Problems are logged, never fatal; a failed save is also counted in
/// `save_failures` (`altofed_state_save_failures_total`).
pub fn attach(state: &AppState, dir: &Path, save_failures: Counter) {
    let tmp = dir.join(NODES_TMP_FILE);
    match std::fs::remove_file(&tmp) {
        Ok(()) => tracing::info!("removed {} left by an interrupted save", tmp.display()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::error!("cannot remove {}: {e}", tmp.display()),
    }
    match load(dir) {
        Ok(None) => {}
        Ok(Some(nodes)) => {
            let count = nodes.len();
            if state.restore_node_statuses(nodes) {
                tracing::info!(count, "node statuses restored from the state directory");
            } else {
                tracing::error!("node statuses not restored: something was published first");
            }
        }
        Err(e) => {
            tracing::error!("node statuses not restored, starting without them: {e}")
        }
    }
    let dir = dir.to_owned();
    state.on_node_statuses_published(move |nodes| {
        if let Err(e) = save(&dir, nodes) {
            save_failures.inc();
            tracing::error!(
                "node statuses not saved to the state directory (they are published; \
                 a restart would lose the change): {e}"
            );
        }
    });
}

/// Writes `nodes` to `<dir>/nodes.json` atomically; on failure the
/// temporary file is gone and the previous file untouched.
pub fn save(dir: &Path, nodes: &BTreeMap<IpAddr, NodeStatus>) -> Result<(), NodeStoreError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let tmp = dir.join(NODES_TMP_FILE);
    let written = write_tmp(&tmp, nodes).and_then(|()| {
        let path = dir.join(NODES_FILE);
        std::fs::rename(&tmp, &path).map_err(io(&path))
    });
    if written.is_err() {
        // Best effort; a leftover is removed at the next start.
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

fn write_tmp(tmp: &Path, nodes: &BTreeMap<IpAddr, NodeStatus>) -> Result<(), NodeStoreError> {
    let stored = StoredRef { nodes };
    // Small (a few hundred bytes per node): written in one go.
    let text = serde_json::to_vec_pretty(&stored).map_err(|error| NodeStoreError::Format {
        path: tmp.to_owned(),
        error,
    })?;
    let file = std::fs::File::create(tmp).map_err(io(tmp))?;
    std::io::Write::write_all(&mut &file, &text).map_err(io(tmp))?;
    file.sync_all().map_err(io(tmp))
}

/// Reads `<dir>/nodes.json`; `Ok(None)` when there is none.
pub fn load(dir: &Path) -> Result<Option<BTreeMap<IpAddr, NodeStatus>>, NodeStoreError> {
    let path = dir.join(NODES_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(NodeStoreError::Io { path, error }),
    };
    let stored: Stored =
        serde_json::from_slice(&bytes).map_err(|error| NodeStoreError::Format {
            path: path.clone(),
            error,
        })?;
    // The same rule as the admin API: a hand-edited file cannot publish
    // what a request could not.
    if let Some((&address, status)) = stored.nodes.iter().find(|(_, s)| s.validate().is_err()) {
        let load = status.load;
        return Err(NodeStoreError::Status {
            path,
            address,
            load,
        });
    }
    Ok(Some(stored.nodes))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> NodeStoreError {
    let path = path.to_owned();
    move |error| NodeStoreError::Io { path, error }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use altofed_server::ops::Health;

    use super::*;

    fn status(load: f64, drained: bool) -> NodeStatus {
        NodeStatus {
            health: Health::Up,
            load,
            drained,
        }
    }

    #[test]
    fn statuses_round_trip_and_leave_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(dir.path()).unwrap().is_none());
        let nodes = BTreeMap::from([
            ("203.0.113.1".parse().unwrap(), status(0.5, true)),
            ("2001:db8:8::1".parse().unwrap(), status(0.0, false)),
        ]);
        save(dir.path(), &nodes).unwrap();
        assert_eq!(load(dir.path()).unwrap(), Some(nodes));
        assert!(!dir.path().join(NODES_TMP_FILE).exists());
    }

    #[test]
    fn bad_files_are_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(NODES_FILE);
        let cases = [
            ("{\"nodes\": {\"203.0.113.1\": ", "not a node status file altofed wrote"),
            (
                "{\"nodes\": {\"203.0.113.1\": {\"health\": \"up\", \"load\": 7, \"drained\": false}}}",
                "node 203.0.113.1: load 7 is not in 0..=1",
            ),
        ];
        for (text, expected) in cases {
            std::fs::write(&path, text).unwrap();
            let error = load(dir.path()).err().unwrap().to_string();
            let expected = format!("{}: {expected}", path.display());
            assert!(error.starts_with(&expected), "{error}");
        }
        // Unreadable: a directory where the file should be.
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(&path).unwrap();
        let error = load(dir.path()).err().unwrap();
        assert!(
            matches!(&error, NodeStoreError::Io { path: p, .. } if *p == path),
            "{error}"
        );
    }
}
