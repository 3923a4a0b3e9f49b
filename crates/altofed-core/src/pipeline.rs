//! One full computation: CDN network + every peer's maps + configuration
//! in, the published documents out.

use std::collections::BTreeMap;

use altofed_model::lookup::PidLookup;
use altofed_model::validate::{validate_cost_map, validate_network_map, validate_property_map};
use altofed_model::{
    content_tag, Cost, CostMapDoc, CostMode, CostRows, NetworkMapDoc, NetworkMapMeta,
    PropertyMapDoc, VersionTag,
};
use thiserror::Error;

use crate::border::{resolve_links, BorderError, ResolvedLink};
use crate::cdn_cost::{cdn_costs, CdnCosts};
use crate::compose::{choose_exits, compose_multipath, compose_single, LinkTerm, Matrix, Mode};
use crate::config::Config;
use crate::output::{
    build_cost_maps, build_property_map, merge_network_map, OutputError, PeerPids, PidOrigin,
    PublishedPid,
};
use crate::peer::{PeerError, PeerMaps};
use crate::topology::CdnNetwork;

/// Everything a computation publishes.
#[derive(Debug, Clone)]
pub struct Computed {
    pub network_map: NetworkMapDoc,
    pub cost_map: CostMapDoc,
    pub ordinal_cost_map: CostMapDoc,
    pub property_map: PropertyMapDoc,
    /// Things an operator should know that did not stop the computation.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Error)]
pub enum ComputeError {
    #[error(transparent)]
    Peer(#[from] PeerError),
    #[error(transparent)]
    Border(#[from] BorderError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("peer `{peer}`: the network map is unusable: {reason}")]
    PeerNetworkMap { peer: String, reason: String },
    #[error("pin[{index}].cdn-pid: no CDN PID is called `{pid}`")]
    UnknownPinnedPid { index: usize, pid: String },
    #[error("{0} peer map sets were given for {1} configured peers")]
    PeerCount(usize, usize),
}

/// One peer after border identification and composition.
struct PeerResult {
    /// ISP PID name -> column in `composed`.
    columns: BTreeMap<String, usize>,
    composed: Matrix,
}

/// Runs the whole computation. `peers[i]` holds the maps of `config.peers[i]`.
pub fn compute(
    config: &Config,
    cdn: &CdnNetwork,
    peers: &[PeerMaps],
) -> Result<Computed, ComputeError> {
    if peers.len() != config.peers.len() {
        return Err(ComputeError::PeerCount(peers.len(), config.peers.len()));
    }
    let (costs, topology_warnings) = cdn_costs(cdn);
    let mut warnings: Vec<String> = topology_warnings.iter().map(ToString::to_string).collect();
    let mut results = Vec::with_capacity(peers.len());
    let mut subscriber_sets = Vec::with_capacity(peers.len());
    for (p, maps) in peers.iter().enumerate() {
        let (result, subscribers) = compute_peer(config, p, maps, cdn, &costs, &mut warnings)?;
        results.push(result);
        subscriber_sets.push(subscribers);
    }
    let peer_pids: Vec<PeerPids<'_>> = config
        .peers
        .iter()
        .zip(peers)
        .zip(&subscriber_sets)
        .map(|((cfg, maps), subs)| PeerPids {
            name: &cfg.name,
            priority: cfg.priority,
            pids: subs
                .iter()
                .map(|s| (s.as_str(), &maps.network_map.network_map[s]))
                .collect(),
        })
        .collect();
    let merged = merge_network_map(&config.output.catch_all_pid, &cdn.pids, &peer_pids)?;
    warnings.extend(merged.warnings);
    if let Some((peer, pid)) = catch_all_source(config, peers) {
        if !results[peer].columns.contains_key(pid) {
            warnings.push(format!(
                "output.catch-all-costs-from: PID `{pid}` of peer `{}` holds the catch-all but is not republished (a border PID?); the catch-all PID gets no costs from it",
                config.peers[peer].name
            ));
        }
    }
    publish(config, cdn, peers, &results, &merged.pids, warnings)
}

/// Border identification and composition for peer `p`. Returns the result
/// and the ISP PIDs to publish.
fn compute_peer(
    config: &Config,
    p: usize,
    maps: &PeerMaps,
    cdn: &CdnNetwork,
    costs: &CdnCosts,
    warnings: &mut Vec<String>,
) -> Result<(PeerResult, Vec<String>), ComputeError> {
    let cfg = &config.peers[p];
    maps.check(&cfg.name)?;
    let lookup = PidLookup::build(&maps.network_map.network_map).map_err(|e| {
        ComputeError::PeerNetworkMap {
            peer: cfg.name.clone(),
            reason: e.to_string(),
        }
    })?;
    let (links, link_warnings) = resolve_links(cfg, maps, &lookup, cdn)?;
    warnings.extend(link_warnings);
    let subscribers = subscriber_pids(cfg, maps, &links, warnings);
    let isp = isp_matrix(cfg.scale, cfg.offset, maps, &links, &subscribers);
    let terms: Vec<LinkTerm> = links
        .iter()
        .map(|l| LinkTerm {
            name: l.name.clone(),
            border: l.border,
            cost: l.cost,
            preference: l.preference,
        })
        .collect();
    let composed = match config.output.mode {
        Mode::Multipath => compose_multipath(costs, &terms, &isp),
        Mode::SinglePath => {
            let pins = pins_for(config, p, cdn, &terms)?;
            compose_single(costs, &terms, &isp, &choose_exits(costs, &terms, &pins))
        }
    };
    let columns = subscribers
        .iter()
        .enumerate()
        .map(|(i, s)| (s.clone(), i))
        .collect();
    Ok((PeerResult { columns, composed }, subscribers))
}

/// The ISP PIDs republished for a peer: the configured list, or every PID
/// that is not the ISP end of a peering link.
fn subscriber_pids(
    cfg: &crate::config::PeerConfig,
    maps: &PeerMaps,
    links: &[ResolvedLink],
    warnings: &mut Vec<String>,
) -> Vec<String> {
    let is_border = |pid: &str| links.iter().any(|l| l.isp_pid == pid);
    let Some(wanted) = &cfg.subscribers else {
        return maps
            .network_map
            .network_map
            .keys()
            .filter(|pid| !is_border(pid))
            .cloned()
            .collect();
    };
    let mut out = Vec::new();
    for pid in wanted {
        if !maps.network_map.network_map.contains_key(pid) {
            warnings.push(format!(
                "peer `{}`: subscriber PID `{pid}` is not in its network map",
                cfg.name
            ));
        } else if is_border(pid) {
            warnings.push(format!(
                "peer `{}`: subscriber PID `{pid}` is a border PID and is not republished",
                cfg.name
            ));
        } else if !out.contains(pid) {
            out.push(pid.clone());
        }
    }
    out
}

/// One row per link: the scaled ISP cost from the link's border PID to each
/// subscriber; infinity where the ISP publishes no cost.
fn isp_matrix(
    scale: f64,
    offset: f64,
    maps: &PeerMaps,
    links: &[ResolvedLink],
    subscribers: &[String],
) -> Matrix {
    let mut isp = Matrix::filled(links.len(), subscribers.len(), f64::INFINITY);
    for (l, link) in links.iter().enumerate() {
        let Some(row) = maps.cost_map.cost_map.get(&link.isp_pid) else {
            continue;
        };
        for (s, cell) in isp.row_mut(l).iter_mut().enumerate() {
            if let Some(cost) = row.get(&subscribers[s]) {
                *cell = scale * cost.0 + offset;
            }
        }
    }
    isp
}

/// Pinned exit (link index) per CDN PID for peer `p`.
fn pins_for(
    config: &Config,
    p: usize,
    cdn: &CdnNetwork,
    terms: &[LinkTerm],
) -> Result<Vec<Option<usize>>, ComputeError> {
    let mut pins = vec![None; cdn.pids.len()];
    for (index, pin) in config.pins.iter().enumerate() {
        let pid = cdn
            .pids
            .iter()
            .position(|c| c.name == pin.cdn_pid)
            .ok_or_else(|| ComputeError::UnknownPinnedPid {
                index,
                pid: pin.cdn_pid.clone(),
            })?;
        if pin.peer == config.peers[p].name {
            pins[pid] = terms.iter().position(|t| t.name == pin.link);
        }
    }
    Ok(pins)
}

/// Assembles and validates the documents.
fn publish(
    config: &Config,
    cdn: &CdnNetwork,
    peers: &[PeerMaps],
    results: &[PeerResult],
    pids: &[PublishedPid],
    warnings: Vec<String>,
) -> Result<Computed, ComputeError> {
    let network_map = network_map_doc(&config.network_map_id(), pids);
    let vtag = network_map.meta.vtag.clone();
    let rows = cost_rows(config, cdn, peers, results, pids);
    let (cost_map, ordinal_cost_map) = build_cost_maps(
        rows,
        &vtag,
        &config.cost_map_id(CostMode::Numerical),
        &config.cost_map_id(CostMode::Ordinal),
    );
    let peer_names: Vec<&str> = config.peers.iter().map(|p| p.name.as_str()).collect();
    let property_map = build_property_map(pids, &peer_names, &vtag);
    let invalid = |document, e: &dyn std::fmt::Display| OutputError::Invalid {
        document,
        reason: e.to_string(),
    };
    validate_network_map(&network_map).map_err(|e| invalid("network map", &e))?;
    validate_cost_map(&cost_map, Some(&network_map)).map_err(|e| invalid("cost map", &e))?;
    validate_cost_map(&ordinal_cost_map, Some(&network_map))
        .map_err(|e| invalid("ordinal cost map", &e))?;
    validate_property_map(&property_map).map_err(|e| invalid("property map", &e))?;
    Ok(Computed {
        network_map,
        cost_map,
        ordinal_cost_map,
        property_map,
        warnings,
    })
}

fn network_map_doc(id: &str, pids: &[PublishedPid]) -> NetworkMapDoc {
    let map: BTreeMap<String, _> = pids
        .iter()
        .map(|p| (p.name.clone(), p.prefixes.clone()))
        .collect();
    let tag = content_tag(&serde_json::to_vec(&map).unwrap_or_default());
    NetworkMapDoc {
        meta: NetworkMapMeta {
            vtag: VersionTag::new(id, tag),
        },
        network_map: map,
    }
}

/// CDN PID -> published subscriber PID -> composed cost (or the default).
fn cost_rows(
    config: &Config,
    cdn: &CdnNetwork,
    peers: &[PeerMaps],
    results: &[PeerResult],
    pids: &[PublishedPid],
) -> CostRows {
    let catch_all = catch_all_source(config, peers);
    let default = config.output.default_cost;
    cdn.pids
        .iter()
        .enumerate()
        .map(|(row, cdn_pid)| {
            let costs = pids
                .iter()
                .filter_map(|pid| {
                    let source = match &pid.origin {
                        PidOrigin::Cdn => return None,
                        PidOrigin::Subscriber { peer, isp_pid } => Some((*peer, isp_pid.as_str())),
                        PidOrigin::CatchAll => catch_all,
                    };
                    let value = source
                        .and_then(|(peer, isp_pid)| {
                            let result = &results[peer];
                            result
                                .columns
                                .get(isp_pid)
                                .map(|col| result.composed.get(row, *col))
                        })
                        .filter(|v| v.is_finite())
                        .or(default)?;
                    Some((pid.name.clone(), Cost(value)))
                })
                .collect();
            (cdn_pid.name.clone(), costs)
        })
        .collect()
}

/// The (peer, ISP PID) whose costs the catch-all PID inherits: the PID of
/// `output.catch-all-costs-from` that holds `0.0.0.0/0` (else `::/0`).
fn catch_all_source<'a>(config: &Config, peers: &'a [PeerMaps]) -> Option<(usize, &'a str)> {
    let peer = config.peer_index(config.output.catch_all_costs_from.as_deref()?)?;
    let map = &peers[peer].network_map.network_map;
    let holds = |zero_v4: bool| {
        map.iter().find(|(_, g)| {
            if zero_v4 {
                g.ipv4.iter().any(|n| n.prefix_len() == 0)
            } else {
                g.ipv6.iter().any(|n| n.prefix_len() == 0)
            }
        })
    };
    holds(true)
        .or_else(|| holds(false))
        .map(|(pid, _)| (peer, pid.as_str()))
}
