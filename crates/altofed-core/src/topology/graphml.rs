//! Internet Topology Zoo GraphML import.
//!
//! Router names are the GraphML node `id` strings, because Zoo labels are
//! not unique (see [`graphml_labels`] for the human-readable names).
//! `<data key=..>` is resolved through the `<key>` table by `attr.name`:
//! key ids differ from file to file. Undirected edges become two directed
//! edges; parallel edges keep the cheapest cost; self-loops are dropped.

use std::collections::HashMap;
use std::fmt;

use roxmltree::{Document, Node};
use serde::Deserialize;

use super::{Topology, TopologyError, TopologyWarning};

/// Reference bandwidth for inverse-capacity weights, as in OSPF's
/// auto-cost: a 10 Gbit/s link costs 10, a 1 Gbit/s link 100.
pub const REFERENCE_BPS: f64 = 100e9;

/// Mean Earth radius used by the haversine distance.
const EARTH_RADIUS_KM: f64 = 6371.0;

/// How a GraphML edge gets its cost; Zoo files carry no IGP weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GraphmlWeight {
    /// Every edge costs 1.
    Hops,
    /// Great-circle (haversine) km between the endpoints' Latitude/Longitude.
    Distance,
    /// [`REFERENCE_BPS`] / `LinkSpeedRaw` (bit/s).
    InverseCapacity,
}

impl fmt::Display for GraphmlWeight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GraphmlWeight::Hops => "hops",
            GraphmlWeight::Distance => "distance",
            GraphmlWeight::InverseCapacity => "inverse-capacity",
        })
    }
}

struct RawNode {
    id: String,
    /// Byte offset of the element; turned into a line only for errors,
    /// because that scans the text from the start.
    pos: usize,
    label: Option<String>,
    coords: Option<(f64, f64)>,
}

struct RawEdge {
    source: usize,
    target: usize,
    directed: bool,
    speed: Option<f64>,
}

struct RawGraph {
    nodes: Vec<RawNode>,
    edges: Vec<RawEdge>,
}

/// Key id -> attr.name, and the document for line numbers.
struct Ctx<'a, 'i> {
    doc: &'a Document<'i>,
    keys: HashMap<&'a str, &'a str>,
}

/// Parses a GraphML document into a router graph with the chosen weights.
/// Warnings say how many edges got a median cost for lack of data.
pub fn parse_graphml(
    text: &str,
    weight: GraphmlWeight,
) -> Result<(Topology, Vec<TopologyWarning>), TopologyError> {
    let doc = Document::parse(text)?;
    let raw = read_graph(&doc)?;
    let (costs, warnings) = edge_costs(&raw, weight)?;
    Ok((to_topology(&raw, &costs), warnings))
}

/// `(node id, label)` in document order, for the nodes that have a label:
/// lets a human find "New York" behind router `0`.
pub fn graphml_labels(text: &str) -> Result<Vec<(String, String)>, TopologyError> {
    let doc = Document::parse(text)?;
    let raw = read_graph(&doc)?;
    Ok(raw
        .nodes
        .into_iter()
        .filter_map(|n| Some((n.id, n.label?)))
        .collect())
}

fn read_graph(doc: &Document<'_>) -> Result<RawGraph, TopologyError> {
    let keys = doc
        .descendants()
        .filter(|n| n.has_tag_name("key"))
        .filter_map(|n| Some((n.attribute("id")?, n.attribute("attr.name")?)))
        .collect();
    let ctx = Ctx { doc, keys };
    let graph = doc
        .descendants()
        .find(|n| n.has_tag_name("graph"))
        .ok_or(TopologyError::GraphmlNoGraph)?;
    let directed = graph.attribute("edgedefault") == Some("directed");
    let nodes = graph
        .children()
        .filter(|n| n.has_tag_name("node"))
        .map(|n| ctx.read_node(n))
        .collect::<Result<Vec<_>, _>>()?;
    let by_id = node_ids(doc, &nodes)?;
    let mut edges = Vec::new();
    for el in graph.children().filter(|n| n.has_tag_name("edge")) {
        if let Some(edge) = ctx.read_edge(el, &by_id, directed)? {
            edges.push(edge);
        }
    }
    Ok(RawGraph { nodes, edges })
}

/// Node id -> position, rejecting an id declared twice.
fn node_ids<'n>(
    doc: &Document<'_>,
    nodes: &'n [RawNode],
) -> Result<HashMap<&'n str, usize>, TopologyError> {
    let mut by_id = HashMap::new();
    for (i, node) in nodes.iter().enumerate() {
        if by_id.insert(node.id.as_str(), i).is_some() {
            return Err(TopologyError::GraphmlDuplicateNode {
                line: doc.text_pos_at(node.pos).row,
                id: node.id.clone(),
            });
        }
    }
    Ok(by_id)
}

impl<'a, 'i> Ctx<'a, 'i> {
    fn line(&self, el: Node<'_, '_>) -> u32 {
        self.doc.text_pos_at(el.range().start).row
    }

    fn attr<'x>(
        &self,
        el: Node<'x, '_>,
        element: &'static str,
        attr: &'static str,
    ) -> Result<&'x str, TopologyError> {
        el.attribute(attr)
            .ok_or_else(|| TopologyError::GraphmlMissingAttr {
                line: self.line(el),
                element,
                attr,
            })
    }

    /// The `<data>` child of `el` whose key has this `attr.name`.
    fn data<'x>(&self, el: Node<'x, 'i>, name: &str) -> Option<(Node<'x, 'i>, &'x str)> {
        el.children()
            .filter(|d| d.has_tag_name("data"))
            .find(|d| d.attribute("key").and_then(|k| self.keys.get(k)) == Some(&name))
            .map(|d| (d, d.text().unwrap_or("").trim()))
    }

    /// A numeric `<data>` value; `positive` for quantities that divide.
    fn number(
        &self,
        el: Node<'_, 'i>,
        name: &'static str,
        positive: bool,
    ) -> Result<Option<f64>, TopologyError> {
        let Some((d, text)) = self.data(el, name) else {
            return Ok(None);
        };
        let expected = if positive {
            "a positive number"
        } else {
            "a finite number"
        };
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() && (!positive || v > 0.0) => Ok(Some(v)),
            _ => Err(TopologyError::GraphmlBadNumber {
                line: self.line(d),
                name,
                value: text.to_owned(),
                expected,
            }),
        }
    }

    fn read_node(&self, el: Node<'_, 'i>) -> Result<RawNode, TopologyError> {
        let id = self.attr(el, "node", "id")?.to_owned();
        let lat = self.number(el, "Latitude", false)?;
        let lon = self.number(el, "Longitude", false)?;
        let label = self.data(el, "label").map(|(_, t)| t.to_owned());
        Ok(RawNode {
            id,
            pos: el.range().start,
            label,
            coords: lat.zip(lon),
        })
    }

    /// The edge, or `None` for a self-loop (never on a shortest path).
    fn read_edge(
        &self,
        el: Node<'_, 'i>,
        by_id: &HashMap<&str, usize>,
        directed: bool,
    ) -> Result<Option<RawEdge>, TopologyError> {
        let end = |attr| {
            let id = self.attr(el, "edge", attr)?;
            by_id
                .get(id)
                .copied()
                .ok_or_else(|| TopologyError::GraphmlUnknownNode {
                    line: self.line(el),
                    id: id.to_owned(),
                })
        };
        let (source, target) = (end("source")?, end("target")?);
        let directed = el.attribute("directed").map_or(directed, |d| d == "true");
        let speed = self.number(el, "LinkSpeedRaw", true)?;
        Ok((source != target).then_some(RawEdge {
            source,
            target,
            directed,
            speed,
        }))
    }
}

/// One cost per raw edge under the chosen weight mode.
fn edge_costs(
    raw: &RawGraph,
    weight: GraphmlWeight,
) -> Result<(Vec<f64>, Vec<TopologyWarning>), TopologyError> {
    match weight {
        GraphmlWeight::Hops => Ok((vec![1.0; raw.edges.len()], Vec::new())),
        GraphmlWeight::Distance => {
            let coords = |i: usize| raw.nodes[i].coords;
            let known = raw
                .edges
                .iter()
                .map(|e| Some(haversine_km(coords(e.source)?, coords(e.target)?)))
                .collect();
            fill_median(known, weight, "Latitude/Longitude", |edges, median_km| {
                TopologyWarning::MissingCoordinates { edges, median_km }
            })
        }
        GraphmlWeight::InverseCapacity => {
            let known = raw
                .edges
                .iter()
                .map(|e| e.speed.map(|s| REFERENCE_BPS / s))
                .collect();
            fill_median(known, weight, "LinkSpeedRaw", |edges, median_cost| {
                TopologyWarning::MissingCapacity { edges, median_cost }
            })
        }
    }
}

/// Gives edges without data the median of the others: a neutral guess that
/// keeps them usable, with one warning saying how many were guessed.
fn fill_median(
    known: Vec<Option<f64>>,
    weight: GraphmlWeight,
    needs: &'static str,
    warning: impl Fn(usize, f64) -> TopologyWarning,
) -> Result<(Vec<f64>, Vec<TopologyWarning>), TopologyError> {
    let mut present: Vec<f64> = known.iter().flatten().copied().collect();
    let missing = known.len() - present.len();
    if missing == 0 {
        return Ok((present, Vec::new()));
    }
    let median =
        median(&mut present).ok_or(TopologyError::GraphmlNoWeightData { weight, needs })?;
    let costs = known.into_iter().map(|c| c.unwrap_or(median)).collect();
    Ok((costs, vec![warning(missing, median)]))
}

fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

/// Great-circle distance in km between two `(latitude, longitude)` points
/// in degrees: a proxy for propagation delay.
pub fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lat2) = (a.0.to_radians(), b.0.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.1 - a.1).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

fn to_topology(raw: &RawGraph, costs: &[f64]) -> Topology {
    let mut topo = Topology::default();
    let ix: Vec<_> = raw.nodes.iter().map(|n| topo.ensure_node(&n.id)).collect();
    for (edge, &cost) in raw.edges.iter().zip(costs) {
        topo.add_min_edge(ix[edge.source], ix[edge.target], cost);
        if !edge.directed {
            topo.add_min_edge(ix[edge.target], ix[edge.source], cost);
        }
    }
    topo
}
