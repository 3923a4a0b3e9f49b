//! `mirror.toml`: where the upstream is, where to listen, when to call the
//! copy stale, and how to pull (the options of an aggregator's HTTP peer,
//! `[http]`). Strict: an unknown key is an error naming it.

use std::net::SocketAddr;
use std::time::Duration;

use altofed_core::config::HttpOptions;
use serde::Deserialize;
use thiserror::Error;

/// The whole file; every key optional (the command line gives the rest).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct MirrorConfig {
    /// The upstream's IRD URL, e.g. `http://aggregator:8080/directory`.
    pub upstream: Option<String>,
    pub listen: SocketAddr,
    /// Without a confirmed copy of the upstream for this long, the mirror
    /// marks what it serves stale (docs/mirror.md).
    #[serde(with = "humantime_serde")]
    pub stale_after: Duration,
    /// How the upstream is pulled (timeouts, `max-bytes`, `poll-interval`,
    /// retries, `update-stream`, credentials, CA file).
    pub http: HttpOptions,
}

impl Default for MirrorConfig {
    fn default() -> Self {
        Self {
            upstream: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8282)),
            stale_after: Duration::from_secs(300),
            http: HttpOptions::default(),
        }
    }
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
    #[error("stale-after must be more than 0")]
    ZeroStaleAfter,
}

impl MirrorConfig {
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let config: MirrorConfig = toml::from_str(text)?;
        config.checked()
    }

    /// Checks what serde cannot.
    pub fn checked(self) -> Result<Self, ConfigError> {
        if self.stale_after.is_zero() {
            return Err(ConfigError::ZeroStaleAfter);
        }
        Ok(self)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_the_http_options() {
        let config = MirrorConfig::from_toml(
            "upstream = \"http://a:8080/directory\"\nlisten = \"0.0.0.0:80\"\nstale-after = \"2m\"\n[http]\npoll-interval = \"5s\"\n",
        )
        .unwrap();
        assert_eq!(config.upstream.as_deref(), Some("http://a:8080/directory"));
        assert_eq!(config.listen, "0.0.0.0:80".parse().unwrap());
        assert_eq!(config.stale_after, Duration::from_secs(120));
        assert_eq!(config.http.poll_interval, Duration::from_secs(5));
    }

    #[test]
    fn an_unknown_key_is_named() {
        let e = MirrorConfig::from_toml("stale-afer = \"2m\"").unwrap_err();
        assert!(e.to_string().contains("unknown field `stale-afer`"), "{e}");
    }

    #[test]
    fn a_zero_stale_after_is_refused() {
        let e = MirrorConfig::from_toml("stale-after = \"0s\"").unwrap_err();
        assert_eq!(e.to_string(), "stale-after must be more than 0");
    }
}
