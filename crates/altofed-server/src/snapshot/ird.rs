//! The Information Resource Directory (RFC 7285 §9) for a snapshot: one
//! entry per resource, with media type, accepted input, capabilities and
//! the resources each one uses.

use std::collections::BTreeMap;
use std::sync::Arc;

use altofed_model::ird::{Capabilities, DirectoryDoc, DirectoryMeta, IrdEntry};
use altofed_model::media;
use altofed_model::{CostMode, CostType, PropertyMapDoc};

use super::{CostMapEntry, SharedPropertyMaps, Snapshot};

/// RFC 9240 §7.4 `mappings`: entity domain -> property names.
pub type Mappings = BTreeMap<String, Vec<String>>;

/// What the IRD is made of: each cost map's id and cost type, and each
/// property map's id and `mappings`.
#[derive(Debug)]
pub(super) struct IrdInput<'a> {
    pub cost_maps: Vec<(&'a str, &'a CostType)>,
    pub property_maps: Vec<(&'a str, &'a Mappings)>,
}

impl<'a> IrdInput<'a> {
    pub fn of(cost_maps: &'a [CostMapEntry], mappings: &'a BTreeMap<String, Mappings>) -> Self {
        Self {
            cost_maps: (cost_maps.iter())
                .map(|c| (c.id.as_str(), &c.doc.meta.cost_type))
                .collect(),
            property_maps: mappings.iter().map(|(id, m)| (id.as_str(), m)).collect(),
        }
    }
}

/// The `mappings` of each property map, by resource id. A map `previous`
/// holds too (the same `Arc`: the engine keeps its property map while the
/// PIDs do not change) keeps the mappings found for it then, instead of a
/// walk over every entity.
pub(super) fn all_mappings(
    previous: Option<&Snapshot>,
    maps: &SharedPropertyMaps,
) -> BTreeMap<String, Mappings> {
    let kept = |id: &String, doc: &Arc<PropertyMapDoc>| {
        let p = previous?;
        let same = Arc::ptr_eq(p.property_maps.get(id)?, doc);
        same.then(|| p.property_mappings.get(id).cloned())?
    };
    (maps.iter())
        .map(|(id, doc)| {
            let mappings = kept(id, doc).unwrap_or_else(|| property_mappings(doc));
            (id.clone(), mappings)
        })
        .collect()
}

/// Resource ids of the services (POST resources) next to the maps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceIds {
    pub network_map: String,
    pub network_map_filter: String,
    pub endpoint_prop: String,
    pub endpoint_cost: String,
    pub update_stream: String,
}

impl ServiceIds {
    /// Ids derived from the network map's id, e.g. `agg-netmap` ->
    /// `agg-netmap-filtered`, `agg-endpointcost`. The prefix is what comes
    /// before the last `-`, or the whole id.
    pub fn for_network_map(id: &str) -> Self {
        let prefix = id.rsplit_once('-').map_or(id, |(p, _)| p);
        Self {
            network_map: id.to_owned(),
            network_map_filter: filtered_id(id),
            endpoint_prop: format!("{prefix}-endpointprop"),
            endpoint_cost: format!("{prefix}-endpointcost"),
            update_stream: format!("{prefix}-update-stream"),
        }
    }
}

/// `num-routingcost`, `ord-routingcost`, ...
pub fn cost_type_name(mode: CostMode, metric: &str) -> String {
    let mode = match mode {
        CostMode::Numerical => "num",
        CostMode::Ordinal => "ord",
    };
    format!("{mode}-{metric}")
}

/// The filtered variant of a GET resource.
pub fn filtered_id(id: &str) -> String {
    format!("{id}-filtered")
}

/// URI of a GET resource and of its filtered (POST) variant.
pub fn map_uri(id: &str) -> String {
    format!("/maps/{id}")
}

pub fn filter_uri(id: &str) -> String {
    format!("/maps/{id}/filtered")
}

pub const ENDPOINT_PROP_URI: &str = "/endpointprop";
pub const ENDPOINT_COST_URI: &str = "/endpointcost";
pub const UPDATE_STREAM_URI: &str = "/updates";

fn entry(
    uri: String,
    media_type: &str,
    accepts: Option<&str>,
    caps: Option<Capabilities>,
    uses: Vec<String>,
) -> IrdEntry {
    IrdEntry {
        uri,
        media_type: media_type.to_owned(),
        accepts: accepts.map(str::to_owned),
        capabilities: caps,
        uses,
    }
}

/// The IRD for these resources.
pub(super) fn directory(docs: &IrdInput<'_>, ids: &ServiceIds) -> DirectoryDoc {
    let net = &ids.network_map;
    let mut resources = BTreeMap::new();
    let mut cost_types = BTreeMap::new();
    resources.insert(
        net.clone(),
        entry(map_uri(net), media::NETWORK_MAP, None, None, Vec::new()),
    );
    resources.insert(
        ids.network_map_filter.clone(),
        entry(
            filter_uri(net),
            media::NETWORK_MAP,
            Some(media::NETWORK_MAP_FILTER),
            None,
            vec![net.clone()],
        ),
    );
    for &(id, ty) in &docs.cost_maps {
        let name = cost_type_name(ty.cost_mode, &ty.cost_metric);
        cost_types.insert(name.clone(), ty.clone());
        let caps = Capabilities {
            cost_type_names: Some(vec![name.clone()]),
            ..Capabilities::default()
        };
        resources.insert(
            id.to_owned(),
            entry(
                map_uri(id),
                media::COST_MAP,
                None,
                Some(caps),
                vec![net.clone()],
            ),
        );
        let filter_caps = Capabilities {
            cost_type_names: Some(vec![name]),
            cost_constraints: Some(true),
            ..Capabilities::default()
        };
        resources.insert(
            filtered_id(id),
            entry(
                filter_uri(id),
                media::COST_MAP,
                Some(media::COST_MAP_FILTER),
                Some(filter_caps),
                vec![net.clone()],
            ),
        );
    }
    for &(id, mappings) in &docs.property_maps {
        let caps = Capabilities {
            mappings: Some(mappings.clone()),
            ..Capabilities::default()
        };
        resources.insert(
            id.to_owned(),
            entry(
                map_uri(id),
                media::PROPERTY_MAP,
                None,
                Some(caps.clone()),
                vec![net.clone()],
            ),
        );
        resources.insert(
            filtered_id(id),
            entry(
                filter_uri(id),
                media::PROPERTY_MAP,
                Some(media::PROPERTY_MAP_PARAMS),
                Some(caps),
                vec![net.clone()],
            ),
        );
    }
    resources.insert(
        ids.endpoint_prop.clone(),
        entry(
            ENDPOINT_PROP_URI.to_owned(),
            media::ENDPOINT_PROP,
            Some(media::ENDPOINT_PROP_PARAMS),
            Some(Capabilities {
                prop_types: Some(vec![format!("{net}.pid")]),
                ..Capabilities::default()
            }),
            vec![net.clone()],
        ),
    );
    if !cost_types.is_empty() {
        // No `uses` for the ECS (RFC 7285 §11.5.1.5).
        let caps = Capabilities {
            cost_type_names: Some(cost_types.keys().cloned().collect()),
            cost_constraints: Some(true),
            ..Capabilities::default()
        };
        resources.insert(
            ids.endpoint_cost.clone(),
            entry(
                ENDPOINT_COST_URI.to_owned(),
                media::ENDPOINT_COST,
                Some(media::ENDPOINT_COST_PARAMS),
                Some(caps),
                Vec::new(),
            ),
        );
    }
    resources.insert(ids.update_stream.clone(), update_stream_entry(docs, ids));
    DirectoryDoc {
        meta: DirectoryMeta {
            cost_types,
            default_alto_network_map: Some(net.clone()),
        },
        resources,
    }
}

/// The update stream covers every GET resource (RFC 8895 §6.4); each may be
/// updated by JSON merge patch or JSON patch.
fn update_stream_entry(docs: &IrdInput<'_>, ids: &ServiceIds) -> IrdEntry {
    let patch_types = format!("{},{}", media::MERGE_PATCH, media::JSON_PATCH);
    let mut uses = vec![ids.network_map.clone()];
    uses.extend(docs.cost_maps.iter().map(|(id, _)| (*id).to_owned()));
    uses.extend(docs.property_maps.iter().map(|(id, _)| (*id).to_owned()));
    let changes = uses
        .iter()
        .map(|id| (id.clone(), patch_types.clone()))
        .collect();
    let caps = Capabilities {
        incremental_change_media_types: Some(changes),
        support_stream_control: Some(true),
        ..Capabilities::default()
    };
    entry(
        UPDATE_STREAM_URI.to_owned(),
        media::EVENT_STREAM,
        Some(media::UPDATE_STREAM_PARAMS),
        Some(caps),
        uses,
    )
}

/// RFC 9240 §7.4 `mappings`: entity domain -> property names, as found in
/// the map (`agg-netmap.pid:x` -> domain `agg-netmap.pid`).
fn property_mappings(doc: &PropertyMapDoc) -> Mappings {
    let mut mappings = Mappings::new();
    for (entity, props) in &doc.property_map {
        let names = mappings
            .entry(entity_domain(entity).to_owned())
            .or_default();
        for name in props.keys() {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    // A domain whose entities have no property offers nothing to ask for;
    // RFC 9240 §7.4 wants at least one property per listed domain.
    mappings.retain(|_, names| !names.is_empty());
    mappings.values_mut().for_each(|v| v.sort());
    mappings
}

/// The entity domain name of an entity ID: what comes before its first
/// `:` (RFC 9240 §5.1.3), e.g. `ipv4`, `agg-netmap.pid`.
pub fn entity_domain(entity: &str) -> &str {
    entity.split_once(':').map_or(entity, |(d, _)| d)
}
