//! The CDN network: routers and links with IGP-style costs, CDN PIDs
//! attached to routers, and border routers where peering links land.
//!
//! Sources: the project's own TOML format ([`spec`]), which may import the
//! router graph from Topology Zoo GraphML ([`graphml`]) or Rocketfuel
//! `weights.intra` ([`rocketfuel`]). Parsing takes text; the caller reads
//! the files.

pub mod build;
pub mod graphml;
pub mod rocketfuel;
pub mod sanity;
pub mod spec;

use std::collections::HashMap;

use altofed_model::{EndpointAddrGroup, NameError};
use petgraph::graph::{DiGraph, NodeIndex};
use thiserror::Error;

pub use build::{build_network, import_topology};
pub use graphml::{graphml_labels, parse_graphml, GraphmlWeight};
pub use rocketfuel::parse_rocketfuel;
pub use spec::{BorderSpec, CdnSpec, ImportFormat, ImportSpec, LinkSpec, PidSpec};

/// The router graph. Node weights are router names (unique); edge weights
/// are link costs (finite, non-negative). A link "both ways" is two edges.
#[derive(Debug, Clone, Default)]
pub struct Topology {
    pub graph: DiGraph<String, f64>,
    index: HashMap<String, NodeIndex>,
}

impl Topology {
    /// The node with this name, if any.
    pub fn node(&self, name: &str) -> Option<NodeIndex> {
        self.index.get(name).copied()
    }

    /// The node with this name, added if it is new.
    pub fn ensure_node(&mut self, name: &str) -> NodeIndex {
        if let Some(ix) = self.index.get(name) {
            return *ix;
        }
        let ix = self.graph.add_node(name.to_owned());
        self.index.insert(name.to_owned(), ix);
        ix
    }

    pub fn name(&self, ix: NodeIndex) -> &str {
        &self.graph[ix]
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    /// Number of directed edges (a link both ways counts twice).
    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// The cost of the edge `from -> to`, if there is one.
    pub fn cost(&self, from: &str, to: &str) -> Option<f64> {
        let edge = self.graph.find_edge(self.node(from)?, self.node(to)?)?;
        Some(self.graph[edge])
    }

    /// Adds the edge `from -> to`, or lowers its cost if it exists: parallel
    /// links in imported data are merged, and only the cheapest one can
    /// ever be on a shortest path.
    pub fn add_min_edge(&mut self, from: NodeIndex, to: NodeIndex, cost: f64) {
        match self.graph.find_edge(from, to) {
            Some(edge) if self.graph[edge] <= cost => {}
            Some(edge) => self.graph[edge] = cost,
            None => {
                self.graph.add_edge(from, to, cost);
            }
        }
    }

    /// Adds the edge `from -> to`, or replaces its cost if it exists: an
    /// operator's link in the spec overrides what an import said.
    pub fn set_edge(&mut self, from: NodeIndex, to: NodeIndex, cost: f64) {
        self.graph.update_edge(from, to, cost);
    }

    /// Routers with no link in either direction, in index order.
    pub fn isolated(&self) -> impl Iterator<Item = NodeIndex> + '_ {
        self.graph
            .node_indices()
            .filter(|ix| self.graph.neighbors_undirected(*ix).next().is_none())
    }
}

/// A named set of prefixes holding CDN nodes (caches), attached to one or
/// more routers of the topology.
#[derive(Debug, Clone)]
pub struct CdnPid {
    pub name: String,
    pub prefixes: EndpointAddrGroup,
    pub attachments: Vec<NodeIndex>,
}

/// A CDN router where peering links land. `pid` is the CDN border PID name
/// that an ISP's property map may use to point at this router (design §1).
#[derive(Debug, Clone)]
pub struct BorderRouter {
    pub router: NodeIndex,
    pub name: String,
    pub pid: Option<String>,
}

/// Everything the CDN side contributes to a computation.
#[derive(Debug, Clone, Default)]
pub struct CdnNetwork {
    pub topology: Topology,
    pub pids: Vec<CdnPid>,
    pub borders: Vec<BorderRouter>,
}

impl CdnNetwork {
    /// Index into `borders` of the border router called `name` (router name
    /// or border PID name).
    pub fn border_index(&self, name: &str) -> Option<usize> {
        self.borders
            .iter()
            .position(|b| b.name == name || b.pid.as_deref() == Some(name))
    }
}

/// Why a CDN topology could not be read or built. Messages name the
/// offending key path (`link[3].cost`, 0-based indices) or input line, so
/// `altofed check` can point the operator at the mistake.
#[derive(Debug, Error)]
pub enum TopologyError {
    /// TOML syntax, a wrong type, a missing or an unknown key; the toml
    /// error carries the line, column and key.
    #[error(transparent)]
    Toml(#[from] toml::de::Error),
    #[error("import.file `{file}`: cannot infer the format from the extension; set import.format to \"graphml\" or \"rocketfuel\"")]
    UnknownImportFormat { file: String },
    #[error("import.weight: only applies to graphml imports, not {format}")]
    WeightNotApplicable { format: &'static str },
    #[error("{key}: cost must be finite and non-negative, got {cost}")]
    BadCost { key: String, cost: f64 },
    #[error("{key}: link from router `{router}` to itself")]
    SelfLoop { key: String, router: String },
    #[error("{key}: `{from}` -> `{to}` is already given by {first}")]
    DuplicateLink {
        key: String,
        from: String,
        to: String,
        first: String,
    },
    #[error("{key}: unknown router `{router}`")]
    UnknownNode { key: String, router: String },
    #[error("{key}: invalid PID name: {source}")]
    InvalidPidName { key: String, source: NameError },
    #[error("{key}: duplicate PID name `{name}` (first at {first})")]
    DuplicatePid {
        key: String,
        name: String,
        first: String,
    },
    #[error("{key}: `{name}` is already used by {first}")]
    DuplicateBorder {
        key: String,
        name: String,
        first: String,
    },
    #[error("{key}: a PID needs at least one attachment router")]
    NoAttachment { key: String },
    // Not a `#[source]`: the message already carries it, and error chains
    // would print it twice.
    #[error("GraphML: {0}")]
    Xml(roxmltree::Error),
    #[error("GraphML: no <graph> element")]
    GraphmlNoGraph,
    #[error("GraphML line {line}: <{element}> has no `{attr}` attribute")]
    GraphmlMissingAttr {
        line: u32,
        element: &'static str,
        attr: &'static str,
    },
    #[error("GraphML line {line}: node id `{id}` is declared twice")]
    GraphmlDuplicateNode { line: u32, id: String },
    #[error("GraphML line {line}: edge refers to undeclared node `{id}`")]
    GraphmlUnknownNode { line: u32, id: String },
    #[error("GraphML line {line}: {name} `{value}` is not {expected}")]
    GraphmlBadNumber {
        line: u32,
        name: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("GraphML: weight `{weight}` needs {needs}, and no edge has it; use weight \"hops\"")]
    GraphmlNoWeightData {
        weight: GraphmlWeight,
        needs: &'static str,
    },
    #[error("Rocketfuel line {line}: expected 3 fields `<src> <dst> <metric>`, found {found}")]
    RocketfuelFields { line: usize, found: usize },
    #[error("Rocketfuel line {line}: metric `{value}` is not a number")]
    RocketfuelBadMetric { line: usize, value: String },
    #[error("Rocketfuel line {line}: metric {value} must be finite and non-negative")]
    RocketfuelMetricRange { line: usize, value: f64 },
}

/// Something odd that does not stop the computation but that an operator
/// should hear about (logged, shown by `altofed check`).
#[derive(Debug, Clone, PartialEq, Error)]
pub enum TopologyWarning {
    #[error("router `{router}` has no links")]
    IsolatedRouter { router: String },
    #[error("no path from CDN PID `{pid}` to border router `{border}`")]
    NoPath { pid: String, border: String },
    /// The reverse direction's counterpart (`output.direction`): on a
    /// directed topology a border router may reach fewer PIDs than reach it.
    #[error("no path from border router `{border}` to CDN PID `{pid}`")]
    NoPathFromBorder { border: String, pid: String },
    #[error("GraphML distance: {edges} edge(s) touch a node without Latitude/Longitude; they get the median distance {median_km:.1} km")]
    MissingCoordinates { edges: usize, median_km: f64 },
    #[error("GraphML inverse-capacity: {edges} edge(s) have no LinkSpeedRaw; they get the median cost {median_cost}")]
    MissingCapacity { edges: usize, median_cost: f64 },
}

impl From<roxmltree::Error> for TopologyError {
    fn from(e: roxmltree::Error) -> Self {
        TopologyError::Xml(e)
    }
}
