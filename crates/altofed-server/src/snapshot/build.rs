//! Building a [`Snapshot`] from [`Documents`]: validate, index, serialize
//! and compress. This is CPU work; async callers run it on a blocking
//! thread.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use altofed_model::endpoint::EndpointCostMeta;
use altofed_model::lookup::PidLookup;
use altofed_model::validate::{
    validate_cost_table, validate_cost_table_costs, validate_ird, validate_network_map,
    validate_property_map,
};
use altofed_model::{media, validate_resource_id, CostMode, PropertyMapDoc, VersionTag};
use serde::Serialize;
use thiserror::Error;

use super::costbody::encode_cost_map;
use super::encode::MIN_COMPRESS;
use super::etag::{changed_under_same_vtag, cost_map_etag, etag, is_etag_safe};
use super::ird::{all_mappings, cost_type_name, directory, IrdInput, ServiceIds};
use super::{
    Body, Built, CostBody, CostDoc, CostMapEntry, Documents, Encoded, OrdinalOf, PidIndex,
    Resource, SharedDocuments, Snapshot,
};

/// Documents that cannot be served. Nothing is published when this occurs.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SnapshotError {
    #[error("resource `{id}`: {reason}")]
    Invalid { id: String, reason: String },
    #[error("cost maps `{first}` and `{second}` both have cost type `{cost_type}`; only one cost map per cost type and network map is allowed (RFC 7285 §6.1)")]
    DuplicateCostType {
        first: String,
        second: String,
        cost_type: String,
    },
    #[error("resource id `{0}` is used twice")]
    DuplicateId(String),
}

/// Validates and indexes the documents and pre-encodes every GET body,
/// taking over from `previous` what did not change: an equal network map
/// (its `Arc`, lookup and body), equal property maps' bodies and the
/// compressed parts of cost map bodies.
pub fn build_snapshot(
    docs: Documents,
    generation: u64,
    previous: Option<&Snapshot>,
) -> Result<Snapshot, SnapshotError> {
    build_shared(docs.into(), generation, previous)
}

/// [`build_snapshot`] of documents whose property maps are shared: the
/// snapshot holds the same `Arc`s.
pub fn build_shared(
    docs: SharedDocuments,
    generation: u64,
    previous: Option<&Snapshot>,
) -> Result<Snapshot, SnapshotError> {
    let snapshot = build_identity_first(docs, generation, previous)?;
    snapshot.compress_pending();
    Ok(snapshot)
}

/// [`build_shared`] without compressing the cost map bodies' new pieces:
/// their gzip and zstd codings are added by [`Snapshot::compress_pending`],
/// which a publisher calls once the snapshot is served
/// (`AppState::publish`), so that a change is served as soon as its
/// identity body is written (until then a client that asks for gzip or
/// zstd gets identity).
pub fn build_identity_first(
    docs: SharedDocuments,
    generation: u64,
    previous: Option<&Snapshot>,
) -> Result<Snapshot, SnapshotError> {
    let net_id = docs.network_map.meta.vtag.resource_id.clone();
    let invalid = |id: &str, reason: String| SnapshotError::Invalid {
        id: id.to_owned(),
        reason,
    };
    // A network map equal to the last one (the usual case: a peer's costs
    // changed) was validated, indexed and encoded then; comparing is cheap.
    let same_net = previous.filter(|p| {
        Arc::ptr_eq(&p.network_map, &docs.network_map) || p.network_map == docs.network_map
    });
    let lookup = match same_net {
        Some(p) => p.lookup.clone(),
        None => {
            validate_network_map(&docs.network_map).map_err(|e| invalid(&net_id, e.to_string()))?;
            let lookup = PidLookup::build(&docs.network_map.network_map)
                .map_err(|e| invalid(&net_id, e.to_string()))?;
            Arc::new(lookup)
        }
    };
    let ids = ServiceIds::for_network_map(&net_id);
    let resource_ids = (docs.cost_maps.iter().map(|(id, _)| id))
        .chain(docs.ordinal_maps.iter().map(|o| &o.id))
        .chain(docs.property_maps.iter().map(|(id, _)| id));
    check_ids(&ids, resource_ids)?;
    let property_resources = property_map_resources(previous, &docs.property_maps)?;
    let property_mappings = all_mappings(previous, &docs.property_maps);
    let retagged = previous.map_or_else(Vec::new, |p| {
        changed_under_same_vtag(p, &docs.network_map, &docs.cost_maps)
    });
    let SharedDocuments {
        network_map,
        cost_maps,
        property_maps,
        ordinal_maps,
    } = docs;
    let cost_maps: Arc<[CostMapEntry]> =
        index_cost_maps(cost_maps, &ordinal_maps, &network_map, same_net)?.into();
    let ird = directory(&IrdInput::of(&cost_maps, &property_mappings), &ids);
    validate_ird(&ird).map_err(|e| invalid("directory", e.to_string()))?;

    let mut resources = BTreeMap::new();
    let net_resource = same_net.and_then(|p| p.resources.get(&net_id).cloned());
    resources.insert(
        net_id.clone(),
        net_resource.unwrap_or_else(|| {
            // Changed under the same vtag: tagged by content (`etag`).
            let vtag = Some(&network_map.meta.vtag).filter(|_| !retagged.contains(&net_id));
            resource(&net_id, media::NETWORK_MAP, &*network_map, vtag)
        }),
    );
    let cost_bodies = encode_cost_maps(&cost_maps, previous, &retagged, &mut resources);
    resources.extend(property_resources);
    Ok(Snapshot {
        generation,
        created: SystemTime::now(),
        directory: resource("directory", media::DIRECTORY, &ird, None),
        ids,
        resources,
        // The new `Arc` even when equal: it is the one the computation
        // holds, so the previous one can go.
        network_map,
        lookup,
        cost_maps,
        cost_bodies: Arc::new(cost_bodies),
        property_maps: property_maps.into_iter().collect(),
        property_mappings,
        pid_kinds: OnceLock::new(),
        unusable_nodes: OnceLock::new(),
        building: tokio::sync::Mutex::new(()),
    })
}

/// Encodes each cost map's body into `resources`, reusing the pieces of
/// the same resource in `previous`; returns the pieces for the next
/// snapshot. Ordinal maps are encoded on first use instead ([`Body`]);
/// ETags: [`cost_map_etag`].
fn encode_cost_maps(
    cost_maps: &Arc<[CostMapEntry]>,
    previous: Option<&Snapshot>,
    retagged: &[String],
    resources: &mut BTreeMap<String, Resource>,
) -> BTreeMap<String, CostBody> {
    let mut cost_bodies = BTreeMap::new();
    for entry in cost_maps.iter() {
        let doc = &entry.doc;
        let vtag = doc.meta.vtag.as_ref();
        let body = if builds_on_first_use(entry, retagged) {
            lazy_cost_body(entry, previous)
        } else {
            let reusable = previous.and_then(|p| {
                let old = p.cost_maps.iter().find(|e| e.id == entry.id)?;
                // Pieces first: a map built on first use has none here, and
                // reading its document would rank it.
                let pieces = p.cost_bodies.get(&entry.id)?;
                Some((old.doc.get(), pieces))
            });
            let (body, pieces) = encode_cost_map(doc, reusable);
            tracing::debug!(
                id = %entry.id,
                reused = pieces.reused,
                built = pieces.built,
                "cost map body"
            );
            cost_bodies.insert(entry.id.clone(), pieces);
            Body::ready(body)
        };
        let etag = cost_map_etag(previous, retagged, &entry.id, vtag, &body);
        resources.insert(
            entry.id.clone(),
            Resource {
                id: entry.id.clone(),
                media_type: media::COST_MAP,
                etag,
                body,
            },
        );
    }
    cost_bodies
}

/// Whether a cost map's body waits for its first reader: an ordinal map
/// (none of its pieces survive a change: module docs of [`Body`]) whose
/// ETag is its vtag, so that nothing needs the body before then, and with
/// enough pairs that its body is kept compressed ([`Body::lazy`]).
fn builds_on_first_use(entry: &CostMapEntry, retagged: &[String]) -> bool {
    let meta = &entry.doc.meta;
    meta.cost_type.cost_mode == CostMode::Ordinal
        && entry.doc.pairs() >= LAZY_MIN_PAIRS
        && meta.vtag.as_ref().is_some_and(|v| is_etag_safe(&v.tag))
        && !retagged.contains(&entry.id)
}

/// Each pair writes at least `"p":1` (5 bytes): a map this big has a
/// body of at least `MIN_COMPRESS`, so it is kept in every coding.
const LAZY_MIN_PAIRS: usize = MIN_COMPRESS / 4;

/// The body of `entry` built on first use, or the previous snapshot's if
/// that is built already and is the same document (same vtag: a content
/// hash, or derived from one).
fn lazy_cost_body(entry: &CostMapEntry, previous: Option<&Snapshot>) -> Body {
    let built_before = previous.and_then(|p| {
        let old = p.cost_maps.iter().find(|e| e.id == entry.id)?;
        let old_body = &p.resources.get(&entry.id)?.body;
        let same = old.doc.meta.vtag == entry.doc.meta.vtag && old_body.is_ready();
        same.then(|| old_body.clone())
    });
    built_before.unwrap_or_else(|| {
        let doc = entry.doc.clone();
        Body::lazy(move || {
            let (encoded, pieces) = encode_cost_map(&doc, None);
            // Its reader waits for it whole: nobody compresses it later.
            encoded.compress_pending();
            Built {
                encoded,
                pieces: Some(pieces),
            }
        })
    })
}

/// The GET resource of each property map: the previous snapshot's if it
/// held the same document (compared once: it is the size of the map), else
/// validated and newly encoded.
pub(super) fn property_map_resources(
    previous: Option<&Snapshot>,
    property_maps: &[(String, Arc<PropertyMapDoc>)],
) -> Result<Vec<(String, Resource)>, SnapshotError> {
    let mut resources = Vec::with_capacity(property_maps.len());
    for (id, doc) in property_maps {
        let resource = match unchanged(previous, id, doc) {
            Some(same) => same.clone(),
            None => {
                validate_property_map(doc).map_err(|e| SnapshotError::Invalid {
                    id: id.clone(),
                    reason: e.to_string(),
                })?;
                resource(id, media::PROPERTY_MAP, &**doc, None)
            }
        };
        resources.push((id.clone(), resource));
    }
    Ok(resources)
}

/// The previous snapshot's resource for property map `id` if it held the
/// same document (the same `Arc` is not compared).
fn unchanged<'a>(
    previous: Option<&'a Snapshot>,
    id: &str,
    doc: &Arc<PropertyMapDoc>,
) -> Option<&'a Resource> {
    let p = previous?;
    let old = p.property_maps.get(id)?;
    (Arc::ptr_eq(old, doc) || old == doc).then(|| p.resources.get(id))?
}

/// Every resource id (the services' and `resource_ids`) is a valid
/// ResourceID and unique (RFC 7285 §9.1.1).
pub(super) fn check_ids<'a>(
    ids: &'a ServiceIds,
    resource_ids: impl Iterator<Item = &'a String>,
) -> Result<(), SnapshotError> {
    let mut seen = std::collections::BTreeSet::new();
    let all = [
        &ids.network_map,
        &ids.network_map_filter,
        &ids.endpoint_prop,
        &ids.endpoint_cost,
        &ids.update_stream,
    ]
    .into_iter()
    .chain(resource_ids);
    for id in all {
        validate_resource_id(id).map_err(|e| SnapshotError::Invalid {
            id: id.clone(),
            reason: e.to_string(),
        })?;
        if !seen.insert(id.as_str()) {
            return Err(SnapshotError::DuplicateId(id.clone()));
        }
    }
    Ok(())
}

/// Validates each cost map against the network map and names its cost
/// type; adds the ordinal maps ranked from them on first use.
/// `same_net`: the previous snapshot, if it has this network map; a map
/// that shares its names with the one of the same id there was checked
/// and indexed on them already (a peer's costs changed, not the PIDs).
fn index_cost_maps(
    cost_maps: Vec<(String, altofed_model::CostTableDoc)>,
    ordinal_maps: &[OrdinalOf],
    network_map: &altofed_model::NetworkMapDoc,
    same_net: Option<&Snapshot>,
) -> Result<Vec<CostMapEntry>, SnapshotError> {
    let mut entries: Vec<CostMapEntry> = Vec::new();
    for (id, doc) in cost_maps {
        let checked = same_net
            .and_then(|p| p.cost_maps.iter().find(|e| e.id == id))
            .filter(|old| old.doc.is_ready() && old.doc.get().cost_map.shares_names(&doc.cost_map));
        let valid = match checked {
            Some(_) => validate_cost_table_costs(&doc, Some(network_map)),
            None => validate_cost_table(&doc, Some(network_map)),
        };
        valid.map_err(|e| SnapshotError::Invalid {
            id: id.clone(),
            reason: e.to_string(),
        })?;
        let pid_index = match checked {
            Some(old) => old.pid_index.clone(),
            None => (doc.cost_map).index_names(network_map.network_map.keys().map(String::as_str)),
        };
        push_entry(&mut entries, id, CostDoc::given(doc), pid_index)?;
    }
    for ordinal in ordinal_maps {
        let (doc, pid_index) = ranked_entry(&entries, ordinal)?;
        push_entry(&mut entries, ordinal.id.clone(), doc, pid_index)?;
    }
    Ok(entries)
}

/// The document and PID index of `ordinal`, from its numerical map among
/// `entries`.
fn ranked_entry(
    entries: &[CostMapEntry],
    ordinal: &OrdinalOf,
) -> Result<(CostDoc, PidIndex), SnapshotError> {
    let invalid = |why: &str| SnapshotError::Invalid {
        id: ordinal.id.clone(),
        reason: format!("ranks cost map `{}`, {why}", ordinal.numerical),
    };
    let numerical = (entries.iter())
        .find(|e| e.id == ordinal.numerical)
        .filter(|e| e.doc.meta.cost_type.cost_mode == CostMode::Numerical)
        .ok_or_else(|| invalid("which is not a numerical cost map of these documents"))?;
    let doc = CostDoc::ranks_of(&numerical.doc, &ordinal.id)
        .ok_or_else(|| invalid("which has no vtag to derive its own from"))?;
    // Ranks keep the table's names and rows: the same index.
    Ok((doc, numerical.pid_index.clone()))
}

/// Adds a cost map, named by its cost type, which no other may have.
fn push_entry(
    entries: &mut Vec<CostMapEntry>,
    id: String,
    doc: CostDoc,
    pid_index: PidIndex,
) -> Result<(), SnapshotError> {
    let ty = &doc.meta.cost_type;
    let name = cost_type_name(ty.cost_mode, &ty.cost_metric);
    if let Some(first) = entries.iter().find(|e| e.cost_type_name == name) {
        return Err(SnapshotError::DuplicateCostType {
            first: first.id.clone(),
            second: id,
            cost_type: name,
        });
    }
    let meta = EndpointCostMeta {
        cost_type: ty.clone(),
    };
    // Serializing our own model type to a Vec cannot fail.
    let ecs_meta = serde_json::to_vec(&meta).unwrap_or_default().into();
    entries.push(CostMapEntry {
        id,
        cost_type_name: name,
        doc,
        pid_index,
        ecs_meta,
    });
    Ok(())
}

pub(super) fn resource<T: Serialize>(
    id: &str,
    media_type: &'static str,
    doc: &T,
    vtag: Option<&VersionTag>,
) -> Resource {
    // Serializing our own model types to a Vec cannot fail.
    let body = Encoded::new(serde_json::to_vec(doc).unwrap_or_default());
    Resource {
        id: id.to_owned(),
        media_type,
        etag: etag(vtag, &body.identity),
        body: Body::ready(body),
    }
}
