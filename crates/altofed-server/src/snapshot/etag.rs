//! ETags of GET resources (RFC 9110 §8.8.3). A resource with a vtag is
//! tagged with it (RFC 7285 §10.3 makes the vtag name the content), but an
//! ETag must never name two bodies: when a document changes and its vtag
//! does not (a hand-edited file served by `altofed publish`), the ETag
//! becomes a hash of the body, and stays so while that document is served,
//! so that a client holding the old ETag gets the new body, not a 304.

use std::sync::Arc;

use bytes::Bytes;

use altofed_model::{content_tag, CostTableDoc, NetworkMapDoc, VersionTag};

use super::{Body, Rope, Snapshot};

/// The network map `net` and the cost maps `cost_maps` (of the documents
/// to publish) whose vtag is the one `previous` served them with but whose
/// document differs, by resource id.
pub fn changed_under_same_vtag(
    previous: &Snapshot,
    net: &Arc<NetworkMapDoc>,
    cost_maps: &[(String, CostTableDoc)],
) -> Vec<String> {
    let mut ids = Vec::new();
    // The same `Arc` (the engine's merge kept) is the same map, uncompared.
    let changed = !Arc::ptr_eq(&previous.network_map, net) && previous.network_map != *net;
    if previous.network_map.meta.vtag == net.meta.vtag && changed {
        ids.push(net.meta.vtag.resource_id.clone());
    }
    for (id, doc) in cost_maps {
        let old = previous.cost_maps.iter().find(|e| e.id == *id);
        let same_vtag =
            old.filter(|o| o.doc.meta.vtag.is_some() && o.doc.meta.vtag == doc.meta.vtag);
        if same_vtag.is_some_and(|o| *o.doc != *doc) {
            ids.push(id.clone());
        }
    }
    ids
}

/// The ETag of cost map `id` with `vtag` and identity body `body`: a
/// content tag if it is in `retagged` ([`changed_under_same_vtag`]); else
/// the previous snapshot's ETag if that served it with the same vtag (the
/// same document then, and perhaps a content tag already); else [`etag`].
/// Reads the body only for a content tag.
pub(super) fn cost_map_etag(
    previous: Option<&Snapshot>,
    retagged: &[String],
    id: &str,
    vtag: Option<&VersionTag>,
    body: &Body,
) -> String {
    if retagged.iter().any(|r| r == id) {
        return content_tag(&body.identity.to_bytes());
    }
    let kept = previous.and_then(|p| {
        let old = p.cost_maps.iter().find(|e| e.id == id)?;
        let same = vtag.is_some() && old.doc.meta.vtag.as_ref() == vtag;
        same.then(|| p.resources.get(id).map(|r| r.etag.clone()))?
    });
    kept.unwrap_or_else(|| etag_or(vtag, || body.identity.to_bytes()))
}

/// The vtag's tag where it can be an ETag, else a hash of the body.
pub(super) fn etag(vtag: Option<&VersionTag>, body: &Rope) -> String {
    etag_or(vtag, || body.to_bytes())
}

/// [`etag`] reading the body only when the vtag cannot be the ETag.
fn etag_or(vtag: Option<&VersionTag>, body: impl FnOnce() -> Bytes) -> String {
    match vtag {
        Some(v) if is_etag_safe(&v.tag) => v.tag.clone(),
        _ => content_tag(&body()),
    }
}

/// A vtag tag may hold `"` or `\` (RFC 7285 §10.3), which an ETag may not.
pub(super) fn is_etag_safe(tag: &str) -> bool {
    tag.bytes()
        .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
}
