//! `[peer.http]`: how a peer's ALTO server is pulled. Pure data; the
//! client in `altofed-peers` acts on it.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

/// Options of an HTTP peer. Durations are written like `30s`, `500ms`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct HttpOptions {
    /// Time between polls when the peer offers no update stream (or it fails).
    #[serde(with = "humantime_serde")]
    pub poll_interval: Duration,
    /// Limit for one whole request, body included.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    #[serde(with = "humantime_serde")]
    pub connect_timeout: Duration,
    /// Largest response accepted, in bytes.
    pub max_bytes: u64,
    /// Resource ids to use; by default the IRD's default network map, the
    /// numerical cost map of `cost-metric` that uses it, and a property map
    /// that uses it.
    pub network_map: Option<String>,
    pub cost_map: Option<String>,
    pub property_map: Option<String>,
    pub cost_metric: String,
    /// Subscribe to the peer's RFC 8895 update stream where its IRD offers one.
    pub update_stream: bool,
    /// Retries after a failure wait from `retry-min`, doubling up to
    /// `retry-max`, with jitter.
    #[serde(with = "humantime_serde")]
    pub retry_min: Duration,
    #[serde(with = "humantime_serde")]
    pub retry_max: Duration,
    /// HTTP Basic credentials.
    pub basic_user: Option<String>,
    pub basic_password: Option<String>,
    /// HTTP Bearer token.
    pub bearer_token: Option<String>,
    /// PEM file of CA certificates to trust for this peer (besides the
    /// system roots), relative to the configuration file.
    pub ca_file: Option<PathBuf>,
    /// Which redirects the peer may send the client to.
    pub follow_redirects: FollowRedirects,
}

/// `follow-redirects`: where a peer's redirects may lead. The host is
/// compared with the URL first asked for, as host name and port (so
/// `http://a` to `https://a` is another host: the port changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FollowRedirects {
    /// No redirect is followed.
    None,
    /// Only to the same host and port.
    #[default]
    SameHost,
    /// Anywhere (credentials are still only sent to the first host).
    Any,
}

impl FollowRedirects {
    /// The configuration value, for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            FollowRedirects::None => "none",
            FollowRedirects::SameHost => "same-host",
            FollowRedirects::Any => "any",
        }
    }
}

impl std::fmt::Display for FollowRedirects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(3),
            max_bytes: 256 * 1024 * 1024,
            network_map: None,
            cost_map: None,
            property_map: None,
            cost_metric: "routingcost".to_owned(),
            update_stream: true,
            retry_min: Duration::from_secs(1),
            retry_max: Duration::from_secs(60),
            basic_user: None,
            basic_password: None,
            bearer_token: None,
            ca_file: None,
            follow_redirects: FollowRedirects::SameHost,
        }
    }
}
