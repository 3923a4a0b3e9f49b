//! Filtered network maps (RFC 7285 §11.3.1) and the dispatch of
//! `/maps/{id}/filtered` to the right filter for the resource kind
//! (filtered cost maps: [`super::costfilter`], property maps:
//! [`super::propmap`]). Each is planned, then written where
//! [`super::offload`] decides.

use std::collections::BTreeMap;
use std::sync::Arc;

use altofed_model::error::ErrorDoc;
use altofed_model::filter::{Constraint, CostMapFilter, NetworkMapFilter};
use altofed_model::{media, EndpointAddrGroup, NetworkMapDoc, NetworkMapMeta};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::costfilter::CostSelection;
use super::offload::{answer, Cancel, Planned};
use super::propmap::PropertySelection;
use super::{current, json_bytes_response};
use crate::http::body::checked_body;
use crate::http::negotiate::require_accept;
use crate::http::ApiError;
use crate::snapshot::Snapshot;
use crate::state::AppState;

pub async fn filtered(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let snapshot = current(&state)?;
    let limit = state.config().max_body_bytes;
    let pool = state.work_pool();
    if id == snapshot.ids.network_map {
        require_accept(&headers, media::NETWORK_MAP)?;
        let body = checked_body(&headers, body, media::NETWORK_MAP_FILTER, limit)?;
        let plan = move |filter| Ok(NetworkSelection::new(snapshot, filter));
        let text = answer(pool, body, plan).await?;
        return Ok(json_bytes_response(media::NETWORK_MAP, text));
    }
    if let Some(map) = snapshot.cost_maps.iter().position(|c| c.id == id) {
        require_accept(&headers, media::COST_MAP)?;
        let body = checked_body(&headers, body, media::COST_MAP_FILTER, limit)?;
        snapshot.build_cost_maps([map]).await;
        let max_pairs = state.config().max_pairs_per_request;
        let published = state.config().published_direction;
        let plan = move |filter: CostMapFilter| {
            CostSelection::new(snapshot, map, &filter, max_pairs, published)
        };
        let text = answer(pool, body, plan).await?;
        return Ok(json_bytes_response(media::COST_MAP, text));
    }
    if snapshot.property_maps.contains_key(&id) {
        require_accept(&headers, media::PROPERTY_MAP)?;
        let body = checked_body(&headers, body, media::PROPERTY_MAP_PARAMS, limit)?;
        let plan = move |filter| PropertySelection::new(snapshot, id, filter);
        let text = answer(pool, body, plan).await?;
        return Ok(json_bytes_response(media::PROPERTY_MAP, text));
    }
    Err(ApiError::NotFound(format!("{id}/filtered")))
}

/// The PIDs of a filtered network map request (RFC 7285 §11.3.1): empty
/// `pids` means all; unknown PIDs and address types are ignored; a PID
/// asked for twice is answered once; the vtag is the full map's.
#[derive(Debug)]
struct NetworkSelection {
    snapshot: Arc<Snapshot>,
    /// `None`: every PID.
    pids: Option<Vec<String>>,
    address_types: Vec<String>,
}

impl NetworkSelection {
    fn new(snapshot: Arc<Snapshot>, filter: NetworkMapFilter) -> Self {
        let pids = (!filter.pids.is_empty()).then(|| {
            let mut pids = filter.pids;
            pids.retain(|p| snapshot.network_map.network_map.contains_key(p));
            pids.sort_unstable();
            pids.dedup();
            pids
        });
        Self {
            snapshot,
            pids,
            address_types: filter.address_types.unwrap_or_default(),
        }
    }

    fn groups(&self) -> Vec<(&String, &EndpointAddrGroup)> {
        let full = &self.snapshot.network_map.network_map;
        match &self.pids {
            None => full.iter().collect(),
            Some(pids) => pids.iter().filter_map(|p| full.get_key_value(p)).collect(),
        }
    }
}

impl Planned for NetworkSelection {
    /// Prefixes to copy.
    fn pairs(&self) -> u64 {
        let groups = self.groups();
        let prefixes = groups.iter().map(|(_, g)| g.ipv4.len() + g.ipv6.len());
        prefixes.sum::<usize>() as u64
    }

    fn write(&self, cancel: &Cancel) -> Result<Vec<u8>, ApiError> {
        let keep =
            |t: &str| self.address_types.is_empty() || self.address_types.iter().any(|x| x == t);
        let (v4, v6) = (keep("ipv4"), keep("ipv6"));
        let network_map: BTreeMap<String, EndpointAddrGroup> = self
            .groups()
            .into_iter()
            .map(|(pid, g)| {
                let group = EndpointAddrGroup {
                    ipv4: if v4 { g.ipv4.clone() } else { Vec::new() },
                    ipv6: if v6 { g.ipv6.clone() } else { Vec::new() },
                };
                (pid.clone(), group)
            })
            .collect();
        cancel.check()?;
        let doc = NetworkMapDoc {
            meta: NetworkMapMeta {
                vtag: self.snapshot.network_map.meta.vtag.clone(),
            },
            network_map,
        };
        Ok(serde_json::to_vec(&doc).unwrap_or_default())
    }
}

/// Parses every constraint; the first bad one is the error.
pub(super) fn parse_constraints(list: &[String]) -> Result<Vec<Constraint>, ApiError> {
    list.iter()
        .map(|c| {
            Constraint::parse(c)
                .map_err(|_| ErrorDoc::invalid_field_value("constraints", c.clone()).into())
        })
        .collect()
}
