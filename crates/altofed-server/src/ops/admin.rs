//! The admin API (behind the admin authentication):
//!
//! - `GET /admin/nodes`: `{"nodes": {"<address>": <status>, ...}}`
//! - `GET /admin/nodes/{address}`: the node's status, or 404
//! - `PUT /admin/nodes/{address}` with `application/json`
//!   `{"health": "up"|"down", "load": 0.0..=1.0, "drained": bool}`: sets it,
//!   republishes the property map, answers 200 with the stored status
//! - `PUT /admin/nodes` with `application/json`
//!   `{"nodes": {"<address>": <status> | null, ...}}`: sets each listed node
//!   (`null` clears it) in one publish, others untouched; answers 200 with
//!   `{"nodes": {...}}`, the stored statuses of the listed nodes (cleared
//!   ones left out). All or nothing: one bad entry and none is applied. At
//!   most [`MAX_BATCH`](super::node_batch::MAX_BATCH) entries.
//! - `DELETE /admin/nodes/{address}`: clears it (204, or 404 if unknown)
//! - `POST /admin/recompute`: asks the engine for a recompute (202, or 501
//!   when no engine hook is registered)
//!
//! A status change is answered once the property map that shows it is
//! served: a client that reads the map after its answer sees its change.
//! Changes from concurrent requests are published together, one snapshot
//! for all of them, and only the property maps are rebuilt
//! ([`crate::AppState::change_nodes`]); a burst of changes costs far fewer
//! publishes than changes.
//!
//! Bad input is an ALTO error document (400) naming the field and value:
//! `address`, `health`, `load`, `drained` (RFC 7285 §8.5.2 codes); in a
//! batch the path of the entry's member, e.g. `nodes/192.0.2.10/load`, or
//! `nodes` with the bad address as the value.
//!
//! With `ServerConfig::nodes_in_cdn_pids` (`altofed serve`), a status for
//! an address in no CDN PID is refused the same way (400,
//! `E_INVALID_FIELD_VALUE`, field `address` or `nodes/<address>`, the
//! address as the value, and a `message` saying so; see
//! [`super::node_scope`]); nothing is applied.

use std::collections::BTreeMap;
use std::net::IpAddr;

use altofed_model::error::ErrorDoc;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;

use super::node_batch::{batch_changes, BatchBody};
use super::node_book::{NodeChangeError, NodeChanges};
use super::node_scope;
use super::nodes::NodeStatus;
use crate::http::body::decode;
use crate::http::ApiError;
use crate::state::AppState;

const JSON: &str = "application/json";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/nodes", get(list_nodes).put(put_nodes))
        .route(
            "/admin/nodes/{address}",
            get(get_node).put(put_node).delete(delete_node),
        )
        .route("/admin/recompute", post(recompute))
}

/// Failures of admin requests.
#[derive(Debug)]
enum AdminError {
    Api(ApiError),
    /// The status was not applied: the documents with it cannot be served.
    Publish(NodeChangeError),
}

impl From<ApiError> for AdminError {
    fn from(e: ApiError) -> Self {
        AdminError::Api(e)
    }
}

impl From<ErrorDoc> for AdminError {
    fn from(doc: ErrorDoc) -> Self {
        AdminError::Api(ApiError::Alto(doc))
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        match self {
            AdminError::Api(e) => e.into_response(),
            AdminError::Publish(e) => {
                tracing::error!("node status not applied: {e}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("node status not applied: {e}\n"),
                )
                    .into_response()
            }
        }
    }
}

#[derive(Debug, Serialize)]
struct NodeList {
    nodes: BTreeMap<IpAddr, NodeStatus>,
}

async fn list_nodes(State(state): State<AppState>) -> Json<NodeList> {
    Json(NodeList {
        nodes: state.node_statuses(),
    })
}

async fn get_node(
    State(state): State<AppState>,
    Path(address): Path<String>,
) -> Result<Json<NodeStatus>, AdminError> {
    let ip = parse_address(&address)?;
    let status = state.node_statuses().get(&ip).copied();
    status
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("node {address}")).into())
}

async fn put_node(
    State(state): State<AppState>,
    Path(address): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<NodeStatus>, AdminError> {
    let ip = parse_address(&address)?;
    let status: NodeStatus = decode(&headers, body, JSON, state.config().max_body_bytes)?;
    status.validate()?;
    let changes = vec![(ip, Some(status))];
    node_scope::check(&state, &changes, |_| "address".to_owned())?;
    apply(&state, changes).await?;
    Ok(Json(status))
}

async fn put_nodes(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<NodeList>, AdminError> {
    let body: BatchBody = decode(&headers, body, JSON, state.config().max_body_bytes)?;
    let changes = batch_changes(body.nodes)?;
    // All or nothing: one address outside the CDN PIDs refuses the batch.
    node_scope::check(&state, &changes, |address| format!("nodes/{address}"))?;
    let stored = changes
        .iter()
        .filter_map(|&(address, status)| Some((address, status?)))
        .collect();
    apply(&state, changes).await?;
    Ok(Json(NodeList { nodes: stored }))
}

async fn delete_node(
    State(state): State<AppState>,
    Path(address): Path<String>,
) -> Result<StatusCode, AdminError> {
    let ip = parse_address(&address)?;
    match apply(&state, vec![(ip, None)]).await?.first() {
        Some(Some(_)) => Ok(StatusCode::NO_CONTENT),
        _ => Err(ApiError::NotFound(format!("node {address}")).into()),
    }
}

async fn recompute(State(state): State<AppState>) -> Response {
    if state.request_recompute() {
        (
            StatusCode::ACCEPTED,
            Json(serde_json::json!({"recompute": "requested"})),
        )
            .into_response()
    } else {
        (
            StatusCode::NOT_IMPLEMENTED,
            "this server has no engine to recompute\n",
        )
            .into_response()
    }
}

/// Applies the changes and waits for the publish that shows them; returns
/// each node's previous status.
async fn apply(
    state: &AppState,
    changes: NodeChanges,
) -> Result<Vec<Option<NodeStatus>>, AdminError> {
    state
        .change_nodes(changes)
        .await
        .map_err(AdminError::Publish)
}

/// A node is one IPv4 or IPv6 address (no prefix).
fn parse_address(text: &str) -> Result<IpAddr, ErrorDoc> {
    text.parse()
        .map_err(|_| ErrorDoc::invalid_field_value("address", text))
}
