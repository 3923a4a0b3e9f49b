//! Which resources of an IRD a mirror follows (pure, no IO): every GET
//! map (the one network map, every cost map, every property map) and the
//! update stream, if one covers them all.

use std::collections::BTreeMap;

use altofed_model::{media, DirectoryDoc};
use reqwest::Url;

use crate::http::directory::{collect, Resolved};

/// What kind of map a resource is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapKind {
    Network,
    Cost,
    Property,
}

impl MapKind {
    pub fn media_type(self) -> &'static str {
        match self {
            MapKind::Network => media::NETWORK_MAP,
            MapKind::Cost => media::COST_MAP,
            MapKind::Property => media::PROPERTY_MAP,
        }
    }

    /// For messages ("not a valid cost map").
    pub fn what(self) -> &'static str {
        match self {
            MapKind::Network => "network map",
            MapKind::Cost => "cost map",
            MapKind::Property => "property map",
        }
    }

    fn of(media_type: &str) -> Option<Self> {
        [MapKind::Network, MapKind::Cost, MapKind::Property]
            .into_iter()
            .find(|k| media_type.eq_ignore_ascii_case(k.media_type()))
    }
}

/// One map resource of the IRD, its URI resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapResource {
    pub id: String,
    pub kind: MapKind,
    pub url: Url,
}

/// Everything a mirror follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// By resource id: the network map first, then cost and property maps
    /// in id order.
    pub maps: Vec<MapResource>,
    /// The update stream whose `uses` lists every map, if any.
    pub stream: Option<Url>,
}

/// The plan for `ird` (read from `base`). IRDs it delegates to are not
/// followed: a mirror serves one server's own resources. Errors say why
/// the IRD cannot be mirrored (no network map, or several: a snapshot
/// serves exactly one).
pub fn plan(ird: &DirectoryDoc, base: &Url) -> Result<Plan, String> {
    let mut resources: BTreeMap<String, Resolved> = BTreeMap::new();
    collect(ird, base, &mut resources);
    let mut maps: Vec<MapResource> = resources
        .iter()
        .filter(|(_, r)| !r.entry.is_post())
        .filter_map(|(id, r)| {
            Some(MapResource {
                id: id.clone(),
                kind: MapKind::of(&r.entry.media_type)?,
                url: r.url.clone(),
            })
        })
        .collect();
    let networks: Vec<&str> = maps
        .iter()
        .filter(|m| m.kind == MapKind::Network)
        .map(|m| m.id.as_str())
        .collect();
    match networks[..] {
        [_] => {}
        [] => return Err("the IRD offers no GET network map".to_owned()),
        _ => {
            return Err(format!(
                "the IRD offers {} network maps ({}); a mirror serves exactly one",
                networks.len(),
                networks.join(", ")
            ))
        }
    }
    // Stable sort: the network map first, the rest by id.
    maps.sort_by_key(|m| m.kind != MapKind::Network);
    let stream = resources
        .values()
        .find(|r| {
            r.entry.is_post()
                && r.entry.media_type.eq_ignore_ascii_case(media::EVENT_STREAM)
                && maps.iter().all(|m| r.entry.uses.contains(&m.id))
        })
        .map(|r| r.url.clone());
    Ok(Plan { maps, stream })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ird(extra: &serde_json::Value) -> DirectoryDoc {
        let mut resources = json!({
            "net": {"uri": "/maps/net", "media-type": media::NETWORK_MAP},
            "num": {"uri": "/maps/num", "media-type": media::COST_MAP, "uses": ["net"]},
            "ord": {"uri": "/maps/ord", "media-type": media::COST_MAP, "uses": ["net"]},
            "prop": {"uri": "/maps/prop", "media-type": media::PROPERTY_MAP, "uses": ["net"]},
            "net-filtered": {"uri": "/maps/net/filtered", "media-type": media::NETWORK_MAP,
                "accepts": media::NETWORK_MAP_FILTER, "uses": ["net"]},
        });
        for (k, v) in extra.as_object().unwrap() {
            resources[k] = v.clone();
        }
        serde_json::from_value(json!({"meta": {}, "resources": resources})).unwrap()
    }

    fn base() -> Url {
        Url::parse("http://upstream.example/directory").unwrap()
    }

    #[test]
    fn every_get_map_the_network_map_first_and_a_stream_covering_them() {
        let stream = json!({"updates": {"uri": "/updates", "media-type": media::EVENT_STREAM,
            "accepts": media::UPDATE_STREAM_PARAMS, "uses": ["net", "num", "ord", "prop"]}});
        let plan = plan(&ird(&stream), &base()).unwrap();
        let ids: Vec<(&str, MapKind)> = plan.maps.iter().map(|m| (&*m.id, m.kind)).collect();
        assert_eq!(
            ids,
            [
                ("net", MapKind::Network),
                ("num", MapKind::Cost),
                ("ord", MapKind::Cost),
                ("prop", MapKind::Property)
            ]
        );
        assert_eq!(
            plan.maps[1].url.as_str(),
            "http://upstream.example/maps/num"
        );
        assert_eq!(
            plan.stream.unwrap().as_str(),
            "http://upstream.example/updates"
        );
    }

    #[test]
    fn a_stream_that_misses_a_map_is_not_used() {
        let stream = json!({"updates": {"uri": "/updates", "media-type": media::EVENT_STREAM,
            "accepts": media::UPDATE_STREAM_PARAMS, "uses": ["net", "num"]}});
        assert_eq!(plan(&ird(&stream), &base()).unwrap().stream, None);
    }

    #[test]
    fn two_network_maps_cannot_be_mirrored() {
        let second = json!({"net2": {"uri": "/maps/net2", "media-type": media::NETWORK_MAP}});
        assert_eq!(
            plan(&ird(&second), &base()).unwrap_err(),
            "the IRD offers 2 network maps (net, net2); a mirror serves exactly one"
        );
    }
}
