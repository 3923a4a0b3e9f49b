//! `[server.cache]`: how long HTTP caches (a reverse proxy, a client's
//! cache) may reuse the answers of GET resources without asking again.
//! Pure data and its checks; the server turns it into `Cache-Control`.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use crate::config::{invalid, Config, ConfigError};

/// The id under which `resources` sets the IRD's freshness (`/directory`
/// has no ALTO resource id of its own).
pub const DIRECTORY_KEY: &str = "directory";

/// `max-age` for every GET resource, and per resource id. 0 (the default)
/// sends `no-cache`: caches revalidate every time (a 304 when unchanged).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct CacheSection {
    #[serde(with = "humantime_serde")]
    pub max_age: Duration,
    /// Resource id (or `directory`) -> its `max-age`.
    pub resources: BTreeMap<String, humantime_serde::Serde<Duration>>,
}

impl CacheSection {
    /// The `max-age` of resource `id`.
    pub fn max_age_of(&self, id: &str) -> Duration {
        self.resources.get(id).map_or(self.max_age, |d| **d)
    }
}

/// Ages are whole seconds (`Cache-Control` counts seconds; a `500ms` that
/// became `no-cache` would surprise), and overrides name resources that
/// `altofed serve` publishes with this configuration.
pub(crate) fn check_cache(config: &Config) -> Result<(), ConfigError> {
    let cache = &config.server.cache;
    whole_seconds("server.cache.max-age", cache.max_age)?;
    let served = served_ids(config);
    for (id, age) in &cache.resources {
        let key = format!("server.cache.resources.{id}");
        if !served.contains(id) {
            return Err(invalid(
                key,
                format!(
                    "no GET resource of this id is served; the ids are {}",
                    served.join(", ")
                ),
            ));
        }
        whole_seconds(&key, **age)?;
    }
    Ok(())
}

/// The GET resources of `altofed serve`: the IRD and every map.
fn served_ids(config: &Config) -> Vec<String> {
    let mut ids = vec![
        DIRECTORY_KEY.to_owned(),
        config.network_map_id(),
        config.cost_map_id(altofed_model::CostMode::Numerical),
    ];
    if config.output.ordinal_cost_map {
        ids.push(config.cost_map_id(altofed_model::CostMode::Ordinal));
    }
    ids.push(config.property_map_id());
    ids
}

fn whole_seconds(key: &str, age: Duration) -> Result<(), ConfigError> {
    if age.subsec_nanos() == 0 {
        Ok(())
    } else {
        Err(invalid(
            key,
            format!(
                "{age:?} is not a whole number of seconds (Cache-Control max-age counts seconds)"
            ),
        ))
    }
}
