//! `application/alto-updatestreamparams+json` (RFC 8895 §6.5, §7.3) and its
//! validation against the snapshot a stream is synchronized to.

use std::fmt;

use altofed_model::error::ErrorDoc;
use altofed_model::{media, validate_resource_id};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use super::patch::Updates;
use crate::snapshot::Snapshot;

/// The body of a stream request or of a stream control request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(remote = "Self")]
pub struct UpdateStreamParams {
    /// Substream id -> what it delivers, in request order.
    #[serde(default)]
    pub add: Option<AddMap>,
    /// Substream ids to stop (stream control only; ignored when opening a
    /// stream, RFC 8895 §6.5). Empty means all (RFC 8895 §7.3).
    #[serde(default)]
    pub remove: Option<Vec<String>>,
}

/// `AddUpdatesReq` (RFC 8895 §6.5).
#[derive(Debug, Clone, Deserialize)]
#[serde(remote = "Self")]
pub struct AddUpdatesReq {
    #[serde(rename = "resource-id")]
    pub resource_id: String,
    /// The client's current vtag of the resource.
    #[serde(default)]
    pub tag: Option<String>,
    /// `false`: full replacements only. Default `true`.
    #[serde(rename = "incremental-changes", default)]
    pub incremental_changes: Option<bool>,
    /// For POST-mode resources; every resource of this stream is GET-mode,
    /// so it is ignored.
    #[serde(default)]
    pub input: Option<Value>,
    /// altofed extension, not in RFC 8895: the patch media type the client
    /// prefers (`application/json-patch+json` or
    /// `application/merge-patch+json`). Other servers ignore it (RFC 7285
    /// §8.3.7).
    #[serde(rename = "patch-media-type", default)]
    pub patch_media_type: Option<String>,
}

altofed_model::object_only!(UpdateStreamParams);
altofed_model::object_only!(AddUpdatesReq);

/// The `add` object. Keeps the request order and rejects an id given
/// twice, which a map would silently merge (ids are unique, RFC 8895 §6.5).
#[derive(Debug, Clone, Default)]
pub struct AddMap(pub Vec<(String, AddUpdatesReq)>);

impl<'de> Deserialize<'de> for AddMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(AddVisitor)
    }
}

struct AddVisitor;

impl<'de> Visitor<'de> for AddVisitor {
    type Value = AddMap;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of substream ids")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AddMap, A::Error> {
        let mut entries: Vec<(String, AddUpdatesReq)> = Vec::new();
        // A set beside the list: a body may name tens of thousands of ids,
        // and comparing each with all before it was quadratic.
        let mut seen = std::collections::HashSet::new();
        while let Some(id) = map.next_key::<String>()? {
            if !seen.insert(id.clone()) {
                return Err(de::Error::invalid_value(
                    de::Unexpected::Str(&id),
                    &"a substream id given once",
                ));
            }
            let request = map.next_value()?;
            entries.push((id, request));
        }
        Ok(AddMap(entries))
    }
}

/// A validated substream to add.
#[derive(Debug, Clone)]
pub struct NewSubstream {
    pub id: String,
    pub resource_id: String,
    pub updates: Updates,
    /// Whether the client's tag is the current one (no full replacement).
    pub up_to_date: bool,
}

/// Validates the `add` entries against `snapshot`; `taken` tells whether a
/// substream id is in use or was used before in this stream. The result is
/// in dependency order: the network map before the resources that use it
/// (RFC 8895 §6.7.1), otherwise in request order.
pub fn validate_add(
    add: &AddMap,
    snapshot: &Snapshot,
    taken: impl Fn(&str) -> bool,
) -> Result<Vec<NewSubstream>, ErrorDoc> {
    let mut out = Vec::with_capacity(add.0.len());
    for (id, request) in &add.0 {
        if validate_resource_id(id).is_err() || taken(id) {
            return Err(ErrorDoc::invalid_field_value("add", id.clone()));
        }
        let Some(current) = current_tag(snapshot, &request.resource_id) else {
            return Err(ErrorDoc::invalid_field_value(
                format!("add/{id}/resource-id"),
                request.resource_id.clone(),
            ));
        };
        let updates = match (
            request.incremental_changes,
            request.patch_media_type.as_deref(),
        ) {
            (Some(false), _) => Updates::Full,
            (_, None) => Updates::MergePatch,
            (_, Some(t)) if t.eq_ignore_ascii_case(media::MERGE_PATCH) => Updates::MergePatch,
            (_, Some(t)) if t.eq_ignore_ascii_case(media::JSON_PATCH) => Updates::JsonPatch,
            (_, Some(t)) => {
                return Err(ErrorDoc::invalid_field_value(
                    format!("add/{id}/patch-media-type"),
                    t.to_owned(),
                ));
            }
        };
        out.push(NewSubstream {
            id: id.clone(),
            resource_id: request.resource_id.clone(),
            updates,
            up_to_date: request.tag.as_deref() == Some(current),
        });
    }
    out.sort_by_key(|s| rank(snapshot, &s.resource_id));
    Ok(out)
}

/// 0 for the network map, 1 for the resources that depend on it.
pub fn rank(snapshot: &Snapshot, resource_id: &str) -> u8 {
    u8::from(resource_id != snapshot.ids.network_map)
}

/// The tag a client holds when it is up to date: the resource's vtag where
/// it has one, else the ETag (a hash of the body). `None` if the snapshot
/// has no such GET resource (the stream's `uses`, RFC 8895 §6.4).
pub fn current_tag<'a>(snapshot: &'a Snapshot, resource_id: &str) -> Option<&'a str> {
    let resource = snapshot.resources.get(resource_id)?;
    let vtag = if resource_id == snapshot.ids.network_map {
        Some(&snapshot.network_map.meta.vtag)
    } else {
        snapshot
            .cost_maps
            .iter()
            .find(|c| c.id == resource_id)
            .and_then(|c| c.doc.meta.vtag.as_ref())
    };
    Some(vtag.map_or(resource.etag.as_str(), |v| v.tag.as_str()))
}
