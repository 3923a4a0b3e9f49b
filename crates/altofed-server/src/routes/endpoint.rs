//! The endpoint property service (RFC 7285 §11.4.1) and the endpoint cost
//! service (RFC 7285 §11.5.1, answered by [`super::endpointcost`]).
//! Addresses are deduplicated first (a repeated address has no meaning of
//! its own); [`super::offload`] decides where the answer is written.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use altofed_model::endpoint::{
    EndpointCostRequest, EndpointPropDoc, EndpointPropMeta, EndpointPropRequest, TypedEndpointAddr,
};
use altofed_model::error::ErrorDoc;
use altofed_model::media;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::Value;

use super::ecsparams;
use super::endpointcost::Ask;
use super::offload::{answer, write_planned, Cancel, Planned, INLINE_BODY_BYTES, INLINE_PAIRS};
use super::propmap::non_empty;
use super::{current, json_bytes_response};
use crate::http::body::checked_body;
use crate::http::negotiate::require_accept;
use crate::http::ApiError;
use crate::snapshot::Snapshot;
use crate::state::AppState;

/// Only `<network-map>.pid` is offered (RFC 7285 §11.4.1.4). Every
/// requested endpoint is answered (RFC 7285 §11.4.1.6): one in no PID
/// (possible only without a catch-all PID) with no properties, `{}`.
pub async fn endpoint_properties(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    require_accept(&headers, media::ENDPOINT_PROP)?;
    let limit = state.config().max_body_bytes;
    let body = checked_body(&headers, body, media::ENDPOINT_PROP_PARAMS, limit)?;
    let snapshot = current(&state)?;
    let plan = move |request| PropSelection::new(snapshot, request);
    let text = answer(state.work_pool(), body, plan).await?;
    Ok(json_bytes_response(media::ENDPOINT_PROP, text))
}

/// The endpoint cost service: costs between the PIDs of each source and
/// destination; an empty or missing list stands for the client's own
/// address (RFC 7285 §11.5.1.3). It is the service asked most, with the
/// smallest requests, so the usual request is read without copying its
/// addresses ([`super::ecsparams`]) and answered on the async worker;
/// anything else goes through serde and [`super::offload`] as the other
/// POST services do.
///
/// Takes the whole request rather than `HeaderMap` and `Bytes`: axum's
/// `HeaderMap` extractor clones the headers, a cost on every request of
/// the busiest service. The body is read whole first, as the `Bytes`
/// extractor did, within the same limit (`DefaultBodyLimit` is set to
/// `max_body_bytes` for every route).
pub async fn endpoint_costs(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let limit = state.config().max_body_bytes;
    let body = axum::body::to_bytes(body, limit).await;
    let headers = &parts.headers;
    require_accept(headers, media::ENDPOINT_COST)?;
    let body = checked_body(headers, body, media::ENDPOINT_COST_PARAMS, limit)?;
    let snapshot = current(&state)?;
    let ask = Ask {
        client,
        max_pairs: state.config().max_pairs_per_request,
        published: state.config().published_direction,
    };
    let pool = state.work_pool();
    let usual = (body.len() <= INLINE_BODY_BYTES)
        .then(|| ecsparams::parse(&body))
        .flatten();
    let text = match usual {
        Some(params) => {
            // An ordinal map is ranked on first use: off this worker.
            let map = snapshot.cost_map_index_of(&params.metric, params.mode);
            snapshot.build_cost_maps(map).await;
            let selection = ask.plan(snapshot, params)?;
            if selection.pairs() <= INLINE_PAIRS {
                selection.write(&Cancel::never())?
            } else {
                write_planned(pool, selection.into_owned()).await?
            }
        }
        None => {
            // The cost type is known once parsed, below: rank now whatever
            // is ranked on first use (rare request forms only come here).
            snapshot.build_cost_maps(0..snapshot.cost_maps.len()).await;
            let plan = move |request: EndpointCostRequest| ask.plan(snapshot, request.into());
            answer(pool, body, plan).await?
        }
    };
    Ok(json_bytes_response(media::ENDPOINT_COST, text))
}

const RFC_7285_11_4_1_3: &str = "RFC 7285 §11.4.1.3";

/// The endpoints of a property request, deduplicated.
#[derive(Debug)]
struct PropSelection {
    snapshot: Arc<Snapshot>,
    property: String,
    endpoints: Vec<String>,
}

impl PropSelection {
    fn new(snapshot: Arc<Snapshot>, request: EndpointPropRequest) -> Result<Self, ApiError> {
        let property = format!("{}.pid", snapshot.ids.network_map);
        non_empty("properties", &request.properties, RFC_7285_11_4_1_3)?;
        non_empty("endpoints", &request.endpoints, RFC_7285_11_4_1_3)?;
        if let Some(bad) = request.properties.iter().find(|p| **p != property) {
            return Err(ErrorDoc::invalid_field_value("properties", bad.clone()).into());
        }
        Ok(Self {
            snapshot,
            property,
            endpoints: distinct(request.endpoints),
        })
    }
}

impl Planned for PropSelection {
    fn pairs(&self) -> u64 {
        self.endpoints.len() as u64
    }

    fn write(&self, cancel: &Cancel) -> Result<Vec<u8>, ApiError> {
        let mut rows = BTreeMap::new();
        for endpoint in &self.endpoints {
            let addr = parse_endpoint("endpoints", endpoint)?;
            let pid = self.snapshot.lookup.lookup(addr.0);
            let value = |pid: &str| (self.property.clone(), Value::String(pid.to_owned()));
            rows.insert(endpoint.clone(), pid.map(value).into_iter().collect());
        }
        cancel.check()?;
        let doc = EndpointPropDoc {
            meta: EndpointPropMeta {
                dependent_vtags: vec![self.snapshot.network_map_vtag().clone()],
            },
            endpoint_properties: rows,
        };
        Ok(serde_json::to_vec(&doc).unwrap_or_default())
    }
}

/// Sorted, without repeats.
pub(super) fn distinct<T: Ord>(mut list: Vec<T>) -> Vec<T> {
    list.sort_unstable();
    list.dedup();
    list
}

pub(super) fn parse_endpoint(field: &str, text: &str) -> Result<TypedEndpointAddr, ApiError> {
    TypedEndpointAddr::parse(text)
        .map_err(|_| ErrorDoc::invalid_field_value(field, text.to_owned()).into())
}
