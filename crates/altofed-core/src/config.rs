//! The aggregator's configuration (`altofed.toml`): where the CDN topology
//! is, which ISPs it peers with over which links, and the composition
//! policy. Unknown keys are rejected; every semantic error names its key.
//!
//! This module only parses text and checks it; reading files is the
//! caller's job. The full key reference is docs/configuration.md.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use thiserror::Error;

use crate::compose::{Direction, Mode};
pub use crate::config_cache::{CacheSection, DIRECTORY_KEY};
pub use crate::config_env::{env_overrides, layer_overrides, ENV_PREFIX};
pub use crate::config_http::{FollowRedirects, HttpOptions};

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    pub cdn: CdnConfig,
    #[serde(default)]
    pub output: OutputConfig,
    #[serde(default, rename = "peer")]
    pub peers: Vec<PeerConfig>,
    #[serde(default, rename = "pin")]
    pub pins: Vec<PinConfig>,
    #[serde(default)]
    pub server: ServerSection,
}

/// `[server]`: how `altofed serve` publishes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct ServerSection {
    pub listen: std::net::SocketAddr,
    /// Where the last snapshot is kept, to be served at start-up until
    /// fresh data arrives (relative to the configuration file).
    pub state_dir: Option<PathBuf>,
    /// How often local files (topology, directory peers) are checked for changes.
    #[serde(with = "humantime_serde")]
    pub watch_interval: Duration,
    /// PEM certificate chain and key: serve HTTPS.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Bearer tokens required for the ALTO resources and the admin API.
    pub alto_bearer_token: Option<String>,
    pub admin_bearer_token: Option<String>,
    /// What clients may ask of the server: `[server.limits]`.
    pub limits: LimitsSection,
    /// How long HTTP caches may reuse GET answers: `[server.cache]`.
    pub cache: CacheSection,
}

/// `[server.limits]`: bounds on what clients may cost the server; every
/// key, its default and what a client sees at the limit are in
/// docs/operations.md. `None` keeps the server's default.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct LimitsSection {
    /// Distinct source-destination pairs per filtered cost map or endpoint
    /// cost request.
    pub max_pairs_per_request: Option<u64>,
    /// Largest request body, in bytes.
    pub max_request_bytes: Option<usize>,
    /// Requests handled at once (ALTO, update streams, admin).
    pub max_concurrent_requests: Option<usize>,
    /// Time to answer one request (update streams excepted).
    #[serde(with = "humantime_serde")]
    pub request_timeout: Option<Duration>,
    /// Client connections open at once (default: 10,000, or fewer if the
    /// file descriptor limit is lower).
    pub max_connections: Option<usize>,
    /// Time a client has to send a request head (and finish TLS).
    #[serde(with = "humantime_serde")]
    pub header_read_timeout: Option<Duration>,
    /// Time a connection may stay open without a request.
    #[serde(with = "humantime_serde")]
    pub idle_timeout: Option<Duration>,
    /// Time a client may leave a response's bytes untaken.
    #[serde(with = "humantime_serde")]
    pub write_timeout: Option<Duration>,
    /// On shutdown, time for requests in flight to finish.
    #[serde(with = "humantime_serde")]
    pub shutdown_grace: Option<Duration>,
    /// RFC 8895 update streams open at once, in all and per client address.
    pub max_update_streams: Option<usize>,
    pub max_update_streams_per_client: Option<usize>,
}

impl Default for ServerSection {
    fn default() -> Self {
        Self {
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], 8080)),
            state_dir: None,
            watch_interval: Duration::from_secs(1),
            tls_cert: None,
            tls_key: None,
            alto_bearer_token: None,
            admin_bearer_token: None,
            limits: LimitsSection::default(),
            cache: CacheSection::default(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CdnConfig {
    /// CDN topology file (TOML), relative to the configuration file.
    pub topology: PathBuf,
}

/// What is published and how costs are composed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct OutputConfig {
    /// Prefix of every resource id: `<p>-netmap`, `<p>-routingcost-num`,
    /// `<p>-routingcost-ord`, `<p>-propmap`.
    pub resource_prefix: String,
    pub mode: Mode,
    /// Which rows the cost maps hold: CDN PID -> subscriber PID (the
    /// default), subscriber PID -> CDN PID, or both.
    pub direction: Direction,
    /// Cost published for a pair that has no path at all (design GAP-3);
    /// without it such pairs are omitted (RFC 7285 §11.2.3.6).
    pub default_cost: Option<f64>,
    /// Name of the aggregator's own PID holding `0.0.0.0/0` and `::/0`.
    pub catch_all_pid: String,
    /// Peer whose catch-all PID's costs the catch-all PID inherits.
    pub catch_all_costs_from: Option<String>,
    /// Whether the ordinal cost map is published beside the numerical one.
    /// Its ranks are over the whole map (RFC 7285 §6.1.2.2), so any change
    /// re-ranks and re-encodes all of it; a deployment whose clients only
    /// read numerical costs can leave it out (RFC 7285 §6.1.2 asks for one
    /// mode at least).
    pub ordinal_cost_map: bool,
}

impl Default for OutputConfig {
    fn default() -> Self {
        Self {
            resource_prefix: "agg".to_owned(),
            mode: Mode::Multipath,
            direction: Direction::CdnToSubscriber,
            default_cost: None,
            catch_all_pid: "default".to_owned(),
            catch_all_costs_from: None,
            ordinal_cost_map: true,
        }
    }
}

/// How an ISP border PID is found for each peering link (design §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BorderMethod {
    /// Longest-prefix match of the link's `address` in the ISP network map.
    Address,
    /// The ISP's property map names the CDN border PID or router.
    Attribute,
    /// Both, and they must agree.
    Both,
}

/// One ISP.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PeerConfig {
    /// Namespace of its PIDs in the published map: `<name>:<pid>`.
    pub name: String,
    /// A local directory holding networkmap.json, costmap.json and
    /// optionally propmap.json (relative to the configuration file).
    #[serde(default)]
    pub dir: Option<PathBuf>,
    /// The peer's ALTO server: the URI of its IRD.
    #[serde(default)]
    pub url: Option<String>,
    /// Find the peer's ALTO server by RFC 8686 discovery from the address of
    /// its first link.
    #[serde(default)]
    pub discover: bool,
    /// How the peer's server is pulled (with `url` or `discover`).
    #[serde(default)]
    pub http: HttpOptions,
    /// A peer without fresh maps for this long has its PIDs withdrawn; it
    /// is served from its last good maps (marked stale) until then.
    #[serde(default = "default_max_age", with = "humantime_serde")]
    pub max_age: Duration,
    /// Maps with more PIDs than this (network map or cost map) are refused.
    #[serde(default = "default_max_pids")]
    pub max_pids: usize,
    /// Network maps with more prefixes than this are refused.
    #[serde(default = "default_max_prefixes")]
    pub max_prefixes: usize,
    /// Higher wins when two peers claim an identical prefix.
    #[serde(default)]
    pub priority: i64,
    #[serde(default = "default_border_by")]
    pub border_by: BorderMethod,
    #[serde(default = "default_border_property")]
    pub border_property: String,
    /// Affine transform into the CDN's cost scale: `scale * c + offset`.
    #[serde(default = "one")]
    pub scale: f64,
    #[serde(default)]
    pub offset: f64,
    /// Only these ISP PIDs are republished (default: every non-border PID).
    #[serde(default)]
    pub subscribers: Option<Vec<String>>,
    #[serde(default, rename = "link")]
    pub links: Vec<LinkConfig>,
}

/// A peering link from a CDN border router to this ISP.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LinkConfig {
    /// Defaults to the router name.
    #[serde(default)]
    pub name: Option<String>,
    /// The CDN border router (a `[[border]]` of the CDN topology).
    pub router: String,
    /// Address of the ISP router at the far end (for `border-by = "address"`).
    #[serde(default)]
    pub address: Option<IpAddr>,
    /// Inter-domain link cost c(l), in the CDN's scale.
    #[serde(default)]
    pub cost: f64,
    /// Higher is preferred in single-path mode (e.g. BGP local-pref).
    #[serde(default)]
    pub preference: i64,
}

impl LinkConfig {
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.router)
    }
}

/// Pins the egress of one CDN PID towards one peer (single-path mode).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PinConfig {
    pub cdn_pid: String,
    pub peer: String,
    pub link: String,
}

impl PeerConfig {
    pub fn size_limits(&self) -> crate::peer_checks::SizeLimits {
        crate::peer_checks::SizeLimits {
            max_pids: self.max_pids,
            max_prefixes: self.max_prefixes,
        }
    }
}

/// A large ISP publishes a few thousand PIDs; 100,000 leaves room for a
/// per-prefix map of a regional network.
fn default_max_pids() -> usize {
    100_000
}

/// Twice the global IPv4 and IPv6 routing tables together.
fn default_max_prefixes() -> usize {
    2_000_000
}

fn default_max_age() -> Duration {
    Duration::from_secs(24 * 3600)
}

fn default_border_by() -> BorderMethod {
    BorderMethod::Address
}

/// The self-defined form (RFC 9240 §5.2.2); peers' names match with or
/// without the leading dot (`border::property_value`).
fn default_border_property() -> String {
    ".priv:border-for".to_owned()
}

fn one() -> f64 {
    1.0
}

/// A configuration that cannot be used; `key` is the path of the offending
/// key, e.g. `peer[0].link[1].cost`.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ConfigError {
    #[error("{0}")]
    Syntax(String),
    #[error("{key}: {reason}")]
    Invalid { key: String, reason: String },
    /// An `ALTOFED_*` override that names no key or gives a bad value.
    #[error("environment variable {var}: {reason}")]
    Env { var: String, reason: String },
}

impl Config {
    /// Parses and checks a configuration.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text)
            .map_err(|e| ConfigError::Syntax(e.to_string().trim_end().to_owned()))?;
        config.check()?;
        Ok(config)
    }

    /// The checks serde cannot express.
    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        crate::config_check::check(self)
    }

    pub fn peer_index(&self, name: &str) -> Option<usize> {
        self.peers.iter().position(|p| p.name == name)
    }

    pub fn network_map_id(&self) -> String {
        format!("{}-netmap", self.output.resource_prefix)
    }

    pub fn cost_map_id(&self, mode: altofed_model::CostMode) -> String {
        let suffix = match mode {
            altofed_model::CostMode::Numerical => "num",
            altofed_model::CostMode::Ordinal => "ord",
        };
        format!("{}-routingcost-{suffix}", self.output.resource_prefix)
    }

    pub fn property_map_id(&self) -> String {
        format!("{}-propmap", self.output.resource_prefix)
    }
}

pub(crate) fn invalid(key: impl Into<String>, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.into(),
        reason: reason.into(),
    }
}
