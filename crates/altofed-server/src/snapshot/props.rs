//! A snapshot that differs from the previous one only in its property
//! maps: what a CDN node status change publishes. Everything else is taken
//! over as it is (the network map, its lookup, the cost maps and their
//! encoded bodies are `Arc`s: shared, not copied, validated or encoded
//! again), so the cost of the publish is that of the property maps alone,
//! however big the cost maps are.

use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use altofed_model::media;
use altofed_model::validate::validate_ird;

use super::build::{check_ids, property_map_resources, resource};
use super::ird::{all_mappings, directory, IrdInput};
use super::{Resource, SharedPropertyMaps, Snapshot, SnapshotError};

/// `previous` with `property_maps` instead of its own, as generation
/// `generation`. The IRD is encoded again only when it changes (a property
/// map appears or disappears, or names new properties or entity domains).
pub fn with_property_maps(
    previous: &Snapshot,
    property_maps: SharedPropertyMaps,
    generation: u64,
) -> Result<Snapshot, SnapshotError> {
    let ids = &previous.ids;
    let cost_ids = previous.cost_maps.iter().map(|c| &c.id);
    check_ids(ids, cost_ids.chain(property_maps.iter().map(|(id, _)| id)))?;
    let property_resources = property_map_resources(Some(previous), &property_maps)?;
    let mappings = all_mappings(Some(previous), &property_maps);
    let input = IrdInput::of(&previous.cost_maps, &mappings);
    let directory = directory_resource(previous, &input)?;
    let mut resources = previous.resources.clone();
    for id in previous.property_maps.keys() {
        resources.remove(id);
    }
    resources.extend(property_resources);
    Ok(Snapshot {
        generation,
        created: SystemTime::now(),
        ids: ids.clone(),
        directory,
        resources,
        network_map: Arc::clone(&previous.network_map),
        lookup: Arc::clone(&previous.lookup),
        cost_maps: Arc::clone(&previous.cost_maps),
        cost_bodies: Arc::clone(&previous.cost_bodies),
        property_maps: property_maps.into_iter().collect(),
        property_mappings: mappings,
        pid_kinds: OnceLock::new(),
        unusable_nodes: OnceLock::new(),
        building: tokio::sync::Mutex::new(()),
    })
}

/// The previous IRD resource when the IRD is the same, else the new one,
/// validated and encoded.
fn directory_resource(
    previous: &Snapshot,
    input: &IrdInput<'_>,
) -> Result<Resource, SnapshotError> {
    let ird = directory(input, &previous.ids);
    // The IRD is a few kB: serializing it to compare is cheap, unlike
    // compressing it again.
    let text = serde_json::to_vec(&ird).unwrap_or_default();
    if previous.directory.body.identity.to_bytes() == text[..] {
        return Ok(previous.directory.clone());
    }
    validate_ird(&ird).map_err(|e| SnapshotError::Invalid {
        id: "directory".to_owned(),
        reason: e.to_string(),
    })?;
    Ok(resource("directory", media::DIRECTORY, &ird, None))
}
