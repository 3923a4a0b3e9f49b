//! The project's own CDN topology format (TOML).
//!
//! ```toml
//! # Optional: take the router graph from another file. The path is relative
//! # to this file; the caller reads it (see `ImportSpec::path_from`).
//! [import]
//! file = "Abilene.graphml"
//! format = "graphml"      # or "rocketfuel"; default: from the extension
//!                         # (.graphml -> graphml, .intra -> rocketfuel)
//! weight = "distance"     # graphml only: "hops" (default) | "distance"
//!                         # (haversine km) | "inverse-capacity" (100e9 / LinkSpeedRaw)
//!
//! [[link]]                # zero or more; a link may introduce new routers
//! from = "n8"
//! to = "r6"
//! cost = 2                # finite, >= 0
//! directed = false        # default false: both ways with the same cost
//!
//! [[pid]]                 # CDN PIDs
//! name = "pid8"           # a valid PIDName (RFC 7285 §10.1)
//! nodes = ["n8"]          # attachment routers, at least one
//! ipv4 = ["203.0.113.0/26"]
//! ipv6 = ["2001:db8:8::/48"]
//!
//! [[border]]              # CDN border routers, where peering links land
//! router = "r6"
//! pid = "pid6"            # optional CDN border PID name
//! ```
//!
//! Unknown keys are errors: a misspelt key in our own config must not be
//! silently ignored. A `[[link]]` replaces an imported edge between the same
//! routers in the same direction, so an operator can correct imported costs.

use std::path::{Path, PathBuf};

use ipnet::{Ipv4Net, Ipv6Net};
use serde::Deserialize;

use super::graphml::GraphmlWeight;
use super::TopologyError;

/// A parsed CDN topology file. Semantic checks (costs, names, references)
/// happen in [`super::build_network`], which needs the imported graph.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CdnSpec {
    #[serde(default)]
    pub import: Option<ImportSpec>,
    #[serde(default, rename = "link")]
    pub links: Vec<LinkSpec>,
    #[serde(default, rename = "pid")]
    pub pids: Vec<PidSpec>,
    #[serde(default, rename = "border")]
    pub borders: Vec<BorderSpec>,
}

/// `[import]`: where the router graph comes from.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ImportSpec {
    pub file: String,
    #[serde(default)]
    pub format: Option<ImportFormat>,
    #[serde(default)]
    pub weight: Option<GraphmlWeight>,
}

/// The file formats we can import a router graph from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImportFormat {
    /// Internet Topology Zoo GraphML.
    Graphml,
    /// Rocketfuel `weights.intra` (`<src> <dst> <metric>` lines).
    Rocketfuel,
}

/// `[[link]]`: one link between two routers.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LinkSpec {
    pub from: String,
    pub to: String,
    pub cost: f64,
    #[serde(default)]
    pub directed: bool,
}

/// `[[pid]]`: a CDN PID and the routers it is attached to.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PidSpec {
    pub name: String,
    pub nodes: Vec<String>,
    #[serde(default)]
    pub ipv4: Vec<Ipv4Net>,
    #[serde(default)]
    pub ipv6: Vec<Ipv6Net>,
}

/// `[[border]]`: a CDN border router and its optional border PID name.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BorderSpec {
    pub router: String,
    #[serde(default)]
    pub pid: Option<String>,
}

impl CdnSpec {
    /// Parses the TOML text and checks the `[import]` table, so that the
    /// caller knows which parser to use before reading the imported file.
    pub fn from_toml(text: &str) -> Result<CdnSpec, TopologyError> {
        let spec: CdnSpec = toml::from_str(text)?;
        if let Some(import) = &spec.import {
            import.checked_format()?;
        }
        Ok(spec)
    }
}

impl ImportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportFormat::Graphml => "graphml",
            ImportFormat::Rocketfuel => "rocketfuel",
        }
    }
}

impl ImportSpec {
    /// The format given, or else the one the file extension implies.
    pub fn format(&self) -> Result<ImportFormat, TopologyError> {
        if let Some(format) = self.format {
            return Ok(format);
        }
        let ext = Path::new(&self.file)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("graphml") => Ok(ImportFormat::Graphml),
            Some("intra") => Ok(ImportFormat::Rocketfuel),
            _ => Err(TopologyError::UnknownImportFormat {
                file: self.file.clone(),
            }),
        }
    }

    /// The GraphML weight mode (default hops: defined for every file).
    pub fn graphml_weight(&self) -> GraphmlWeight {
        self.weight.unwrap_or(GraphmlWeight::Hops)
    }

    /// The imported file's path, given the directory of the spec file:
    /// relative paths in a config are relative to the config, not the
    /// working directory.
    pub fn path_from(&self, spec_dir: &Path) -> PathBuf {
        spec_dir.join(&self.file)
    }

    /// The format, and a weight only where it means something.
    fn checked_format(&self) -> Result<ImportFormat, TopologyError> {
        let format = self.format()?;
        if self.weight.is_some() && format != ImportFormat::Graphml {
            return Err(TopologyError::WeightNotApplicable {
                format: format.as_str(),
            });
        }
        Ok(format)
    }
}
