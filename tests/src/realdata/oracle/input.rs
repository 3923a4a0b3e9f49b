//! Reading a scenario for the oracle: the aggregator config (own serde
//! types with the documented defaults; a key the oracle does not model is
//! an error rather than silently ignored), each peer's ALTO documents as
//! plain JSON, and the CDN network (parsed by altofed-core's topology
//! module, which has its own tests).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use altofed_core::topology::{build_network, import_topology, CdnNetwork, CdnSpec};
use ipnet::IpNet;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    pub cdn: CdnSection,
    #[serde(default)]
    pub output: Output,
    #[serde(default, rename = "peer")]
    pub peers: Vec<PeerConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CdnSection {
    pub topology: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Output {
    pub resource_prefix: String,
    pub mode: String,
    /// `cdn-to-subscriber`, `subscriber-to-cdn` or `both`.
    pub direction: String,
    pub default_cost: Option<f64>,
    pub catch_all_pid: String,
    pub catch_all_costs_from: Option<String>,
}

impl Default for Output {
    fn default() -> Self {
        Output {
            resource_prefix: "agg".into(),
            mode: "multipath".into(),
            direction: "cdn-to-subscriber".into(),
            default_cost: None,
            catch_all_pid: "default".into(),
            catch_all_costs_from: None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PeerConfig {
    pub name: String,
    pub dir: PathBuf,
    #[serde(default)]
    pub priority: i64,
    #[serde(default = "address")]
    pub border_by: String,
    #[serde(default = "border_for")]
    pub border_property: String,
    #[serde(default = "one")]
    pub scale: f64,
    #[serde(default)]
    pub offset: f64,
    #[serde(rename = "link")]
    pub links: Vec<LinkConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkConfig {
    pub name: Option<String>,
    pub router: String,
    pub address: Option<IpAddr>,
    #[serde(default)]
    pub cost: f64,
    #[serde(default)]
    pub preference: i64,
}

fn address() -> String {
    "address".into()
}
fn border_for() -> String {
    ".priv:border-for".into()
}
fn one() -> f64 {
    1.0
}

/// One ISP's documents.
#[derive(Debug)]
pub struct PeerMaps {
    pub network_map: BTreeMap<String, Vec<IpNet>>,
    /// Raw (unscaled) costs: source PID -> destination PID -> cost.
    pub costs: BTreeMap<String, BTreeMap<String, f64>>,
    /// Entity -> properties, if the peer has a property map.
    pub properties: Option<BTreeMap<String, serde_json::Map<String, Value>>>,
}

/// Everything one `altofed compute` run reads.
#[derive(Debug)]
pub struct Scenario {
    pub config: Config,
    pub cdn: CdnNetwork,
    pub peers: Vec<PeerMaps>,
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads the scenario behind a config file.
pub fn load(config_path: &Path) -> Scenario {
    let base = config_path.parent().unwrap_or(Path::new(""));
    let config: Config = toml::from_str(&read(config_path))
        .unwrap_or_else(|e| panic!("{}: {e}", config_path.display()));
    let cdn = load_cdn(&base.join(&config.cdn.topology));
    let peers = config
        .peers
        .iter()
        .map(|p| load_peer(&base.join(&p.dir)))
        .collect();
    Scenario { config, cdn, peers }
}

fn load_cdn(path: &Path) -> CdnNetwork {
    let spec =
        CdnSpec::from_toml(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let imported = spec.import.as_ref().map(|import| {
        let file = import.path_from(path.parent().unwrap_or(Path::new("")));
        import_topology(import, &read(&file))
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
            .0
    });
    build_network(&spec, imported)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .0
}

/// Every PID's prefixes; a PID with a malformed prefix panics.
pub fn network_map_of(doc: &Value, key: &str) -> BTreeMap<String, Vec<IpNet>> {
    let map = doc[key]
        .as_object()
        .unwrap_or_else(|| panic!("no `{key}` object"));
    map.iter()
        .map(|(pid, group)| {
            let prefixes = ["ipv4", "ipv6"]
                .iter()
                .flat_map(|family| group[*family].as_array().cloned().unwrap_or_default())
                .map(|p| {
                    p.as_str()
                        .and_then(|s| s.parse().ok())
                        .unwrap_or_else(|| panic!("{pid}: bad prefix {p}"))
                })
                .collect();
            (pid.clone(), prefixes)
        })
        .collect()
}

/// `cost-map` as numbers.
pub fn cost_map_of(doc: &Value) -> BTreeMap<String, BTreeMap<String, f64>> {
    let map = doc["cost-map"]
        .as_object()
        .unwrap_or_else(|| panic!("no `cost-map` object"));
    map.iter()
        .map(|(src, row)| {
            let row = row
                .as_object()
                .unwrap_or_else(|| panic!("cost-map row {src} is not an object"));
            let costs = row
                .iter()
                .map(|(dst, c)| {
                    (
                        dst.clone(),
                        c.as_f64()
                            .unwrap_or_else(|| panic!("{src} -> {dst}: {c} is no number")),
                    )
                })
                .collect();
            (src.clone(), costs)
        })
        .collect()
}

fn load_peer(dir: &Path) -> PeerMaps {
    let network_map = network_map_of(&json(&dir.join("networkmap.json")), "network-map");
    let costs = cost_map_of(&json(&dir.join("costmap.json")));
    let propmap = dir.join("propmap.json");
    let properties = propmap.exists().then(|| {
        let doc = json(&propmap);
        let rows = doc["property-map"].as_object().cloned().unwrap_or_default();
        rows.into_iter()
            .map(|(entity, props)| (entity, props.as_object().cloned().unwrap_or_default()))
            .collect()
    });
    PeerMaps {
        network_map,
        costs,
        properties,
    }
}
