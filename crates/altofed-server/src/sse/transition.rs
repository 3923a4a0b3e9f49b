//! What changed between two snapshots, encoded once for all streams: per
//! changed resource the merge patch and/or JSON patch that subscribers
//! need, and the full replacements of the new snapshot. Streams with the
//! same subscription thus get the same updates (RFC 8895 §6.7.2).

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use super::diff::resource_change;
use super::frame::DataLines;
use super::patch::Updates;
use crate::snapshot::{Rope, Snapshot};

/// A snapshot with the `data:` lines of its resources, encoded on first use
/// and shared by all streams.
#[derive(Debug)]
pub struct Synced {
    pub snapshot: Arc<Snapshot>,
    full: BTreeMap<String, OnceLock<Rope>>,
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

    /// The `data:` lines of resource `id` (a full replacement), sharing
    /// the body's parts.
    pub fn full(&self, id: &str) -> Option<Rope> {
        let resource = self.snapshot.resources.get(id)?;
        let cell = self.full.get(id)?;
        Some(
            cell.get_or_init(|| {
                // Part by part: a cost map body is never joined into one
                // buffer, nor copied into its lines.
                let body = &resource.body.identity;
                let mut lines = DataLines::new(body.len(), self.max_line);
                body.parts().iter().for_each(|part| lines.push_shared(part));
                lines.finish()
            })
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
    pub merge: Option<Rope>,
    pub json: Option<Rope>,
}

/// From the snapshot streams are synchronized to, to the next one.
#[derive(Debug)]
pub struct Transition {
    pub to: Arc<Synced>,
    /// Resources whose body differs (or that are new), with their patches.
    pub changed: BTreeMap<String, Change>,
}

impl Transition {
    /// Compares every resource and computes the patches in `needs`, from
    /// the snapshots' structures (`diff`): the work follows what changed.
    /// CPU work: run it on a blocking thread.
    pub fn prepare(
        from: &Synced,
        to: Arc<Snapshot>,
        needs: &BTreeMap<String, Needs>,
        max_line: Option<usize>,
    ) -> Self {
        let synced = Synced::new(to, max_line);
        let mut changed = BTreeMap::new();
        for id in synced.snapshot.resources.keys() {
            if !from.snapshot.resources.contains_key(id) {
                changed.insert(id.clone(), Change::default());
                continue;
            }
            let need = needs.get(id).copied().unwrap_or_default();
            let Some(change) =
                resource_change(&from.snapshot, &synced.snapshot, id, need, max_line)
            else {
                // Unchanged: share the already encoded full replacement.
                if let (Some(Some(bytes)), Some(cell)) =
                    (from.full.get(id).map(OnceLock::get), synced.full.get(id))
                {
                    let _ = cell.set(bytes.clone());
                }
                continue;
            };
            let wanted = need.merge || need.json || need.full;
            if need.full || (wanted && change.merge.is_none() && change.json.is_none()) {
                // Encode it here rather than under the registry lock.
                let _ = synced.full(id);
            }
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
    pub fn update_for(&self, id: &str, updates: Updates) -> Option<(&'static str, Rope)> {
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

/// What a substream of resource `id` that receives `updates` is sent when
/// streams move from snapshot `from` to `to`: (media type, `data:` lines),
/// or `None` if the resource did not change. The hub's own path
/// ([`Transition::prepare`], then [`Transition::update_for`]), for tests
/// and benches that check patches against the served bodies.
pub fn update_between(
    from: Arc<Snapshot>,
    to: Arc<Snapshot>,
    id: &str,
    updates: Updates,
    max_line: Option<usize>,
) -> Option<(&'static str, Rope)> {
    let from = Synced::new(from, max_line);
    let mut need = Needs::default();
    need.add(updates);
    let needs = BTreeMap::from([(id.to_owned(), need)]);
    Transition::prepare(&from, to, &needs, max_line).update_for(id, updates)
}
