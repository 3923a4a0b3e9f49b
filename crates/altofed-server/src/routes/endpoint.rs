//! The endpoint property service (RFC 7285 §11.4.1) and the endpoint cost
//! service (RFC 7285 §11.5.1): what a DNS server or HTTP redirector asks to
//! rank CDN endpoints for a client address.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use altofed_model::endpoint::{
    EndpointCostDoc, EndpointCostMeta, EndpointCostRequest, EndpointPropDoc, EndpointPropMeta,
    EndpointPropRequest, TypedEndpointAddr,
};
use altofed_model::error::ErrorDoc;
use altofed_model::{media, Cost};
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::Value;

use super::filtered::parse_constraints;
use super::{current, json_response};
use crate::http::body::RequestMediaType;
use crate::http::negotiate::require_accept;
use crate::http::{AltoJson, ApiError};
use crate::state::AppState;

impl RequestMediaType for EndpointPropRequest {
    const MEDIA_TYPE: &'static str = media::ENDPOINT_PROP_PARAMS;
}

impl RequestMediaType for EndpointCostRequest {
    const MEDIA_TYPE: &'static str = media::ENDPOINT_COST_PARAMS;
}

/// Only `<network-map>.pid` is offered (RFC 7285 §11.4.1.4).
pub async fn endpoint_properties(
    State(state): State<AppState>,
    headers: HeaderMap,
    AltoJson(request): AltoJson<EndpointPropRequest>,
) -> Result<Response, ApiError> {
    require_accept(&headers, media::ENDPOINT_PROP)?;
    let snapshot = current(&state)?;
    let pid_property = format!("{}.pid", snapshot.ids.network_map);
    if let Some(bad) = request.properties.iter().find(|p| **p != pid_property) {
        return Err(ErrorDoc::invalid_field_value("properties", bad.clone()).into());
    }
    let mut rows = BTreeMap::new();
    for endpoint in &request.endpoints {
        let addr = parse_endpoint("endpoints", endpoint)?;
        if let Some(pid) = snapshot.lookup.lookup(addr.0) {
            rows.insert(
                endpoint.clone(),
                BTreeMap::from([(pid_property.clone(), Value::String(pid.to_owned()))]),
            );
        }
    }
    let doc = EndpointPropDoc {
        meta: EndpointPropMeta {
            dependent_vtags: vec![snapshot.network_map_vtag().clone()],
        },
        endpoint_properties: rows,
    };
    Ok(json_response(media::ENDPOINT_PROP, &doc))
}

/// Costs between the PIDs of each source and destination; an empty or
/// missing list stands for the client's own address (RFC 7285 §11.5.1.3).
pub async fn endpoint_costs(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    AltoJson(request): AltoJson<EndpointCostRequest>,
) -> Result<Response, ApiError> {
    require_accept(&headers, media::ENDPOINT_COST)?;
    let snapshot = current(&state)?;
    let entry = snapshot.cost_map_for(&request.cost_type).ok_or_else(|| {
        ErrorDoc::invalid_field_value(
            "cost-type/cost-metric",
            request.cost_type.cost_metric.clone(),
        )
    })?;
    let constraints = parse_constraints(request.constraints.as_deref().unwrap_or_default())?;
    let (srcs, dsts) = (request.endpoints.srcs(), request.endpoints.dsts());
    if srcs.is_empty() && dsts.is_empty() {
        return Err(ErrorDoc::missing_field("endpoints/dsts").into());
    }
    // Formatted only when a list is left out: most requests name both.
    let own = if srcs.is_empty() || dsts.is_empty() {
        vec![TypedEndpointAddr(client.ip()).to_string()]
    } else {
        Vec::new()
    };
    let srcs = if srcs.is_empty() { &own[..] } else { srcs };
    let dsts = if dsts.is_empty() { &own[..] } else { dsts };
    // Each address to its PID's number once; costs are then found by
    // number, never by comparing PID names.
    let dst_pids = dsts
        .iter()
        .map(|d| {
            let addr = parse_endpoint("endpoints/dsts", d)?;
            Ok((d, snapshot.lookup.lookup_index(addr.0)))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let mut rows = BTreeMap::new();
    for src in srcs {
        let addr = parse_endpoint("endpoints/srcs", src)?;
        let Some(src_pid) = snapshot.lookup.lookup_index(addr.0) else {
            continue;
        };
        let costs: BTreeMap<String, Cost> = dst_pids
            .iter()
            .filter_map(|(dst, dst_pid)| {
                let cost = entry.cost_by_index(src_pid, (*dst_pid)?)?;
                constraints
                    .iter()
                    .all(|c| c.holds(cost))
                    .then(|| ((*dst).clone(), Cost(cost)))
            })
            .collect();
        if !costs.is_empty() {
            rows.insert(src.clone(), costs);
        }
    }
    let doc = EndpointCostDoc {
        meta: EndpointCostMeta {
            cost_type: entry.doc.meta.cost_type.clone(),
        },
        endpoint_cost_map: rows,
    };
    Ok(json_response(media::ENDPOINT_COST, &doc))
}

fn parse_endpoint(field: &str, text: &str) -> Result<TypedEndpointAddr, ApiError> {
    TypedEndpointAddr::parse(text)
        .map_err(|_| ErrorDoc::invalid_field_value(field, text.to_owned()).into())
}
