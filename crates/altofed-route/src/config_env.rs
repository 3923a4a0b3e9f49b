//! `ALTOFED_ROUTE__*` environment overrides of `route.toml`, the
//! aggregator's convention (`altofed_core::config_env`) under a prefix of
//! its own, so one environment can hold the variables of both programs:
//! `ALTOFED_ROUTE__ALTO__URL` is `alto.url`,
//! `ALTOFED_ROUTE__ALTO__HTTP__BEARER_TOKEN` is `alto.http.bearer-token`,
//! `ALTOFED_ROUTE__DNS__LISTEN` is `dns.listen`; nodes by name or index:
//! `ALTOFED_ROUTE__NODE__N8__WEIGHT`, `ALTOFED_ROUTE__NODE__0__HOSTNAME`.
//! Values are parsed as the key's type.
//!
//! As there, the file is parsed strictly first (its errors keep their
//! line numbers), then each variable is applied and checked on its own,
//! so an error names the variable that caused it.

use altofed_core::config::layer_overrides;

use crate::config::{ConfigError, RouteConfig};

/// The prefix of every override.
pub const ENV_PREFIX: &str = "ALTOFED_ROUTE__";

/// The overrides among `vars` (e.g. `std::env::vars()`), sorted by name.
pub fn env_overrides(vars: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = vars
        .into_iter()
        .filter(|(name, _)| name.starts_with(ENV_PREFIX))
        .collect();
    found.sort();
    found
}

impl RouteConfig {
    /// Parses `text`, then applies `overrides` and checks the result.
    pub fn from_toml_with_env(
        text: &str,
        overrides: &[(String, String)],
    ) -> Result<Self, ConfigError> {
        let file = RouteConfig::from_toml(text)?;
        let config = layer_overrides(text, file, overrides, key_path)
            .map_err(|(var, reason)| ConfigError::Env { var, reason })?;
        config.check()?;
        Ok(config)
    }
}

/// The `config` crate path of an override: `ALTOFED_ROUTE__NODE__N8__WEIGHT`
/// gives `node[0].weight`.
fn key_path(var: &str, config: &RouteConfig) -> Result<String, String> {
    let rest = var.strip_prefix(ENV_PREFIX).unwrap_or(var);
    let segments: Vec<String> = rest
        .split("__")
        .map(|s| s.to_ascii_lowercase().replace('_', "-"))
        .collect();
    if segments.iter().any(String::is_empty) {
        return Err("empty key segment (use `__` between levels)".to_owned());
    }
    let mut path = String::new();
    let mut it = segments.iter();
    while let Some(key) = it.next() {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
        if path == "node" {
            let Some(element) = it.next() else {
                return Err("`node` needs an index or a name".to_owned());
            };
            let names: Vec<&str> = config.nodes.iter().map(|n| n.name.as_str()).collect();
            path = format!("node[{}]", node_index(element, &names)?);
        }
    }
    Ok(path)
}

/// A node by index, or by name compared case-insensitively with `-` and
/// `_` alike (environment names cannot hold `-`).
fn node_index(element: &str, names: &[&str]) -> Result<usize, String> {
    if let Ok(index) = element.parse::<usize>() {
        return if index < names.len() {
            Ok(index)
        } else {
            Err(format!(
                "`node` has {} entries, no index {index}",
                names.len()
            ))
        };
    }
    let normal = |s: &str| s.to_ascii_lowercase().replace('_', "-");
    names
        .iter()
        .position(|name| normal(name) == normal(element))
        .ok_or_else(|| format!("no `node` named `{element}`"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
[alto]
url = "http://127.0.0.1:8080/directory"

[[node]]
name = "edge-8"
addresses = ["203.0.113.1"]

[[node]]
name = "n10"
addresses = ["203.0.113.129"]

[http]
listen = "127.0.0.1:8088"
"#;

    fn with(vars: &[(&str, &str)]) -> Result<RouteConfig, ConfigError> {
        let vars = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned()));
        let overrides = env_overrides(vars.chain([("ALTOFED_SERVER__LISTEN".into(), "x".into())]));
        RouteConfig::from_toml_with_env(TEXT, &overrides)
    }

    #[test]
    fn overrides_reach_every_level_and_nodes_by_name_or_index() {
        let c = with(&[
            ("ALTOFED_ROUTE__ALTO__URL", "http://alto.example/directory"),
            ("ALTOFED_ROUTE__ALTO__HTTP__BEARER_TOKEN", "s3cret"),
            ("ALTOFED_ROUTE__ALTO__MAX_AGE", "5m"),
            ("ALTOFED_ROUTE__NODE__EDGE_8__WEIGHT", "7"),
            ("ALTOFED_ROUTE__NODE__1__HOSTNAME", "n10.cdn.example"),
            ("ALTOFED_ROUTE__HTTP__LISTEN", "127.0.0.1:0"),
            ("ALTOFED_ROUTE__ROUTING__MAX_LOAD", "0.5"),
        ])
        .unwrap();
        assert_eq!(c.alto.url, "http://alto.example/directory");
        assert_eq!(c.alto.http.bearer_token.as_deref(), Some("s3cret"));
        assert_eq!(c.alto.max_age, std::time::Duration::from_secs(300));
        assert_eq!(c.nodes[0].weight, 7);
        assert_eq!(c.nodes[1].hostname.as_deref(), Some("n10.cdn.example"));
        assert_eq!(c.http.unwrap().listen.port(), 0);
        assert_eq!(c.routing.max_load, 0.5);
    }

    #[test]
    fn a_bad_variable_is_named_with_the_reason() {
        let e = |vars: &[(&str, &str)]| with(vars).unwrap_err().to_string();
        assert_eq!(
            e(&[("ALTOFED_ROUTE__ALTO__URLL", "x")]),
            "environment variable ALTOFED_ROUTE__ALTO__URLL: alto.urll: unknown field `urll`, \
             expected one of `url`, `http`, `max-age` for key `alto`"
        );
        assert_eq!(
            e(&[("ALTOFED_ROUTE__NODE__N9__WEIGHT", "1")]),
            "environment variable ALTOFED_ROUTE__NODE__N9__WEIGHT: no `node` named `n9`"
        );
        assert_eq!(
            e(&[("ALTOFED_ROUTE__NODE__2__WEIGHT", "1")]),
            "environment variable ALTOFED_ROUTE__NODE__2__WEIGHT: `node` has 2 entries, no index 2"
        );
        let bad = e(&[("ALTOFED_ROUTE__NODE__0__WEIGHT", "heavy")]);
        assert!(
            bad.starts_with(
                "environment variable ALTOFED_ROUTE__NODE__0__WEIGHT: node[0].weight: "
            ),
            "{bad}"
        );
        // The checks run on the result.
        assert_eq!(
            e(&[("ALTOFED_ROUTE__ROUTING__MAX_LOAD", "2")]),
            "routing.max-load must be in (0, 1], not 2"
        );
    }
}
