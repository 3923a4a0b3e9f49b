//! A directory of ALTO map files as [`Documents`] — what `altofed publish`
//! serves (an ISP without an ALTO server, the demo, tests). The layout is a
//! peer directory's: `networkmap.json`, then any `costmap*.json` and
//! `propmap*.json`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use altofed_model::{validate_resource_id, CostTableDoc, NetworkMapDoc, PropertyMapDoc};
use altofed_peers::{read_document, SourceError, MAX_DOCUMENT_BYTES};
use thiserror::Error;

use crate::snapshot::Documents;

pub const NETWORK_MAP_FILE: &str = "networkmap.json";

#[derive(Debug, Error)]
pub enum StaticDirError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("{}: cannot list: {error}", dir.display())]
    List { dir: PathBuf, error: std::io::Error },
    #[error("{}: cost map has no vtag and its file name `{stem}` is not a valid resource id: {reason}", path.display())]
    BadId {
        path: PathBuf,
        stem: String,
        reason: String,
    },
}

/// The documents of a directory and the file each comes from.
#[derive(Debug)]
pub struct DirMaps {
    pub docs: Documents,
    /// Resource id -> file.
    pub files: BTreeMap<String, PathBuf>,
}

/// Reads the directory (see [`load_dir`]).
pub fn load_documents(dir: &Path) -> Result<Documents, StaticDirError> {
    load_dir(dir).map(|maps| maps.docs)
}

/// Reads the directory. Cost maps take their id from `meta.vtag` where they
/// have one, else from the file name; property maps from the file name.
pub fn load_dir(dir: &Path) -> Result<DirMaps, StaticDirError> {
    let net_path = dir.join(NETWORK_MAP_FILE);
    let network_map: NetworkMapDoc = read_document(&net_path, "network map", MAX_DOCUMENT_BYTES)?;
    let mut files = BTreeMap::from([(network_map.meta.vtag.resource_id.clone(), net_path)]);
    let mut cost_maps = Vec::new();
    let mut property_maps = Vec::new();
    for path in json_files(dir)? {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        if stem.starts_with("costmap") {
            let doc: CostTableDoc = read_document(&path, "cost map", MAX_DOCUMENT_BYTES)?;
            let id = match &doc.meta.vtag {
                Some(vtag) => vtag.resource_id.clone(),
                None => checked_id(&path, stem)?,
            };
            files.insert(id.clone(), path);
            cost_maps.push((id, doc));
        } else if stem.starts_with("propmap") {
            let doc: PropertyMapDoc = read_document(&path, "property map", MAX_DOCUMENT_BYTES)?;
            let id = checked_id(&path, stem)?;
            files.insert(id.clone(), path);
            property_maps.push((id, doc));
        }
    }
    let docs = Documents {
        network_map: network_map.into(),
        cost_maps,
        property_maps,
    };
    Ok(DirMaps { docs, files })
}

/// The newest modification time of the files `load_documents` reads, so a
/// caller can reload when one changes.
pub fn newest_change(dir: &Path) -> Result<Option<SystemTime>, StaticDirError> {
    Ok(json_files(dir)?
        .iter()
        .filter_map(|p| p.metadata().and_then(|m| m.modified()).ok())
        .max())
}

fn json_files(dir: &Path) -> Result<Vec<PathBuf>, StaticDirError> {
    let list = |error| StaticDirError::List {
        dir: dir.to_owned(),
        error,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(list)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    Ok(files)
}

fn checked_id(path: &Path, stem: String) -> Result<String, StaticDirError> {
    validate_resource_id(&stem).map_err(|e| StaticDirError::BadId {
        path: path.to_owned(),
        stem: stem.clone(),
        reason: e.to_string(),
    })?;
    Ok(stem)
}
