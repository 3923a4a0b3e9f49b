//! Filtered network maps (RFC 7285 §11.3.1) and the dispatch of
//! `/maps/{id}/filtered` to the right filter for the resource kind
//! (filtered cost maps: [`super::costfilter`]).

use std::collections::BTreeMap;

use altofed_model::error::ErrorDoc;
use altofed_model::filter::{Constraint, CostMapFilter, NetworkMapFilter};
use altofed_model::{media, EndpointAddrGroup, NetworkMapDoc, NetworkMapMeta};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::costfilter::CostSelection;
use super::offload::answer;
use super::{current, json_bytes_response, json_response, propmap};
use crate::http::body::{checked_body, decode};
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
    if id == snapshot.ids.network_map {
        require_accept(&headers, media::NETWORK_MAP)?;
        let filter = decode(&headers, body, media::NETWORK_MAP_FILTER, limit)?;
        return Ok(json_response(
            media::NETWORK_MAP,
            &filter_network_map(&snapshot, &filter),
        ));
    }
    if let Some(map) = snapshot.cost_maps.iter().position(|c| c.id == id) {
        require_accept(&headers, media::COST_MAP)?;
        let body = checked_body(&headers, body, media::COST_MAP_FILTER, limit)?;
        let max_pairs = state.config().max_pairs_per_request;
        let plan =
            move |filter: CostMapFilter| CostSelection::new(snapshot, map, &filter, max_pairs);
        let text = answer(state.work_pool(), body, plan).await?;
        return Ok(json_bytes_response(media::COST_MAP, text));
    }
    if let Some(map) = snapshot.property_maps.get(&id) {
        require_accept(&headers, media::PROPERTY_MAP)?;
        let filter = decode(&headers, body, media::PROPERTY_MAP_PARAMS, limit)?;
        return Ok(json_response(
            media::PROPERTY_MAP,
            &propmap::filter_property_map(map, &filter)?,
        ));
    }
    Err(ApiError::NotFound(format!("{id}/filtered")))
}

/// RFC 7285 §11.3.1: empty `pids` means all; unknown PIDs and address
/// types are ignored; the vtag is the full map's.
fn filter_network_map(snapshot: &Snapshot, filter: &NetworkMapFilter) -> NetworkMapDoc {
    let full = &snapshot.network_map;
    let types = filter.address_types.as_deref().unwrap_or_default();
    let keep = |t: &str| types.is_empty() || types.iter().any(|x| x == t);
    let select = |group: &EndpointAddrGroup| EndpointAddrGroup {
        ipv4: if keep("ipv4") {
            group.ipv4.clone()
        } else {
            Vec::new()
        },
        ipv6: if keep("ipv6") {
            group.ipv6.clone()
        } else {
            Vec::new()
        },
    };
    let network_map: BTreeMap<_, _> = if filter.pids.is_empty() {
        full.network_map
            .iter()
            .map(|(pid, g)| (pid.clone(), select(g)))
            .collect()
    } else {
        // Into a map: a PID asked for twice is answered once.
        filter
            .pids
            .iter()
            .filter_map(|pid| full.network_map.get_key_value(pid))
            .map(|(pid, g)| (pid.clone(), select(g)))
            .collect()
    };
    NetworkMapDoc {
        meta: NetworkMapMeta {
            vtag: full.meta.vtag.clone(),
        },
        network_map,
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
