//! The ALTO client for one peer's server (RFC 7285, RFC 8895).
//!
//! [`HttpPeer::fetch`] pulls the IRD, picks the network map, the numerical
//! cost map of the configured metric and (optionally) a property map,
//! fetches them with conditional requests, checks media types, sizes and
//! schemas, and checks that the cost map belongs to the network map.
//! [`HttpPeer::spawn`] runs a watcher task that polls, or subscribes to the
//! peer's update stream where it offers one, and reports [`PeerEvent`]s;
//! after a failure it retries with capped exponential backoff and jitter
//! ([`backoff::retry_delay`]).
//!
//! - `client`: the reqwest client (TLS roots, credentials, timeouts),
//!   `redirect`: which redirects it follows;
//! - `get`: one bounded, checked GET;
//! - `directory`: IRD resolution and resource selection; `ird`: reading
//!   the IRDs;
//! - `fetch`: one pull of all maps;
//! - `watch`: the task; `sse`: the update stream subscriber;
//! - [`ingest`]: the pure parts of the above, callable without IO (fuzzing);
//! - [`metrics`]: Prometheus metrics shared by all peers;
//! - [`upstream`]: every map of one server, for `altofed mirror`.

pub mod backoff;
mod client;
mod directory;
mod error;
mod fetch;
mod get;
pub mod ingest;
mod ird;
pub mod metrics;
mod redirect;
mod sse;
pub mod upstream;
mod watch;

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use altofed_core::config::HttpOptions;
use altofed_core::peer::PeerMaps;
use reqwest::Url;

pub use error::{FetchError, HttpPeerError};
pub use metrics::PeerMetrics;

#[cfg(doc)]
use crate::PeerEvent;

/// The outcome of a successful [`HttpPeer::fetch`]. One is made per pull
/// and moved, never stored in bulk, so the maps stay unboxed.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum Fetched {
    /// Nothing changed since the last successful fetch.
    Unchanged,
    /// New maps, checked (media types, schema, dependent vtag).
    Updated(PeerMaps),
}

/// One peer's ALTO server, and what was last fetched from it.
pub struct HttpPeer {
    name: String,
    ird_url: Url,
    client: reqwest::Client,
    options: HttpOptions,
    metrics: PeerMetrics,
    held: fetch::Held,
}

impl fmt::Debug for HttpPeer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpPeer")
            .field("name", &self.name)
            .field("ird_url", &self.ird_url.as_str())
            .field("has_maps", &self.held.maps.is_some())
            .finish_non_exhaustive()
    }
}

impl HttpPeer {
    /// A client for the peer `name` whose Root IRD is at `ird_url`.
    /// `base_dir` is where a relative `ca-file` is looked up (the
    /// configuration file's directory).
    pub fn new(
        name: &str,
        ird_url: Url,
        options: &HttpOptions,
        base_dir: &Path,
    ) -> Result<HttpPeer, HttpPeerError> {
        if !matches!(ird_url.scheme(), "http" | "https") {
            return Err(HttpPeerError::Scheme {
                peer: name.to_owned(),
                url: ird_url,
            });
        }
        let client = client::build(name, options, base_dir)?;
        Ok(HttpPeer {
            name: name.to_owned(),
            ird_url,
            client,
            options: options.clone(),
            metrics: PeerMetrics::unregistered(),
            held: fetch::Held::default(),
        })
    }

    /// Counts into `metrics` (e.g. one [`PeerMetrics`] registered on the
    /// server's registry and cloned for every peer).
    #[must_use]
    pub fn with_metrics(mut self, metrics: PeerMetrics) -> Self {
        self.metrics = metrics;
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn ird_url(&self) -> &Url {
        &self.ird_url
    }

    /// The last good maps, if any were fetched.
    pub fn maps(&self) -> Option<Arc<PeerMaps>> {
        self.held.maps.clone()
    }
}
