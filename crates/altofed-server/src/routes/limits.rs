//! What one request may ask for.

use altofed_model::error::{ErrorCode, ErrorDoc};

use crate::http::ApiError;

/// Distinct source-destination pairs one request may ask for, unless
/// configured (`server.limits.max-pairs-per-request`). At the scale of a large
/// CDN (300 CDN PIDs x 17,000 subscriber PIDs) a million pairs is a
/// 25-35 MB answer written in well under a second.
pub const DEFAULT_MAX_PAIRS_PER_REQUEST: u64 = 1_000_000;

/// The error for a request over the pair limit: `E_INVALID_FIELD_VALUE` on
/// `field` (the member holding the lists: `pids`, `endpoints`), with a
/// message naming the limit and what was asked.
pub(crate) fn too_many_pairs(field: &str, asked: u64, max: u64) -> ApiError {
    ErrorDoc::with_field(ErrorCode::InvalidFieldValue, field)
        .with_message(format!(
            "this request asks for {asked} distinct source-destination pairs; \
             the server answers at most {max} per request \
             (server.limits.max-pairs-per-request): split it into smaller requests"
        ))
        .into()
}
