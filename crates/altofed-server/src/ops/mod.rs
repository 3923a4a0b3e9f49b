//! Operations endpoints (being written).

use axum::Router;

use crate::state::AppState;

/// Routes of the operations endpoints.
pub fn routes() -> Router<AppState> {
    Router::new()
}
