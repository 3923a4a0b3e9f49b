//! The last published documents on disk, so that a restarted aggregator
//! serves them at once, even with every peer down. Written to a temporary
//! file, flushed to disk and renamed, so a crash never leaves half a
//! file; the temporary file is removed when a write fails, and a leftover
//! one (a kill -9 mid-write) when the engine starts.

use std::path::{Path, PathBuf};

use altofed_model::{CostTableDoc, NetworkMapDoc, PropertyMapDoc};
use altofed_server::snapshot::SharedDocuments;
use altofed_server::Documents;
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub const SNAPSHOT_FILE: &str = "snapshot.json";
pub const TMP_FILE: &str = "snapshot.json.tmp";

#[derive(Debug, Error)]
pub enum PersistError {
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}: cannot write: {error}", path.display())]
    Write {
        path: PathBuf,
        error: serde_json::Error,
    },
    #[error("{}: not a snapshot altofed wrote: {error}", path.display())]
    Format {
        path: PathBuf,
        error: serde_json::Error,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Stored {
    network_map: NetworkMapDoc,
    cost_maps: Vec<(String, CostTableDoc)>,
    property_maps: Vec<(String, PropertyMapDoc)>,
}

/// [`Stored`] borrowed from the documents: saving copies nothing.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct StoredRef<'a> {
    network_map: &'a NetworkMapDoc,
    cost_maps: &'a [(String, CostTableDoc)],
    property_maps: Vec<(&'a str, &'a PropertyMapDoc)>,
}

/// Writes `docs` to `<dir>/snapshot.json` atomically; on failure the
/// temporary file is gone and the previous snapshot is untouched. What
/// [`load`] reads back is the same documents, property maps unshared.
pub fn save(dir: &Path, docs: &SharedDocuments) -> Result<(), PersistError> {
    let property_maps = docs.property_maps.iter();
    let stored = StoredRef {
        network_map: &docs.network_map,
        cost_maps: &docs.cost_maps,
        property_maps: property_maps.map(|(id, m)| (id.as_str(), &**m)).collect(),
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let tmp = dir.join(TMP_FILE);
    let written = write_tmp(&tmp, &stored).and_then(|()| {
        let path = dir.join(SNAPSHOT_FILE);
        std::fs::rename(&tmp, &path).map_err(io(&path))
    });
    if written.is_err() {
        // Best effort: a tmp file that cannot be removed either is
        // removed at the next start.
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Streams the documents into `tmp` (no copy of the whole text in memory)
/// and flushes them to disk.
fn write_tmp(tmp: &Path, stored: &StoredRef<'_>) -> Result<(), PersistError> {
    let file = std::fs::File::create(tmp).map_err(io(tmp))?;
    let mut out = std::io::BufWriter::new(file);
    serde_json::to_writer(&mut out, stored).map_err(|error| PersistError::Write {
        path: tmp.to_owned(),
        error,
    })?;
    let file = out.into_inner().map_err(|e| PersistError::Io {
        path: tmp.to_owned(),
        error: e.into_error(),
    })?;
    file.sync_all().map_err(io(tmp))
}

/// Removes a temporary file a killed process left in `dir`; `true` when
/// there was one.
pub fn remove_leftovers(dir: &Path) -> Result<bool, PersistError> {
    let tmp = dir.join(TMP_FILE);
    match std::fs::remove_file(&tmp) {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(PersistError::Io { path: tmp, error }),
    }
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
        network_map: stored.network_map.into(),
        cost_maps: stored.cost_maps,
        property_maps: stored.property_maps,
    }))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PersistError {
    let path = path.to_owned();
    move |error| PersistError::Io { path, error }
}
