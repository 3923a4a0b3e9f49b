//! A peer held as a local directory of ALTO documents: `networkmap.json`,
//! `costmap.json` and optionally `propmap.json` (offline use, tests, and an
//! ISP that hands over files instead of running a server).

use std::path::{Path, PathBuf};

use altofed_core::peer::PeerMaps;

use crate::read::{read_document, MAX_DOCUMENT_BYTES};
use crate::{PeerSource, SourceError};

pub const NETWORK_MAP_FILE: &str = "networkmap.json";
pub const COST_MAP_FILE: &str = "costmap.json";
pub const PROPERTY_MAP_FILE: &str = "propmap.json";

/// Reads a peer's maps from a directory.
#[derive(Debug, Clone)]
pub struct DirectorySource {
    dir: PathBuf,
    limit: u64,
}

impl DirectorySource {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            limit: MAX_DOCUMENT_BYTES,
        }
    }

    /// Sets the largest file accepted, in bytes.
    #[must_use]
    pub fn with_limit(mut self, limit: u64) -> Self {
        self.limit = limit;
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl PeerSource for DirectorySource {
    fn describe(&self) -> String {
        format!("directory {}", self.dir.display())
    }

    fn fetch(&self) -> Result<PeerMaps, SourceError> {
        let network_map =
            read_document(&self.dir.join(NETWORK_MAP_FILE), "network map", self.limit)?;
        let cost_map = read_document(&self.dir.join(COST_MAP_FILE), "cost map", self.limit)?;
        let propmap_path = self.dir.join(PROPERTY_MAP_FILE);
        let property_map = if propmap_path.exists() {
            Some(read_document(&propmap_path, "property map", self.limit)?)
        } else {
            None
        };
        Ok(PeerMaps {
            network_map,
            cost_map,
            property_map,
        })
    }
}
