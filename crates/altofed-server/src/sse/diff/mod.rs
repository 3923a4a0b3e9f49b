//! What changed in one resource between two snapshots, and its patches,
//! computed from the snapshots' own structures, never by parsing bodies:
//!
//! - cost maps from their tables and the pieces of their bodies ([`cost`]):
//!   rows whose segments are the old ones (shared `Arc`s) are skipped
//!   without reading them, so the work follows what changed;
//! - network and property maps from the typed documents, row by row
//!   ([`maps`]);
//! - the meta of each as a small JSON value.
//!
//! Values are written by the code that writes the GET body (the same
//! number form for costs, serde_json for the rest), so applying a patch to
//! the old body gives the new body value for value, bit for bit.

mod cost;
mod doc;
mod maps;
mod text;

use self::cost::{cost_map_patch, Version};
use self::doc::DocPatch;
use self::maps::{network_map_patch, property_map_patch};
use self::text::{Budget, Want};
use super::transition::{Change, Needs};
use crate::snapshot::{Rope, Snapshot};

/// Resource `id`'s change from `old` to `new` with the patches `need`
/// asks for, or `None` if it did not change. A patch that is not smaller
/// than the new body (as `data:` lines) is left out: the full replacement
/// goes instead. The resource must be in both snapshots.
pub(super) fn resource_change(
    old: &Snapshot,
    new: &Snapshot,
    id: &str,
    need: Needs,
    max_line: Option<usize>,
) -> Option<Change> {
    let (old_res, new_res) = (old.resources.get(id)?, new.resources.get(id)?);
    if old_res.body.identity.shares_parts(&new_res.body.identity) {
        return None;
    }
    let limit = new_res.body.identity.len();
    let first = Want {
        merge: need.merge,
        json: need.json,
    };
    let Some(patch) = document_patch(old, new, id, first, limit) else {
        // Not the same kind of resource as before: send it whole.
        return Some(Change::default());
    };
    if !patch.changed() {
        return None;
    }
    let small = |data: Rope| (data.len() < limit + 8).then_some(data);
    let over = |used: usize| used >= limit;
    let mut change = Change::default();
    if first.merge && !patch.merge_failed() && !over(patch.rows.iter().map(|r| r.merge.len()).sum())
    {
        change.merge = small(patch.merge_lines(max_line));
    }
    if first.json && !over(patch.rows.iter().map(|r| r.json.len()).sum()) {
        change.json = small(patch.json_lines(max_line));
    }
    if first.merge && !first.json && patch.merge_failed() {
        // A merge patch cannot say it: a JSON patch can.
        let json_only = Want {
            merge: false,
            json: true,
        };
        change.json = document_patch(old, new, id, json_only, limit)
            .filter(|p| !over(p.rows.iter().map(|r| r.json.len()).sum()))
            .and_then(|p| small(p.json_lines(max_line)));
    }
    Some(change)
}

/// The patch of resource `id` with the rows `want` asks for written (none:
/// only whether it changed), or `None` if `id` is not the same kind of
/// resource in both snapshots.
fn document_patch(
    old: &Snapshot,
    new: &Snapshot,
    id: &str,
    want: Want,
    limit: usize,
) -> Option<DocPatch> {
    let budget = Budget::new(want, limit);
    let net_id = |s: &Snapshot| s.network_map.meta.vtag.resource_id == id;
    if net_id(old) && net_id(new) {
        return Some(network_map_patch(
            &old.network_map,
            &new.network_map,
            &budget,
        ));
    }
    if let (Some(o), Some(n)) = (cost_version(old, id), cost_version(new, id)) {
        return Some(cost_map_patch(o, n, &budget));
    }
    if let (Some(o), Some(n)) = (old.property_maps.get(id), new.property_maps.get(id)) {
        return Some(property_map_patch(o, n, &budget));
    }
    None
}

fn cost_version<'a>(snapshot: &'a Snapshot, id: &str) -> Option<Version<'a>> {
    Some(Version {
        doc: &snapshot.cost_maps.iter().find(|e| e.id == id)?.doc,
        body: snapshot.cost_body(id)?,
    })
}
