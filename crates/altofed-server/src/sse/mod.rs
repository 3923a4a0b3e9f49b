//! RFC 8895 update streams (being written).

use axum::Router;

use crate::state::AppState;

/// Routes of the update stream service.
pub fn routes() -> Router<AppState> {
    Router::new()
}
