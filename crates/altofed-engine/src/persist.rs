//! The last published documents on disk, so that a restarted aggregator
//! serves them at once, even with every peer down. Written to a temporary
//! file and renamed, so a crash never leaves half a file.

use std::path::{Path, PathBuf};

use altofed_model::{CostTableDoc, NetworkMapDoc, PropertyMapDoc};
use altofed_server::Documents;
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub const SNAPSHOT_FILE: &str = "snapshot.json";

#[derive(Debug, Error)]
pub enum PersistError {
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}: not a snapshot altofed wrote: {error}", path.display())]
    Format {
        path: PathBuf,
        error: serde_json::Error,
    },
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Stored {
    network_map: NetworkMapDoc,
    cost_maps: Vec<(String, CostTableDoc)>,
    property_maps: Vec<(String, PropertyMapDoc)>,
}

/// Writes `docs` to `<dir>/snapshot.json` atomically.
pub fn save(dir: &Path, docs: &Documents) -> Result<(), PersistError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |error| PersistError::Io { path, error }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let stored = Stored {
        network_map: docs.network_map.clone(),
        cost_maps: docs.cost_maps.clone(),
        property_maps: docs.property_maps.clone(),
    };
    let path = dir.join(SNAPSHOT_FILE);
    let tmp = dir.join(format!("{SNAPSHOT_FILE}.tmp"));
    let bytes = serde_json::to_vec(&stored).map_err(|error| PersistError::Format {
        path: path.clone(),
        error,
    })?;
    std::fs::write(&tmp, bytes).map_err(io(&tmp))?;
    std::fs::rename(&tmp, &path).map_err(io(&path))
}

/// Reads `<dir>/snapshot.json`; `Ok(None)` when there is none yet.
pub fn load(dir: &Path) -> Result<Option<Documents>, PersistError> {
    let path = dir.join(SNAPSHOT_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(PersistError::Io { path, error }),
    };
    let stored: Stored =
        serde_json::from_slice(&bytes).map_err(|error| PersistError::Format { path, error })?;
    Ok(Some(Documents {
        network_map: stored.network_map,
        cost_maps: stored.cost_maps,
        property_maps: stored.property_maps,
    }))
}
