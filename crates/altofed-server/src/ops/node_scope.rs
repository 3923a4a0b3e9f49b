//! Which addresses may be given a node status. A node status describes a
//! CDN node (draft-penno-alto-cdn §4.1.3), and the endpoint cost service
//! leaves out nodes that are down or drained: a status on a subscriber's
//! address would silently drop that subscriber from answers. So, with
//! [`crate::ServerConfig::nodes_in_cdn_pids`] (`altofed serve`), an address
//! must be in a CDN PID (`.priv:kind` = `cdn` in the property map) of the
//! current network map. Clearing a status is always allowed, so that a
//! status left on an address the topology no longer covers can go.
//!
//! A server of static files has no CDN topology to check against and
//! leaves the setting off.

use std::net::IpAddr;

use altofed_model::error::{ErrorCode, ErrorDoc};

use super::node_book::NodeChanges;
use crate::http::ApiError;
use crate::routes::pid_is_cdn;
use crate::state::AppState;

/// `Ok` when every status set in `changes` is for an address in a CDN PID
/// (or the check is off). Otherwise the ALTO error of the first other one
/// (`E_INVALID_FIELD_VALUE`, the field named by `field`, the address as
/// the value); 503 while nothing is published (no network map to look in).
pub(crate) fn check(
    state: &AppState,
    changes: &NodeChanges,
    field: impl Fn(IpAddr) -> String,
) -> Result<(), ApiError> {
    if !state.config().nodes_in_cdn_pids {
        return Ok(());
    }
    let mut set = changes.iter().filter(|(_, s)| s.is_some()).peekable();
    if set.peek().is_none() {
        return Ok(());
    }
    let snapshot = state.snapshot().ok_or(ApiError::Unavailable)?;
    for &(address, _) in set {
        let index = snapshot.lookup.lookup_index(address);
        if index.is_some_and(|i| pid_is_cdn(&snapshot, i) == Some(true)) {
            continue;
        }
        let within = match snapshot.lookup.lookup(address) {
            Some(pid) => format!("it is in PID {pid}"),
            None => "it is in no PID".to_owned(),
        };
        let message = format!(
            "{address} is in no CDN PID of the CDN topology ({within}): \
             node statuses are for CDN nodes"
        );
        let doc = ErrorDoc::with_field_value(
            ErrorCode::InvalidFieldValue,
            field(address),
            address.to_string(),
        );
        return Err(doc.with_message(message).into());
    }
    Ok(())
}
