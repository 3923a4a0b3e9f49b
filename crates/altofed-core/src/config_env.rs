//! `ALTOFED_*` environment overrides of `altofed.toml`, applied with the
//! `config` crate on top of the file, so that a deployment can set secrets
//! and addresses without editing it.
//!
//! A variable names a key path with `__` between levels and `_` for `-`:
//! `ALTOFED_SERVER__LISTEN` is `server.listen`,
//! `ALTOFED_SERVER__ADMIN_BEARER_TOKEN` is `server.admin-bearer-token`.
//! Array tables are addressed by index or by name:
//! `ALTOFED_PEER__AS1239__HTTP__BEARER_TOKEN` (the peer named `as1239`),
//! `ALTOFED_PEER__0__URL`, `ALTOFED_PEER__AS1239__LINK__LON__COST`,
//! `ALTOFED_PIN__0__LINK`. Values are parsed as the key's type.
//!
//! The file is parsed strictly first, so its errors keep their line
//! numbers; each variable is then applied and checked on its own, so an
//! error names the variable that caused it.

use config::{Config as Layers, File, FileFormat};

use crate::config::{Config, ConfigError};

/// The prefix of every override.
pub const ENV_PREFIX: &str = "ALTOFED_";

/// The overrides of `altofed route`'s `route.toml` (altofed-route's
/// `config_env`): not the aggregator's.
const ROUTE_PREFIX: &str = "ALTOFED_ROUTE__";

/// The overrides among `vars` (e.g. `std::env::vars()`), sorted by name.
pub fn env_overrides(vars: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = vars
        .into_iter()
        .filter(|(name, _)| name.starts_with(ENV_PREFIX) && !name.starts_with(ROUTE_PREFIX))
        .collect();
    found.sort();
    found
}

impl Config {
    /// Parses `text`, then applies `overrides` (`ALTOFED_*` variables) and
    /// checks the result.
    pub fn from_toml_with_env(
        text: &str,
        overrides: &[(String, String)],
    ) -> Result<Self, ConfigError> {
        let file = Config::from_toml(text)?;
        let config = layer_overrides(text, file, overrides, |var, config| {
            key_path(var.strip_prefix(ENV_PREFIX).unwrap_or(var), config)
        })
        .map_err(|(var, reason)| ConfigError::Env { var, reason })?;
        config.check()?;
        Ok(config)
    }
}

/// Applies `overrides` one at a time on top of the file `text` (already
/// parsed strictly as `file`), so an error names the variable that caused
/// it: `(variable, reason)`. `key_path` gives a variable's `config` crate
/// path (e.g. `peer[0].url`) in the configuration as it stands. Shared by
/// every altofed program's configuration (`altofed.toml`, `route.toml`).
pub fn layer_overrides<T: serde::de::DeserializeOwned>(
    text: &str,
    file: T,
    overrides: &[(String, String)],
    key_path: impl Fn(&str, &T) -> Result<String, String>,
) -> Result<T, (String, String)> {
    let mut layers = Layers::builder().add_source(File::from_str(text, FileFormat::Toml));
    let mut config = file;
    for (var, value) in overrides {
        let env = |reason: String| (var.clone(), reason);
        let path = key_path(var, &config).map_err(env)?;
        layers = layers
            .set_override(path.clone(), value.as_str())
            .map_err(|e| env(e.to_string()))?;
        config = layers
            .build_cloned()
            .and_then(Layers::try_deserialize)
            .map_err(|e| env(format!("{path}: {e}")))?;
    }
    Ok(config)
}

/// The `config` crate path of an override: `ALTOFED_PEER__AS1239__URL`
/// gives `peer[0].url`.
fn key_path(rest: &str, config: &Config) -> Result<String, String> {
    let segments: Vec<String> = rest
        .split("__")
        .map(|s| s.to_ascii_lowercase().replace('_', "-"))
        .collect();
    if segments.iter().any(String::is_empty) {
        return Err("empty key segment (use `__` between levels)".to_owned());
    }
    let mut path = String::new();
    let mut peer: Option<usize> = None;
    let mut it = segments.iter();
    while let Some(key) = it.next() {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
        let names: Option<Vec<&str>> = match (key.as_str(), path.as_str(), peer) {
            ("peer", "peer", _) => Some(config.peers.iter().map(|p| p.name.as_str()).collect()),
            ("link", _, Some(p)) => Some(
                config.peers[p]
                    .links
                    .iter()
                    .map(|l| l.name())
                    .collect::<Vec<&str>>(),
            ),
            ("pin", "pin", _) => Some(Vec::new()),
            _ => None,
        };
        if let Some(names) = names {
            let Some(element) = it.next() else {
                return Err(format!("`{path}` needs an index or a name"));
            };
            let index = element_index(element, &names, config, &path)?;
            if key == "peer" {
                peer = Some(index);
            }
            path = format!("{path}[{index}]");
        }
    }
    Ok(path)
}

/// An array element by index, or by name compared case-insensitively
/// with `-` and `_` alike (environment names cannot hold `-`).
fn element_index(
    element: &str,
    names: &[&str],
    config: &Config,
    path: &str,
) -> Result<usize, String> {
    let len = if path == "pin" {
        config.pins.len()
    } else {
        names.len()
    };
    if let Ok(index) = element.parse::<usize>() {
        return if index < len {
            Ok(index)
        } else {
            Err(format!("`{path}` has {len} entries, no index {index}"))
        };
    }
    let normal = |s: &str| s.to_ascii_lowercase().replace('_', "-");
    names
        .iter()
        .position(|name| normal(name) == normal(element))
        .ok_or_else(|| format!("no `{path}` named `{element}`"))
}
