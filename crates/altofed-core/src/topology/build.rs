//! Turns a [`CdnSpec`] and the graph it imports into a [`CdnNetwork`],
//! checking everything that needs the graph: router references, costs,
//! names and duplicates. Errors name the key path (`pid[1].nodes[0]`).

use std::collections::HashMap;

use altofed_model::{validate_pid_name, EndpointAddrGroup};
use petgraph::graph::NodeIndex;

use super::graphml::parse_graphml;
use super::rocketfuel::parse_rocketfuel;
use super::spec::{BorderSpec, CdnSpec, ImportFormat, ImportSpec, LinkSpec, PidSpec};
use super::{BorderRouter, CdnNetwork, CdnPid, Topology, TopologyError, TopologyWarning};

/// Parses the text of the file named by `[import]` with the right parser.
/// The caller reads the file (see [`ImportSpec::path_from`]).
pub fn import_topology(
    import: &ImportSpec,
    text: &str,
) -> Result<(Topology, Vec<TopologyWarning>), TopologyError> {
    match import.format()? {
        ImportFormat::Graphml => parse_graphml(text, import.graphml_weight()),
        ImportFormat::Rocketfuel => Ok((parse_rocketfuel(text)?, Vec::new())),
    }
}

/// Builds the CDN network: the imported graph (or an empty one), then the
/// spec's links (which may add routers and override imported edges), then
/// PIDs and border routers. Warns about routers without links.
pub fn build_network(
    spec: &CdnSpec,
    imported: Option<Topology>,
) -> Result<(CdnNetwork, Vec<TopologyWarning>), TopologyError> {
    let mut topology = imported.unwrap_or_default();
    add_links(&mut topology, &spec.links)?;
    let pids = build_pids(&topology, &spec.pids)?;
    let borders = build_borders(&topology, &spec.borders)?;
    let warnings = topology
        .isolated()
        .map(|ix| TopologyWarning::IsolatedRouter {
            router: topology.name(ix).to_owned(),
        })
        .collect();
    Ok((
        CdnNetwork {
            topology,
            pids,
            borders,
        },
        warnings,
    ))
}

/// Adds the links; the same directed edge twice in the spec is ambiguous.
fn add_links(topo: &mut Topology, links: &[LinkSpec]) -> Result<(), TopologyError> {
    let mut seen: HashMap<(NodeIndex, NodeIndex), usize> = HashMap::new();
    for (i, link) in links.iter().enumerate() {
        check_link(i, link)?;
        let (a, b) = (topo.ensure_node(&link.from), topo.ensure_node(&link.to));
        let back = (!link.directed).then_some((b, a));
        for (from, to) in std::iter::once((a, b)).chain(back) {
            if let Some(first) = seen.insert((from, to), i) {
                return Err(TopologyError::DuplicateLink {
                    key: format!("link[{i}]"),
                    from: topo.name(from).to_owned(),
                    to: topo.name(to).to_owned(),
                    first: format!("link[{first}]"),
                });
            }
            topo.set_edge(from, to, link.cost);
        }
    }
    Ok(())
}

/// Shortest paths need finite non-negative costs; a self-loop is a typo.
fn check_link(i: usize, link: &LinkSpec) -> Result<(), TopologyError> {
    if !link.cost.is_finite() || link.cost < 0.0 {
        return Err(TopologyError::BadCost {
            key: format!("link[{i}].cost"),
            cost: link.cost,
        });
    }
    if link.from == link.to {
        return Err(TopologyError::SelfLoop {
            key: format!("link[{i}]"),
            router: link.from.clone(),
        });
    }
    Ok(())
}

fn build_pids(topo: &Topology, specs: &[PidSpec]) -> Result<Vec<CdnPid>, TopologyError> {
    let mut first: HashMap<&str, usize> = HashMap::new();
    let mut pids = Vec::with_capacity(specs.len());
    for (i, spec) in specs.iter().enumerate() {
        let key = format!("pid[{i}]");
        check_pid_name(&format!("{key}.name"), &spec.name)?;
        if let Some(j) = first.get(spec.name.as_str()) {
            let (name, first) = (spec.name.clone(), format!("pid[{j}].name"));
            return Err(TopologyError::DuplicatePid {
                key: format!("{key}.name"),
                name,
                first,
            });
        }
        first.insert(&spec.name, i);
        pids.push(CdnPid {
            name: spec.name.clone(),
            prefixes: EndpointAddrGroup {
                ipv4: spec.ipv4.clone(),
                ipv6: spec.ipv6.clone(),
            },
            attachments: attachments(topo, &key, &spec.nodes)?,
        });
    }
    Ok(pids)
}

/// The attachment routers, each once, in the order given.
fn attachments(
    topo: &Topology,
    key: &str,
    nodes: &[String],
) -> Result<Vec<NodeIndex>, TopologyError> {
    if nodes.is_empty() {
        return Err(TopologyError::NoAttachment {
            key: format!("{key}.nodes"),
        });
    }
    let mut out = Vec::with_capacity(nodes.len());
    for (j, name) in nodes.iter().enumerate() {
        let ix = router(topo, format!("{key}.nodes[{j}]"), name)?;
        if !out.contains(&ix) {
            out.push(ix);
        }
    }
    Ok(out)
}

/// Router names and border PID names share one namespace, because
/// [`CdnNetwork::border_index`] looks a border up by either.
fn build_borders(
    topo: &Topology,
    specs: &[BorderSpec],
) -> Result<Vec<BorderRouter>, TopologyError> {
    let mut used: HashMap<&str, String> = HashMap::new();
    let mut borders = Vec::with_capacity(specs.len());
    for (i, spec) in specs.iter().enumerate() {
        let key = format!("border[{i}].router");
        let ix = router(topo, key.clone(), &spec.router)?;
        claim(&mut used, key, &spec.router)?;
        if let Some(pid) = &spec.pid {
            let key = format!("border[{i}].pid");
            check_pid_name(&key, pid)?;
            claim(&mut used, key, pid)?;
        }
        borders.push(BorderRouter {
            router: ix,
            name: spec.router.clone(),
            pid: spec.pid.clone(),
        });
    }
    Ok(borders)
}

/// Records that `key` uses `name`, or says who used it first.
fn claim<'a>(
    used: &mut HashMap<&'a str, String>,
    key: String,
    name: &'a str,
) -> Result<(), TopologyError> {
    if let Some(first) = used.get(name) {
        return Err(TopologyError::DuplicateBorder {
            key,
            name: name.to_owned(),
            first: first.clone(),
        });
    }
    used.insert(name, key);
    Ok(())
}

fn router(topo: &Topology, key: String, name: &str) -> Result<NodeIndex, TopologyError> {
    topo.node(name).ok_or_else(|| TopologyError::UnknownNode {
        key,
        router: name.to_owned(),
    })
}

fn check_pid_name(key: &str, name: &str) -> Result<(), TopologyError> {
    validate_pid_name(name).map_err(|source| TopologyError::InvalidPidName {
        key: key.to_owned(),
        source,
    })
}
