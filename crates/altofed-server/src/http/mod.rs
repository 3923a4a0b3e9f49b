//! HTTP plumbing shared by the resources: ALTO error responses, JSON
//! request bodies, and content negotiation.

pub mod body;
pub mod cache;
pub mod error;
pub mod negotiate;

pub use cache::CachePolicy;
pub use error::ApiError;
