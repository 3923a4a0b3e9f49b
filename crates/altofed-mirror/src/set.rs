//! The pure steps of a mirror, without IO: the upstream's maps checked as
//! one consistent set and turned into [`Documents`]; the stale mark; and
//! the check of what a snapshot serves against the upstream's bodies.

use altofed_model::{content_tag, CostTableDoc, PropertyMapDoc, VersionTag};
use altofed_peers::http::upstream::{MapDoc, UpstreamSet};
use altofed_server::snapshot::{Coding, Documents, Snapshot, SnapshotError};
use serde_json::Value;
use thiserror::Error;

/// Set on every entity of every property map while the mirror is stale:
/// the time (RFC 3339, seconds) of its last confirmed copy.
pub const STALE_SINCE: &str = ".priv:mirror-stale-since";

/// Why a pulled set is not served (the last good one stays).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MirrorError {
    #[error("the upstream's network map `{id}` has the vtag of resource `{vtag_id}`; a mirror serves it under its own id")]
    NetworkMapId { id: String, vtag_id: String },
    #[error("{what} `{id}` depends on network map version `{dependency}`, but the network map `{net}` is at `{tag}`; waiting for a consistent set (RFC 8895 §9.2)")]
    Inconsistent {
        what: &'static str,
        id: String,
        dependency: String,
        net: String,
        tag: String,
    },
    #[error("the upstream's set holds no network map")]
    NoNetworkMap,
    #[error(
        "cost map `{id}` names no network map version (meta.dependent-vtags, RFC 7285 §11.2.3.6)"
    )]
    NoDependency { id: String },
    #[error("the upstream's maps cannot be served: {0}")]
    Snapshot(#[from] SnapshotError),
}

/// The maps of `set` as [`Documents`], if they form one consistent set:
/// every cost map (and every property map that names one) depends on the
/// network map's vtag. A set caught between a network map change and its
/// cost maps is refused, so that no snapshot serves a cost map of a
/// network map it does not serve.
pub fn documents(set: &UpstreamSet) -> Result<Documents, MirrorError> {
    let mut network_map = None;
    let mut cost_maps = Vec::new();
    let mut property_maps = Vec::new();
    for map in &set.maps {
        match &map.doc {
            MapDoc::Network(doc) => {
                if doc.meta.vtag.resource_id != map.id {
                    return Err(MirrorError::NetworkMapId {
                        id: map.id.clone(),
                        vtag_id: doc.meta.vtag.resource_id.clone(),
                    });
                }
                network_map = Some(doc.clone());
            }
            MapDoc::Cost(doc) => cost_maps.push((map.id.clone(), CostTableDoc::clone(doc))),
            MapDoc::Property(doc) => {
                property_maps.push((map.id.clone(), PropertyMapDoc::clone(doc)))
            }
        }
    }
    // `upstream::plan` refuses IRDs without one; a set built by hand may lack it.
    let network_map = network_map.ok_or(MirrorError::NoNetworkMap)?;
    let net = &network_map.meta.vtag;
    for (id, doc) in &cost_maps {
        let dependency = doc.meta.dependent_vtags.first();
        let Some(dependency) = dependency else {
            return Err(MirrorError::NoDependency { id: id.clone() });
        };
        check_dependency("cost map", id, dependency, net)?;
    }
    for (id, doc) in &property_maps {
        let named = doc.meta.dependent_vtags.iter();
        for dependency in named.filter(|d| d.resource_id == net.resource_id) {
            check_dependency("property map", id, dependency, net)?;
        }
    }
    Ok(Documents {
        network_map,
        cost_maps,
        property_maps,
    })
}

fn check_dependency(
    what: &'static str,
    id: &str,
    dependency: &VersionTag,
    net: &VersionTag,
) -> Result<(), MirrorError> {
    if dependency == net {
        return Ok(());
    }
    Err(MirrorError::Inconsistent {
        what,
        id: id.to_owned(),
        dependency: format!("{}/{}", dependency.resource_id, dependency.tag),
        net: net.resource_id.clone(),
        tag: net.tag.clone(),
    })
}

/// The documents `snapshot` serves (to mark them stale).
pub fn documents_of(snapshot: &Snapshot) -> Documents {
    Documents {
        network_map: snapshot.network_map.clone(),
        cost_maps: (snapshot.cost_maps.iter())
            .map(|e| (e.id.clone(), CostTableDoc::clone(&e.doc)))
            .collect(),
        property_maps: (snapshot.property_maps.iter())
            .map(|(id, doc)| (id.clone(), PropertyMapDoc::clone(doc)))
            .collect(),
    }
}

/// Marks every entity of every property map with [`STALE_SINCE`] =
/// `since`: clients of the property maps (e.g. `altofed route`) see that
/// the copy is old. The only change a mirror makes to the upstream's
/// bodies; it goes when the upstream answers again.
pub fn mark_stale(docs: &mut Documents, since: &str) {
    for (_, doc) in &mut docs.property_maps {
        for props in doc.property_map.values_mut() {
            props.insert(STALE_SINCE.to_owned(), Value::String(since.to_owned()));
        }
    }
}

/// A resource the mirror serves differently from the upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    pub id: String,
    /// `body` or `etag`.
    pub what: &'static str,
}

/// The resources (the IRD as `directory`) whose identity body or ETag in
/// `snapshot` is not the upstream's in `set`. Empty is the goal; an ETag
/// the upstream did not send is not compared.
pub fn divergences(snapshot: &Snapshot, set: &UpstreamSet) -> Vec<Divergence> {
    let mut out = Vec::new();
    let ird = content_tag(&snapshot.directory.body.identity.to_bytes());
    if ird != set.ird_digest {
        out.push(Divergence {
            id: "directory".to_owned(),
            what: "body",
        });
    }
    for map in &set.maps {
        let Some(resource) = snapshot.resources.get(&map.id) else {
            out.push(Divergence {
                id: map.id.clone(),
                what: "body",
            });
            continue;
        };
        if content_tag(&resource.body.identity.to_bytes()) != map.digest {
            out.push(Divergence {
                id: map.id.clone(),
                what: "body",
            });
        }
        // The upstream's ETag names the coding it sent (`-gz`, `-zst`).
        let ours = [Coding::Identity, Coding::Gzip, Coding::Zstd]
            .map(|c| format!("\"{}{}\"", resource.etag, c.etag_suffix()));
        if map
            .etag
            .as_ref()
            .is_some_and(|theirs| !ours.contains(theirs))
        {
            out.push(Divergence {
                id: map.id.clone(),
                what: "etag",
            });
        }
    }
    out
}

#[cfg(test)]
#[path = "set_tests.rs"]
mod tests;
