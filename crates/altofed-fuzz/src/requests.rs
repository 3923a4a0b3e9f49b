//! Request bodies of the ALTO server (issue #11): parsed by the server's
//! own body parser, then put through the checks its handlers make before
//! they look at a snapshot. Answer-level targets (a request against a
//! snapshot) belong here too, one small function each.

use altofed_model::endpoint::{EndpointCostRequest, EndpointPropRequest, TypedEndpointAddr};
use altofed_model::filter::{Constraint, CostMapFilter, NetworkMapFilter};
use altofed_model::propmap::PropertyMapFilter;
use altofed_model::validate::{validate_entity_id, validate_property_name};
use altofed_model::validate_resource_id;
use altofed_server::http::body::parse_body;
use altofed_server::ops::NodeStatus;
use altofed_server::sse::UpdateStreamParams;
use axum::response::IntoResponse;
use serde::de::DeserializeOwned;

/// The body as the server parses it; a refused body is turned into the
/// response the client would get (that code runs on hostile input too).
fn body<T: DeserializeOwned>(data: &[u8]) -> Option<T> {
    match parse_body::<T>(data) {
        Ok(value) => Some(value),
        Err(e) => {
            drop(e.into_response());
            None
        }
    }
}

/// Each constraint as `filtered::parse_constraints` reads it, and applied
/// as the cost filters apply it.
fn constraints(list: Option<&[String]>) {
    for text in list.unwrap_or_default() {
        if let Ok(c) = Constraint::parse(text) {
            let _ = (c.holds(0.0), c.holds(c.value), c.to_string());
        }
    }
}

/// Each address as the endpoint services parse it.
fn endpoints(list: &[String]) {
    for text in list {
        if let Ok(addr) = TypedEndpointAddr::parse(text) {
            let _ = (addr.address_type(), addr.to_string());
        }
    }
}

/// `POST /maps/{network map}/filtered`: the handler only selects.
pub fn filtered_network_map(data: &[u8]) {
    let _ = body::<NetworkMapFilter>(data);
}

/// `POST /maps/{cost map}/filtered`.
pub fn filtered_cost_map(data: &[u8]) {
    if let Some(filter) = body::<CostMapFilter>(data) {
        constraints(filter.constraints.as_deref());
    }
}

/// `POST /maps/{property map}/filtered` (RFC 9240 §8).
pub fn filtered_property_map(data: &[u8]) {
    if let Some(filter) = body::<PropertyMapFilter>(data) {
        for entity in &filter.entities {
            let _ = validate_entity_id(entity);
        }
        for name in &filter.properties {
            let _ = validate_property_name(name);
        }
    }
}

/// The endpoint property service.
pub fn endpoint_prop(data: &[u8]) {
    if let Some(request) = body::<EndpointPropRequest>(data) {
        endpoints(&request.endpoints);
    }
}

/// The endpoint cost service.
pub fn endpoint_cost(data: &[u8]) {
    if let Some(request) = body::<EndpointCostRequest>(data) {
        constraints(request.constraints.as_deref());
        endpoints(request.endpoints.srcs());
        endpoints(request.endpoints.dsts());
    }
}

/// `POST /updates` and `POST /updates/control/{id}` (RFC 8895): the
/// substream ids are checked first (`validate_add` needs a snapshot).
pub fn update_stream(data: &[u8]) {
    if let Some(params) = body::<UpdateStreamParams>(data) {
        for (id, request) in params.add.iter().flat_map(|a| &a.0) {
            let _ = (
                validate_resource_id(id),
                validate_resource_id(&request.resource_id),
            );
        }
    }
}

/// `PUT /admin/nodes/{address}`.
pub fn admin_node_status(data: &[u8]) {
    if let Some(status) = body::<NodeStatus>(data) {
        if status.validate().is_ok() {
            let _ = status.properties();
        }
    }
}
