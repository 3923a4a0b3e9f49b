//! `route.toml`: what `altofed route` serves and from which ALTO server.
//! Strict like `altofed.toml` (unknown keys are errors naming the key), so
//! a typo never silently leaves a default in force; checks serde cannot
//! express are in [`RouteConfig::from_toml`], so `--check` makes them too.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use altofed_core::config::HttpOptions;
use ipnet::IpNet;
use serde::Deserialize;
use thiserror::Error;

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RouteConfig {
    pub alto: AltoSection,
    #[serde(default, rename = "node")]
    pub nodes: Vec<NodeConfig>,
    #[serde(default)]
    pub routing: RoutingSection,
    pub dns: Option<DnsSection>,
    pub http: Option<HttpSection>,
    #[serde(default)]
    pub ops: OpsSection,
}

/// `[alto]`: the ALTO server whose maps drive the answers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AltoSection {
    /// The URI of its Information Resource Directory.
    pub url: String,
    /// How it is pulled: the options of an aggregator's HTTP peer.
    #[serde(default)]
    pub http: HttpOptions,
    /// Maps without contact for this long are withdrawn: every client then
    /// gets the fallback ranking until the server answers again.
    #[serde(default = "default_max_age", with = "humantime_serde")]
    pub max_age: Duration,
}

fn default_max_age() -> Duration {
    Duration::from_secs(3600)
}

/// `[[node]]`: one CDN node (cache) that answers may name.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct NodeConfig {
    pub name: String,
    /// The node's addresses; the first one in a PID of the network map
    /// gives the node's PID, and DNS answers carry all of one family.
    pub addresses: Vec<IpAddr>,
    /// The host name HTTP redirects name (else its first address).
    pub hostname: Option<String>,
    /// Breaks cost ties: higher first.
    #[serde(default = "default_weight")]
    pub weight: u32,
}

fn default_weight() -> u32 {
    1
}

/// `[routing]`: how nodes are chosen.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct RoutingSection {
    /// Nodes per DNS answer.
    pub answers: usize,
    /// A node whose load is this or more is not used.
    pub max_load: f64,
    /// Node names, in order, for clients in no known PID, in the
    /// catch-all, or in a PID no usable node has a cost to.
    pub fallback: Vec<String>,
}

impl Default for RoutingSection {
    fn default() -> Self {
        Self {
            answers: 1,
            max_load: 0.9,
            fallback: Vec::new(),
        }
    }
}

/// `[dns]`: the authoritative DNS front.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DnsSection {
    /// UDP and TCP on this address.
    pub listen: SocketAddr,
    /// The zone's origin, e.g. `cdn.example.`.
    pub zone: String,
    /// Owner names answered with nodes: relative to the zone (`www`),
    /// absolute (`www.cdn.example.`), or `@` for the apex.
    pub names: Vec<String>,
    /// TTL of the node records.
    #[serde(default = "default_ttl")]
    pub ttl: u32,
    /// The zone's name servers (NS at the apex; the first is the SOA's MNAME).
    pub ns: Vec<String>,
    /// The SOA's RNAME, e.g. `hostmaster.cdn.example.`.
    #[serde(default = "default_hostmaster")]
    pub hostmaster: String,
    #[serde(default = "default_serial")]
    pub serial: u32,
    #[serde(default = "default_refresh")]
    pub refresh: i32,
    #[serde(default = "default_retry")]
    pub retry: i32,
    #[serde(default = "default_expire")]
    pub expire: i32,
    /// The SOA's MINIMUM: how long resolvers cache NXDOMAIN and NODATA.
    #[serde(default = "default_negative_ttl")]
    pub negative_ttl: u32,
}

fn default_ttl() -> u32 {
    20
}
fn default_hostmaster() -> String {
    "hostmaster.invalid.".to_owned()
}
fn default_serial() -> u32 {
    1
}
fn default_refresh() -> i32 {
    3600
}
fn default_retry() -> i32 {
    600
}
fn default_expire() -> i32 {
    86400
}
fn default_negative_ttl() -> u32 {
    60
}

/// `[http]`: the HTTP 302 front.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HttpSection {
    pub listen: SocketAddr,
    /// Scheme of the redirect (`http` or `https`).
    #[serde(default = "default_scheme")]
    pub scheme: String,
    /// Port in the redirect; none: the scheme's default.
    pub port: Option<u16>,
    /// Peers whose `X-Forwarded-For` is believed.
    #[serde(default)]
    pub trusted_proxies: Vec<IpNet>,
    /// Connections from `trusted-proxies` start with a PROXY protocol header.
    #[serde(default)]
    pub proxy_protocol: bool,
    /// Content-aware mode: among the nodes within this cost of the best,
    /// the path picks one (rendezvous hashing).
    pub content_aware_margin: Option<f64>,
}

fn default_scheme() -> String {
    "http".to_owned()
}

/// `[ops]`: `/healthz`, `/readyz`, `/metrics` on a listener of their own
/// (the HTTP front redirects every path, so these cannot share it).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct OpsSection {
    pub listen: SocketAddr,
}

impl Default for OpsSection {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 9153)),
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigError {
    #[error("{0}")]
    Syntax(String),
    #[error("alto.url `{url}`: {reason}")]
    Url { url: String, reason: String },
    #[error("no [[node]]: the router needs at least one node to answer with")]
    NoNode,
    #[error("node `{0}` has no address")]
    NoAddress(String),
    #[error("node `{0}` is listed twice")]
    DuplicateNode(String),
    #[error("routing.fallback names `{0}`, which is no [[node]]")]
    UnknownFallback(String),
    #[error("routing.answers must be at least 1")]
    NoAnswers,
    #[error("routing.max-load must be in (0, 1], not {0}")]
    MaxLoad(String),
    #[error("neither [dns] nor [http]: the router would serve nothing")]
    NoFront,
    #[error("http.scheme must be `http` or `https`, not `{0}`")]
    Scheme(String),
    #[error("http.content-aware-margin must be finite and not negative, not {0}")]
    Margin(String),
    #[error("dns.{key}: `{value}` is not a domain name: {reason}")]
    DnsName {
        key: &'static str,
        value: String,
        reason: String,
    },
    #[error("dns.names: `{0}` is not inside dns.zone")]
    OutsideZone(String),
    #[error("dns.ns needs at least one name server")]
    NoNameServer,
    /// An `ALTOFED_ROUTE__*` override that names no key or gives a bad value.
    #[error("environment variable {var}: {reason}")]
    Env { var: String, reason: String },
}

impl RouteConfig {
    /// Parses and checks `text`.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let config: RouteConfig = toml::from_str(text)
            .map_err(|e| ConfigError::Syntax(e.to_string().trim_end().to_owned()))?;
        config.check()?;
        Ok(config)
    }

    /// `alto.url` as a URL: http or https.
    pub fn alto_url(&self) -> Result<reqwest::Url, ConfigError> {
        let bad = |reason: String| ConfigError::Url {
            url: self.alto.url.clone(),
            reason,
        };
        let url = reqwest::Url::parse(&self.alto.url).map_err(|e| bad(e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("not an http:// or https:// URL".to_owned()));
        }
        Ok(url)
    }

    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        self.alto_url()?;
        if self.nodes.is_empty() {
            return Err(ConfigError::NoNode);
        }
        let mut names = HashSet::new();
        for node in &self.nodes {
            if node.addresses.is_empty() {
                return Err(ConfigError::NoAddress(node.name.clone()));
            }
            if !names.insert(node.name.as_str()) {
                return Err(ConfigError::DuplicateNode(node.name.clone()));
            }
        }
        if let Some(unknown) = self
            .routing
            .fallback
            .iter()
            .find(|f| !names.contains(f.as_str()))
        {
            return Err(ConfigError::UnknownFallback(unknown.clone()));
        }
        if self.routing.answers == 0 {
            return Err(ConfigError::NoAnswers);
        }
        let load = self.routing.max_load;
        if !(load > 0.0 && load <= 1.0) {
            return Err(ConfigError::MaxLoad(load.to_string()));
        }
        if self.dns.is_none() && self.http.is_none() {
            return Err(ConfigError::NoFront);
        }
        if let Some(http) = &self.http {
            if !matches!(http.scheme.as_str(), "http" | "https") {
                return Err(ConfigError::Scheme(http.scheme.clone()));
            }
            if let Some(m) = http.content_aware_margin {
                if !(m.is_finite() && m >= 0.0) {
                    return Err(ConfigError::Margin(m.to_string()));
                }
            }
        }
        if let Some(dns) = &self.dns {
            crate::dns_zone::Zone::from_config(dns)?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
