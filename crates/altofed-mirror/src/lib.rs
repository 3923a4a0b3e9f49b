//! `altofed mirror`: a read replica of an ALTO server (an `altofed
//! serve`). It follows every map of the upstream's IRD and republishes
//! them through [`altofed_server::AppState::publish`], the code the
//! upstream serves them with, so bodies (every content coding), vtags and
//! ETags are the upstream's; the POST services and update streams are its
//! own, answered from those documents. docs/mirror.md is the operator's
//! guide.
//!
//! - [`set`]: the pure steps: the pulled maps checked as one consistent
//!   set and turned into [`altofed_server::snapshot::Documents`], the
//!   stale mark, the check of the served bodies against the upstream's;
//! - [`config`]: the file, `mirror.toml`;
//! - [`metrics`]: the `altofed_mirror_*` series;
//! - [`follow`]: the task: pull, publish, stream or poll, back off, mark
//!   stale, catch up.

pub mod config;
pub mod follow;
pub mod metrics;
pub mod set;

pub use config::MirrorConfig;
pub use follow::Mirror;
pub use set::{MirrorError, STALE_SINCE};
