//! Turning every peer's columns into the published documents: the merged
//! network map, the cost maps and the property map, validated.

use std::collections::BTreeMap;

use altofed_model::validate::{validate_cost_table, validate_cost_table_costs};
use altofed_model::{
    content_tag, CostMode, CostTableDoc, NetworkMapDoc, NetworkMapMeta, VersionTag,
};

use super::blocks::TableCache;
use super::merged::{MergeCache, MergeKey, Merged};
use super::props::{PropertyCache, PropertyInputs};
use super::table::cost_table;
use super::{ComputeError, Computed, PeerInput};
use crate::config::Config;
use crate::output::{build_cost_maps, OutputError, PeerPids, PublishedPid};
use crate::topology::CdnNetwork;

/// Merges the network maps and builds every document. `peers[i]` is
/// `config.peers[i]`'s input, `None` for a peer with nothing to contribute
/// (never answered, or withdrawn).
pub fn assemble(
    config: &Config,
    cdn: &CdnNetwork,
    peers: &[Option<PeerInput<'_>>],
    warnings: Vec<String>,
) -> Result<Computed, ComputeError> {
    assemble_with(
        config,
        cdn,
        peers,
        &[],
        warnings,
        &mut MergeCache::default(),
    )
}

/// [`assemble`], taking what did not change since the last call from
/// `cache` (the merged network map, the cost table's blocks, the property
/// map) and leaving this one's there. `never_fetched` names the peers not
/// answered once yet, marked on the catch-all PID
/// ([`mark_never_fetched`](crate::output::mark_never_fetched)).
pub fn assemble_with(
    config: &Config,
    cdn: &CdnNetwork,
    peers: &[Option<PeerInput<'_>>],
    never_fetched: &[&str],
    mut warnings: Vec<String>,
    cache: &mut MergeCache,
) -> Result<Computed, ComputeError> {
    if peers.len() != config.peers.len() {
        return Err(ComputeError::PeerCount(peers.len(), config.peers.len()));
    }
    let key = MergeKey::new(
        &config.output.catch_all_pid,
        &cdn.pids,
        (config.peers.iter().zip(peers)).map(|(cfg, input)| {
            let pids = input.as_ref().map(|i| i.columns.merge_input());
            (cfg.name.as_str(), cfg.priority, pids)
        }),
    );
    let net_id = config.network_map_id();
    // Out of the cache while the merge result borrows it.
    let mut tables = std::mem::take(&mut cache.table);
    let mut props = std::mem::take(&mut cache.props);
    let merged = cache.merge(
        key,
        &config.output.catch_all_pid,
        &cdn.pids,
        || peer_pids(config, peers),
        |pids| network_map_doc(&net_id, pids),
    )?;
    warnings.extend(merged.warnings.iter().cloned());
    if let Some((peer, pid)) = catch_all_source(config, peers) {
        let republished = peers[peer]
            .as_ref()
            .is_some_and(|i| i.columns.columns.contains_key(pid));
        if !republished {
            warnings.push(format!(
                "output.catch-all-costs-from: PID `{pid}` of peer `{}` holds the catch-all but is not republished (a border PID?); the catch-all PID gets no costs from it",
                config.peers[peer].name
            ));
        }
    }
    let mut caches = Caches {
        tables: &mut tables,
        props: &mut props,
    };
    let computed = publish(
        config,
        cdn,
        peers,
        never_fetched,
        merged,
        warnings,
        &mut caches,
    );
    (cache.table, cache.props) = (tables, props);
    computed
}

/// What [`publish`] takes from the last publish and leaves for the next.
struct Caches<'a> {
    tables: &'a mut TableCache,
    props: &'a mut PropertyCache,
}

/// Assembles and validates the documents.
fn publish(
    config: &Config,
    cdn: &CdnNetwork,
    peers: &[Option<PeerInput<'_>>],
    never_fetched: &[&str],
    merged: &Merged,
    warnings: Vec<String>,
    caches: &mut Caches<'_>,
) -> Result<Computed, ComputeError> {
    let (pids, network_map) = (&merged.pids[..], merged.network_map.clone());
    let vtag = network_map.meta.vtag.clone();
    let invalid = |document, e: &dyn std::fmt::Display| OutputError::Invalid {
        document,
        reason: e.to_string(),
    };
    let catch_all = catch_all_source(config, peers);
    let default = config.output.default_cost;
    let direction = config.output.direction;
    let table = cost_table(
        cdn,
        peers,
        merged,
        catch_all,
        default,
        direction,
        caches.tables,
    )
    .map_err(|e| invalid("cost map", &e))?;
    let ordinal_id = config
        .output
        .ordinal_cost_map
        .then(|| config.cost_map_id(CostMode::Ordinal));
    let (cost_map, ordinal_cost_map) = build_cost_maps(
        table,
        &vtag,
        &config.cost_map_id(CostMode::Numerical),
        ordinal_id.as_deref(),
    )
    .map_err(|e| invalid("ordinal cost map", &e))?;
    // Names are checked once per merge: a table on the last one's names
    // needs its costs checked only.
    let frame = caches.tables.last_frame();
    let validate = |doc: &CostTableDoc| match frame {
        Some(f) if f.names_checked(&doc.cost_map) => {
            validate_cost_table_costs(doc, Some(&network_map))
        }
        _ => validate_cost_table(doc, Some(&network_map)),
    };
    validate(&cost_map).map_err(|e| invalid("cost map", &e))?;
    if let Some(ordinal) = &ordinal_cost_map {
        validate(ordinal).map_err(|e| invalid("ordinal cost map", &e))?;
    }
    if let Some(f) = frame {
        f.mark_names_checked();
    }
    let property_map = caches.props.get(&PropertyInputs {
        network_map: &merged.network_map,
        pids,
        peer_names: config.peers.iter().map(|p| p.name.as_str()).collect(),
        stale: (peers.iter())
            .map(|p| p.as_ref().and_then(|i| i.stale_since))
            .collect(),
        never_fetched,
        catch_all: &config.output.catch_all_pid,
    })?;
    Ok(Computed {
        network_map,
        cost_map,
        ordinal_cost_map,
        property_map,
        warnings,
    })
}

/// What the merge reads of each configured peer: its published PIDs and
/// their groups (none for a peer without input).
fn peer_pids<'a>(config: &'a Config, peers: &'a [Option<PeerInput<'a>>]) -> Vec<PeerPids<'a>> {
    (config.peers.iter().zip(peers))
        .map(|(cfg, input)| PeerPids {
            name: &cfg.name,
            priority: cfg.priority,
            pids: (input.iter())
                .flat_map(|i| i.columns.published(&i.maps.network_map.network_map))
                .filter_map(|(name, group)| Some((name, group?)))
                .collect(),
        })
        .collect()
}

/// The network map of the merged PIDs, their prefixes moved into it.
fn network_map_doc(id: &str, pids: &mut [PublishedPid]) -> NetworkMapDoc {
    let map: BTreeMap<String, _> = pids
        .iter_mut()
        .map(|p| (p.name.clone(), std::mem::take(&mut p.prefixes)))
        .collect();
    let tag = content_tag(&serde_json::to_vec(&map).unwrap_or_default());
    NetworkMapDoc {
        meta: NetworkMapMeta {
            vtag: VersionTag::new(id, tag),
        },
        network_map: map,
    }
}

/// The (peer, ISP PID) whose costs the catch-all PID inherits: the PID of
/// `output.catch-all-costs-from` that holds `0.0.0.0/0` (else `::/0`).
fn catch_all_source<'a>(
    config: &Config,
    peers: &'a [Option<PeerInput<'a>>],
) -> Option<(usize, &'a str)> {
    let peer = config.peer_index(config.output.catch_all_costs_from.as_deref()?)?;
    let map = &peers[peer].as_ref()?.maps.network_map.network_map;
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
