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
pub mod spec;

use std::collections::HashMap;

use altofed_model::EndpointAddrGroup;
use petgraph::graph::{DiGraph, NodeIndex};

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
        self.borders.iter().position(|b| b.name == name || b.pid.as_deref() == Some(name))
    }
}
