//! Filtered network and cost maps (RFC 7285 §11.3) and the dispatch of
//! `/maps/{id}/filtered` to the right filter for the resource kind.

use std::collections::BTreeMap;

use altofed_model::error::ErrorDoc;
use altofed_model::filter::{Constraint, CostMapFilter, NetworkMapFilter};
use altofed_model::{
    media, Cost, CostMapDoc, CostMapMeta, CostRow, CostRows, CostTable, EndpointAddrGroup,
    NetworkMapDoc, NetworkMapMeta,
};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::{current, json_response, propmap};
use crate::http::body::decode;
use crate::http::negotiate::require_accept;
use crate::http::ApiError;
use crate::snapshot::{CostMapEntry, Snapshot};
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
    if let Some(entry) = snapshot.cost_maps.iter().find(|c| c.id == id) {
        require_accept(&headers, media::COST_MAP)?;
        let filter = decode(&headers, body, media::COST_MAP_FILTER, limit)?;
        return Ok(json_response(
            media::COST_MAP,
            &filter_cost_map(&snapshot, entry, &filter)?,
        ));
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
        filter
            .pids
            .iter()
            .filter_map(|pid| full.network_map.get(pid).map(|g| (pid.clone(), select(g))))
            .collect()
    };
    NetworkMapDoc {
        meta: NetworkMapMeta {
            vtag: full.meta.vtag.clone(),
        },
        network_map,
    }
}

/// RFC 7285 §11.3.2: the cost type must be this map's; constraints are
/// ANDed; empty `srcs`/`dsts` mean all; unknown PIDs are ignored.
fn filter_cost_map(
    snapshot: &Snapshot,
    entry: &CostMapEntry,
    filter: &CostMapFilter,
) -> Result<CostMapDoc, ApiError> {
    let own = &entry.doc.meta.cost_type;
    if filter.cost_type.cost_metric != own.cost_metric {
        return Err(ErrorDoc::invalid_field_value(
            "cost-type/cost-metric",
            filter.cost_type.cost_metric.clone(),
        )
        .into());
    }
    if filter.cost_type.cost_mode != own.cost_mode {
        let mode = serde_json::to_value(filter.cost_type.cost_mode)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned));
        return Err(
            ErrorDoc::invalid_field_value("cost-type/cost-mode", mode.unwrap_or_default()).into(),
        );
    }
    let constraints = parse_constraints(filter.constraints.as_deref().unwrap_or_default())?;
    let (srcs, dsts) = filter
        .pids
        .as_ref()
        .map_or((&[][..], &[][..]), |p| (&p.srcs[..], &p.dsts[..]));
    let rows = select_pairs(&entry.doc.cost_map, srcs, dsts, &constraints);
    Ok(CostMapDoc {
        meta: CostMapMeta {
            dependent_vtags: vec![snapshot.network_map_vtag().clone()],
            cost_type: own.clone(),
            vtag: None,
        },
        cost_map: rows,
    })
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

/// The requested pairs that exist and satisfy every constraint.
fn select_pairs(
    table: &CostTable,
    srcs: &[String],
    dsts: &[String],
    constraints: &[Constraint],
) -> CostRows {
    let passes = |cost: f64| constraints.iter().all(|c| c.holds(cost));
    let pick_row = |row: CostRow<'_>| -> BTreeMap<String, Cost> {
        if dsts.is_empty() {
            row.iter()
                .filter(|(_, c)| passes(c.0))
                .map(|(d, c)| (d.to_owned(), c))
                .collect()
        } else {
            dsts.iter()
                .filter_map(|d| row.get(d).filter(|c| passes(c.0)).map(|c| (d.clone(), c)))
                .collect()
        }
    };
    let chosen: Vec<(&str, CostRow<'_>)> = if srcs.is_empty() {
        table.rows().collect()
    } else {
        srcs.iter()
            .filter_map(|s| Some((s.as_str(), table.row(s)?)))
            .collect()
    };
    chosen
        .into_iter()
        .map(|(src, row)| (src.to_owned(), pick_row(row)))
        .filter(|(_, row)| !row.is_empty())
        .collect()
}
