//! One peer's part of a computation: the checks on its maps
//! ([`crate::peer_checks`]), border identification, the ISP matrix and
//! composition against C_cdn. Its result only changes when the peer's maps
//! or the CDN side change, so the engine keeps it between runs. Whatever
//! is wrong with one peer's maps fails here, for that peer alone, never in
//! [`super::assemble`].

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use altofed_model::lookup::PidLookup;
use altofed_model::EndpointAddrGroup;

use super::merged::{peer_input, PeerMergeInput};
use super::ComputeError;
use crate::border::{resolve_links, ResolvedLink};
use crate::cdn_cost::costs_from_borders;
use crate::cdn_cost::CdnCosts;
use crate::compose::{
    choose_exits, compose_multipath, compose_reverse, compose_single, LinkTerm, Matrix, Mode,
};
use crate::config::Config;
use crate::peer::PeerMaps;
use crate::peer_checks::{
    check_costs, check_published_names, check_size, trim_subscribers, CdnSpace,
};
use crate::topology::CdnNetwork;

/// One peer after border identification and composition.
#[derive(Debug, Clone)]
pub struct PeerColumns {
    /// Unique per composition (clones share it): the published table's
    /// blocks built from these columns are reused while it is the same.
    id: u64,
    /// The ISP PIDs republished, in column order.
    pub subscribers: Vec<String>,
    /// ISP PID name -> column in `composed`.
    pub columns: BTreeMap<String, usize>,
    /// CDN PIDs x subscribers; no rows when `output.direction` does not
    /// publish that direction.
    pub composed: Matrix,
    /// Subscribers x CDN PIDs, when `output.direction` publishes it.
    pub reverse: Option<Matrix>,
    /// The prefixes of the subscribers that lost some to the CDN's own
    /// space; the others publish their network map groups as they are.
    pub trimmed: BTreeMap<String, EndpointAddrGroup>,
    /// What border identification and subscriber selection reported.
    pub warnings: Vec<String>,
    /// What the network map merge reads of this peer (see the type),
    /// written by [`PeerColumns::new`] from `subscribers` and `trimmed`,
    /// which are therefore not changed after it.
    merge_input: PeerMergeInput,
}

/// Border identification and composition for peer `p` (its index in
/// `config.peers`) against the CDN costs `costs` of `cdn`.
pub fn compose_peer(
    config: &Config,
    p: usize,
    maps: &PeerMaps,
    cdn: &CdnNetwork,
    costs: &CdnCosts,
) -> Result<PeerColumns, ComputeError> {
    let cfg = &config.peers[p];
    let mut warnings = Vec::new();
    maps.check(&cfg.name)?;
    check_size(
        &cfg.name,
        &maps.network_map,
        &maps.cost_map.cost_map,
        cfg.size_limits(),
    )?;
    check_costs(&cfg.name, &maps.cost_map.cost_map)?;
    let lookup = PidLookup::build(&maps.network_map.network_map).map_err(|e| {
        ComputeError::PeerNetworkMap {
            peer: cfg.name.clone(),
            reason: e.to_string(),
        }
    })?;
    let (links, link_warnings) = resolve_links(cfg, maps, &lookup, cdn)?;
    warnings.extend(link_warnings);
    let subscribers = subscriber_pids(cfg, maps, &links, &mut warnings);
    check_published_names(
        &cfg.name,
        &subscribers,
        &cdn.pids,
        &config.output.catch_all_pid,
    )?;
    let space = CdnSpace::new(&cdn.pids);
    let net = &maps.network_map.network_map;
    let (trimmed, dropped) = trim_subscribers(&cfg.name, &space, &subscribers, net);
    warnings.extend(dropped);
    let terms: Vec<LinkTerm> = links
        .iter()
        .map(|l| LinkTerm {
            name: l.name.clone(),
            border: l.border,
            cost: l.cost,
            preference: l.preference,
        })
        .collect();
    let direction = config.output.direction;
    let forward = || isp_matrix(cfg.scale, cfg.offset, maps, &links, &subscribers);
    let composed = match config.output.mode {
        _ if !direction.forward() => Matrix::filled(0, subscribers.len(), f64::INFINITY),
        Mode::Multipath => compose_multipath(costs, &terms, &forward()),
        Mode::SinglePath => {
            let pins = pins_for(config, p, cdn, &terms)?;
            compose_single(
                costs,
                &terms,
                &forward(),
                &choose_exits(costs, &terms, &pins),
            )
        }
    };
    let reverse = direction.reverse().then(|| {
        let to_borders = isp_to_borders(cfg.scale, cfg.offset, maps, &links, &subscribers);
        // Computed here only for a caller that did not ask `cdn_costs_for`
        // for this direction (the engine and `compute` do).
        let computed;
        let from_borders = match costs.from_borders() {
            Some(c) => c,
            None => {
                computed = costs_from_borders(cdn);
                &computed
            }
        };
        compose_reverse(config.output.mode, &to_borders, from_borders, &terms)
    });
    let columns = subscribers
        .iter()
        .enumerate()
        .map(|(i, s)| (s.clone(), i))
        .collect();
    Ok(PeerColumns::new(
        subscribers,
        columns,
        composed,
        reverse,
        trimmed,
        warnings,
        net,
    ))
}

impl PeerColumns {
    /// Columns with an id no other composition has, of a peer whose
    /// network map is `net`.
    pub fn new(
        subscribers: Vec<String>,
        columns: BTreeMap<String, usize>,
        composed: Matrix,
        reverse: Option<Matrix>,
        trimmed: BTreeMap<String, EndpointAddrGroup>,
        warnings: Vec<String>,
        net: &BTreeMap<String, EndpointAddrGroup>,
    ) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let mut columns = Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            subscribers,
            columns,
            composed,
            reverse,
            trimmed,
            warnings,
            merge_input: Arc::from([]),
        };
        columns.merge_input = peer_input(columns.published(net));
        columns
    }

    /// See the field.
    pub(super) fn id(&self) -> u64 {
        self.id
    }

    /// See the field.
    pub(super) fn merge_input(&self) -> &PeerMergeInput {
        &self.merge_input
    }

    /// Each subscriber, in column order, with the group it is published
    /// with: its trimmed one, else the one of `net`, its peer's network
    /// map (every subscriber has one there).
    pub(super) fn published<'a>(
        &'a self,
        net: &'a BTreeMap<String, EndpointAddrGroup>,
    ) -> impl ExactSizeIterator<Item = (&'a str, Option<&'a EndpointAddrGroup>)> + 'a {
        (self.subscribers.iter())
            .map(move |s| (s.as_str(), self.trimmed.get(s).or_else(|| net.get(s))))
    }
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
        let Some(row) = maps.cost_map.cost_map.row(&link.isp_pid) else {
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

/// One row per subscriber, one column per link: the scaled ISP cost from
/// the subscriber to the link's border PID; infinity where the ISP
/// publishes no cost.
fn isp_to_borders(
    scale: f64,
    offset: f64,
    maps: &PeerMaps,
    links: &[ResolvedLink],
    subscribers: &[String],
) -> Matrix {
    let mut isp = Matrix::filled(subscribers.len(), links.len(), f64::INFINITY);
    for (s, subscriber) in subscribers.iter().enumerate() {
        let Some(row) = maps.cost_map.cost_map.row(subscriber) else {
            continue;
        };
        for (l, cell) in isp.row_mut(s).iter_mut().enumerate() {
            if let Some(cost) = row.get(&links[l].isp_pid) {
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
