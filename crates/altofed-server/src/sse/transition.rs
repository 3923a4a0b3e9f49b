//! What changed between two snapshots, encoded once for all streams: per
//! changed resource the merge patch and/or JSON patch that subscribers
//! need, and the full replacements of the new snapshot. Streams with the
//! same subscription thus get the same updates (RFC 8895 §6.7.2).

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use serde_json::Value;

use super::frame::{data_for, data_lines};
use super::patch::{merge_diff, Updates};
use crate::snapshot::Snapshot;

/// A snapshot with the `data:` lines of its resources, encoded on first use
/// and shared by all streams.
#[derive(Debug)]
pub struct Synced {
    pub snapshot: Arc<Snapshot>,
    full: BTreeMap<String, OnceLock<Bytes>>,
    max_line: Option<usize>,
}

impl Synced {
    pub fn new(snapshot: Arc<Snapshot>, max_line: Option<usize>) -> Self {
        let full = snapshot
            .resources
            .keys()
            .map(|id| (id.clone(), OnceLock::new()))
            .collect();
        Self {
            snapshot,
            full,
            max_line,
        }
    }

    /// The `data:` lines of resource `id` (a full replacement).
    pub fn full(&self, id: &str) -> Option<Bytes> {
        let resource = self.snapshot.resources.get(id)?;
        let cell = self.full.get(id)?;
        Some(
            cell.get_or_init(|| data_lines(&resource.body.identity.to_bytes(), self.max_line))
                .clone(),
        )
    }
}

/// Which encodings the subscribers of a resource want.
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    pub merge: bool,
    pub json: bool,
    pub full: bool,
}

impl Needs {
    pub fn add(&mut self, updates: Updates) {
        match updates {
            Updates::MergePatch => self.merge = true,
            Updates::JsonPatch => self.json = true,
            Updates::Full => self.full = true,
        }
    }
}

/// The patches of one changed resource (`data:` lines), each present only
/// when wanted, expressible, and smaller than the full replacement.
#[derive(Debug, Default)]
pub struct Change {
    pub merge: Option<Bytes>,
    pub json: Option<Bytes>,
}

/// From the snapshot streams are synchronized to, to the next one.
#[derive(Debug)]
pub struct Transition {
    pub to: Arc<Synced>,
    /// Resources whose body differs (or that are new), with their patches.
    pub changed: BTreeMap<String, Change>,
}

impl Transition {
    /// Compares every resource and computes the patches in `needs`.
    /// CPU work: run it on a blocking thread.
    pub fn prepare(
        from: &Synced,
        to: Arc<Snapshot>,
        needs: &BTreeMap<String, Needs>,
        max_line: Option<usize>,
    ) -> Self {
        let synced = Synced::new(to, max_line);
        let mut changed = BTreeMap::new();
        for (id, resource) in &synced.snapshot.resources {
            let Some(old) = from.snapshot.resources.get(id) else {
                changed.insert(id.clone(), Change::default());
                continue;
            };
            if old.body.identity == resource.body.identity {
                // Unchanged: share the already encoded full replacement.
                if let (Some(Some(bytes)), Some(cell)) =
                    (from.full.get(id).map(OnceLock::get), synced.full.get(id))
                {
                    let _ = cell.set(bytes.clone());
                }
                continue;
            }
            let change = match needs.get(id) {
                Some(need) => {
                    let change = patches(
                        &old.body.identity.to_bytes(),
                        &resource.body.identity.to_bytes(),
                        *need,
                        max_line,
                    );
                    if need.full || (change.merge.is_none() && change.json.is_none()) {
                        // Encode it here rather than under the registry lock.
                        let _ = synced.full(id);
                    }
                    change
                }
                None => Change::default(),
            };
            changed.insert(id.clone(), change);
        }
        Self {
            to: Arc::new(synced),
            changed,
        }
    }

    /// No patches at all: changed resources go out as full replacements.
    pub fn full_only(from: &Synced, to: Arc<Snapshot>, max_line: Option<usize>) -> Self {
        Self::prepare(from, to, &BTreeMap::new(), max_line)
    }

    /// The update of resource `id` for a substream, as (media type, data),
    /// or `None` when the resource did not change.
    pub fn update_for(&self, id: &str, updates: Updates) -> Option<(&'static str, Bytes)> {
        use altofed_model::media;
        let change = self.changed.get(id)?;
        let patch = match updates {
            Updates::MergePatch => change
                .merge
                .clone()
                .map(|p| (media::MERGE_PATCH, p))
                .or_else(|| change.json.clone().map(|p| (media::JSON_PATCH, p))),
            Updates::JsonPatch => change.json.clone().map(|p| (media::JSON_PATCH, p)),
            Updates::Full => None,
        };
        patch.or_else(|| {
            let media_type = self.to.snapshot.resources.get(id)?.media_type;
            Some((media_type, self.to.full(id)?))
        })
    }
}

/// The wanted patches from `old` to `new`. A merge patch that cannot
/// express the change falls back to a JSON patch; a patch no smaller than
/// the new body is dropped in favour of a full replacement.
fn patches(old: &[u8], new: &[u8], need: Needs, max_line: Option<usize>) -> Change {
    let (Ok(old_value), Ok(new_value)) = (
        serde_json::from_slice::<Value>(old),
        serde_json::from_slice::<Value>(new),
    ) else {
        return Change::default();
    };
    let small = |data: Bytes| (data.len() < new.len() + 8).then_some(data);
    let merge = if need.merge {
        merge_diff(&old_value, &new_value)
    } else {
        None
    };
    let json_wanted = need.json || (need.merge && merge.is_none());
    let json = json_wanted.then(|| json_patch::diff(&old_value, &new_value));
    Change {
        merge: merge.map(|p| data_for(&p, max_line)).and_then(small),
        json: json.map(|p| data_for(&p, max_line)).and_then(small),
    }
}
