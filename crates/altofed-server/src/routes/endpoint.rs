//! The endpoint property service (RFC 7285 §11.4.1) and the endpoint cost
//! service (RFC 7285 §11.5.1): what a DNS server or HTTP redirector asks to
//! rank CDN endpoints for a client address. CDN nodes that are down or
//! drained are left out of endpoint cost answers ([`super::unusable`]).
//!
//! Addresses are deduplicated first (a repeated address has no meaning of
//! its own), the source x destination pairs counted against
//! `max-pairs-per-request` before any work per pair, and the answer written
//! straight into the response buffer ([`super::offload`] decides where).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use altofed_model::endpoint::{
    EndpointCostMeta, EndpointCostRequest, EndpointPropDoc, EndpointPropMeta, EndpointPropRequest,
    TypedEndpointAddr,
};
use altofed_model::error::ErrorDoc;
use altofed_model::filter::Constraint;
use altofed_model::{media, CostType};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::Value;

use super::direction::{self, Kinds};
use super::filtered::parse_constraints;
use super::jsonout::CostRowsWriter;
use super::limits::too_many_pairs;
use super::offload::{answer, Cancel, Planned};
use super::propmap::non_empty;
use super::unusable;
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

/// Costs between the PIDs of each source and destination; an empty or
/// missing list stands for the client's own address (RFC 7285 §11.5.1.3).
pub async fn endpoint_costs(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    require_accept(&headers, media::ENDPOINT_COST)?;
    let limit = state.config().max_body_bytes;
    let body = checked_body(&headers, body, media::ENDPOINT_COST_PARAMS, limit)?;
    let snapshot = current(&state)?;
    let max_pairs = state.config().max_pairs_per_request;
    let published = state.config().published_direction;
    let plan = move |request| {
        let mut selection = EcsSelection::new(snapshot, request, client, max_pairs)?;
        selection.check_direction(published)?;
        selection.leave_out_unusable_nodes();
        Ok(selection)
    };
    let text = answer(state.work_pool(), body, plan).await?;
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

/// The sources and destinations of an endpoint cost request: distinct,
/// sorted (the answer's key order), each with its PID's number.
#[derive(Debug)]
struct EcsSelection {
    snapshot: Arc<Snapshot>,
    /// Index into the snapshot's cost maps.
    map: usize,
    srcs: Vec<(String, Option<usize>)>,
    dsts: Vec<(String, Option<usize>)>,
    constraints: Vec<Constraint>,
}

impl EcsSelection {
    fn new(
        snapshot: Arc<Snapshot>,
        request: EndpointCostRequest,
        client: SocketAddr,
        max_pairs: u64,
    ) -> Result<Self, ApiError> {
        let map = snapshot
            .cost_map_index_for(&request.cost_type)
            .ok_or_else(|| unsupported(&snapshot, &request.cost_type))?;
        let constraints = parse_constraints(request.constraints.as_deref().unwrap_or_default())?;
        let (srcs, dsts) = (request.endpoints.srcs, request.endpoints.dsts);
        let (srcs, dsts) = (srcs.unwrap_or_default(), dsts.unwrap_or_default());
        if srcs.is_empty() && dsts.is_empty() {
            return Err(ErrorDoc::missing_field("endpoints/dsts").into());
        }
        // An empty list is the client's own address.
        let own = || vec![TypedEndpointAddr(client.ip()).to_string()];
        let srcs = distinct(if srcs.is_empty() { own() } else { srcs });
        let dsts = distinct(if dsts.is_empty() { own() } else { dsts });
        let pairs = (srcs.len() as u64).saturating_mul(dsts.len() as u64);
        if pairs > max_pairs {
            return Err(too_many_pairs("endpoints", pairs, max_pairs));
        }
        let srcs = resolve(&snapshot, "endpoints/srcs", srcs)?;
        let dsts = resolve(&snapshot, "endpoints/dsts", dsts)?;
        Ok(Self {
            snapshot,
            map,
            srcs,
            dsts,
            constraints,
        })
    }
}

impl EcsSelection {
    /// A request whose pairs are all in the direction that is not
    /// published is an error ([`direction`]); addresses in no PID take no
    /// part.
    fn check_direction(
        &self,
        published: Option<direction::PublishedDirection>,
    ) -> Result<(), ApiError> {
        if published.is_none() {
            return Ok(());
        }
        let kinds = |list: &[(String, Option<usize>)]| {
            let mut kinds = Kinds::default();
            for index in list.iter().filter_map(|(_, pid)| *pid) {
                kinds.add_index(&self.snapshot, index);
            }
            kinds
        };
        direction::check(
            published,
            kinds(&self.srcs),
            kinds(&self.dsts),
            "endpoints/srcs",
        )
    }
}

impl EcsSelection {
    /// Nodes down or drained take no part in the answer ([`unusable`]): a
    /// source row is left out, a destination left out of every row. After
    /// the direction check, which is about what the request asks.
    fn leave_out_unusable_nodes(&mut self) {
        let snapshot = &self.snapshot;
        for (endpoint, pid) in self.srcs.iter_mut().chain(self.dsts.iter_mut()) {
            if pid.is_some() && unusable::endpoint(snapshot, endpoint) {
                *pid = None;
            }
        }
    }
}

impl Planned for EcsSelection {
    fn pairs(&self) -> u64 {
        (self.srcs.len() as u64).saturating_mul(self.dsts.len() as u64)
    }

    fn write(&self, cancel: &Cancel) -> Result<Vec<u8>, ApiError> {
        let entry = &self.snapshot.cost_maps[self.map];
        let meta = EndpointCostMeta {
            cost_type: entry.doc.meta.cost_type.clone(),
        };
        let mut out = CostRowsWriter::start(&meta, "endpoint-cost-map");
        for (src, src_pid) in &self.srcs {
            let Some(src_pid) = *src_pid else { continue };
            cancel.check()?;
            out.begin_row(src);
            for (dst, dst_pid) in &self.dsts {
                let cost = dst_pid.and_then(|d| entry.cost_by_index(src_pid, d));
                if let Some(cost) = cost.filter(|c| self.constraints.iter().all(|x| x.holds(*c))) {
                    out.entry(dst, cost);
                }
            }
            out.end_row();
        }
        Ok(out.finish())
    }
}

/// A cost type no cost map has: the mode if some map has the metric, else
/// the metric (RFC 7285 §11.5.1.4: `cost-type-names`).
fn unsupported(snapshot: &Snapshot, asked: &CostType) -> ApiError {
    let types = snapshot.cost_maps.iter().map(|c| &c.doc.meta.cost_type);
    let metric_offered = types
        .map(|t| &t.cost_metric)
        .any(|m| *m == asked.cost_metric);
    let doc = if metric_offered {
        ErrorDoc::invalid_field_value("cost-type/cost-mode", asked.cost_mode.as_str())
    } else {
        ErrorDoc::invalid_field_value("cost-type/cost-metric", asked.cost_metric.clone())
    };
    doc.into()
}

/// Each address with its PID's number in the network map (`None`: in no
/// PID); the first unparsable one is the error.
fn resolve(
    snapshot: &Snapshot,
    field: &str,
    addresses: Vec<String>,
) -> Result<Vec<(String, Option<usize>)>, ApiError> {
    addresses
        .into_iter()
        .map(|a| {
            let addr = parse_endpoint(field, &a)?;
            let pid = snapshot.lookup.lookup_index(addr.0);
            Ok((a, pid))
        })
        .collect()
}

/// Sorted, without repeats.
fn distinct(mut list: Vec<String>) -> Vec<String> {
    list.sort_unstable();
    list.dedup();
    list
}

fn parse_endpoint(field: &str, text: &str) -> Result<TypedEndpointAddr, ApiError> {
    TypedEndpointAddr::parse(text)
        .map_err(|_| ErrorDoc::invalid_field_value(field, text.to_owned()).into())
}
