//! The answers of the endpoint cost service (RFC 7285 §11.5.1; the
//! handler is [`super::endpoint::endpoint_costs`]): what a DNS server or
//! HTTP redirector asks to rank CDN endpoints for a client address. CDN
//! nodes that are down or drained are left out ([`super::unusable`]).
//!
//! Addresses are deduplicated first (a repeated address has no meaning of
//! its own), the source x destination pairs counted against
//! `max-pairs-per-request` before any work per pair, and the answer
//! written straight into the response buffer. Addresses stay borrowed
//! from the request body where [`super::ecsparams`] could read it.

use std::borrow::Cow;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use altofed_model::endpoint::TypedEndpointAddr;
use altofed_model::error::ErrorDoc;
use altofed_model::filter::Constraint;
use altofed_model::CostMode;

use super::direction::{self, Kinds, PublishedDirection};
use super::ecsparams::EcsParams;
use super::endpoint::{distinct, parse_endpoint};
use super::filtered::parse_constraints;
use super::jsonout::CostRowsWriter;
use super::limits::too_many_pairs;
use super::offload::{Cancel, Planned};
use super::unusable;
use crate::http::ApiError;
use crate::snapshot::Snapshot;

/// What a request is planned with besides itself.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ask {
    /// Stands in for an empty list of addresses.
    pub(crate) client: SocketAddr,
    pub(crate) max_pairs: u64,
    pub(crate) published: Option<PublishedDirection>,
}

impl Ask {
    /// Resolves, checks and counts `params` against `snapshot`.
    pub(crate) fn plan<'a>(
        self,
        snapshot: Arc<Snapshot>,
        params: EcsParams<'a>,
    ) -> Result<EcsSelection<'a>, ApiError> {
        let mut selection = EcsSelection::new(snapshot, params, self.client, self.max_pairs)?;
        selection.check_direction(self.published)?;
        selection.leave_out_unusable_nodes();
        Ok(selection)
    }
}

/// One requested address: as the client wrote it (the answer's key), and
/// its PID's number in the network map (`None`: in no PID, or left out).
#[derive(Debug)]
struct Endpoint<'a> {
    text: Cow<'a, str>,
    addr: IpAddr,
    pid: Option<usize>,
}

/// The sources and destinations of an endpoint cost request: distinct,
/// sorted (the answer's key order), each with its PID's number.
#[derive(Debug)]
pub(crate) struct EcsSelection<'a> {
    snapshot: Arc<Snapshot>,
    /// Index into the snapshot's cost maps.
    map: usize,
    srcs: Vec<Endpoint<'a>>,
    dsts: Vec<Endpoint<'a>>,
    constraints: Vec<Constraint>,
}

impl<'a> EcsSelection<'a> {
    fn new(
        snapshot: Arc<Snapshot>,
        params: EcsParams<'a>,
        client: SocketAddr,
        max_pairs: u64,
    ) -> Result<Self, ApiError> {
        let map = snapshot
            .cost_map_index_of(&params.metric, params.mode)
            .ok_or_else(|| unsupported(&snapshot, &params.metric, params.mode))?;
        let constraints = parse_constraints(params.constraints.as_deref().unwrap_or_default())?;
        let (srcs, dsts) = (params.srcs, params.dsts);
        let (srcs, dsts) = (srcs.unwrap_or_default(), dsts.unwrap_or_default());
        if srcs.is_empty() && dsts.is_empty() {
            return Err(ErrorDoc::missing_field("endpoints/dsts").into());
        }
        // An empty list is the client's own address.
        let own = || vec![Cow::Owned(TypedEndpointAddr(client.ip()).to_string())];
        let srcs = distinct(if srcs.is_empty() { own() } else { srcs });
        let dsts = distinct(if dsts.is_empty() { own() } else { dsts });
        let pairs = (srcs.len() as u64).saturating_mul(dsts.len() as u64);
        if pairs > max_pairs {
            return Err(too_many_pairs("endpoints", pairs, max_pairs));
        }
        let srcs = resolve(&snapshot, "endpoints/srcs", srcs)?;
        let dsts = resolve(&snapshot, "endpoints/dsts", dsts)?;
        Ok(Self {
            snapshot,
            map,
            srcs,
            dsts,
            constraints,
        })
    }

    /// The same selection owning its addresses, to be written elsewhere.
    pub(crate) fn into_owned(self) -> EcsSelection<'static> {
        let owned = |list: Vec<Endpoint<'a>>| {
            let own = |e: Endpoint<'a>| Endpoint {
                text: Cow::Owned(e.text.into_owned()),
                addr: e.addr,
                pid: e.pid,
            };
            list.into_iter().map(own).collect()
        };
        EcsSelection {
            snapshot: self.snapshot,
            map: self.map,
            srcs: owned(self.srcs),
            dsts: owned(self.dsts),
            constraints: self.constraints,
        }
    }

    /// A request whose pairs are all in the direction that is not
    /// published is an error ([`direction`]); addresses in no PID take no
    /// part.
    fn check_direction(&self, published: Option<PublishedDirection>) -> Result<(), ApiError> {
        if published.is_none() {
            return Ok(());
        }
        let kinds = |list: &[Endpoint<'_>]| {
            let mut kinds = Kinds::default();
            for index in list.iter().filter_map(|e| e.pid) {
                kinds.add_index(&self.snapshot, index);
            }
            kinds
        };
        direction::check(
            published,
            kinds(&self.srcs),
            kinds(&self.dsts),
            "endpoints/srcs",
        )
    }

    /// Nodes down or drained take no part in the answer ([`unusable`]): a
    /// source row is left out, a destination left out of every row. After
    /// the direction check, which is about what the request asks.
    fn leave_out_unusable_nodes(&mut self) {
        let nodes = unusable::unusable_nodes(&self.snapshot);
        if nodes.is_empty() {
            return;
        }
        for e in self.srcs.iter_mut().chain(self.dsts.iter_mut()) {
            if nodes.contains(&e.addr) {
                e.pid = None;
            }
        }
    }

    /// Candidate pairs: what writing the answer costs.
    pub(crate) fn pairs(&self) -> u64 {
        (self.srcs.len() as u64).saturating_mul(self.dsts.len() as u64)
    }

    /// About the length of the answer's rows if every pair has a cost
    /// (keys, punctuation, ~10 digits a cost), at most 1 MiB: one
    /// allocation for the usual answer, none wasted on a huge one.
    fn expected_len(&self) -> usize {
        let text = |list: &[Endpoint<'_>]| list.iter().map(|e| e.text.len() + 4).sum::<usize>();
        let row = text(&self.dsts) + 12 * self.dsts.len();
        let rows = text(&self.srcs).saturating_add(self.srcs.len().saturating_mul(row));
        rows.min(1 << 20)
    }

    /// The answer's JSON text; gives up when `cancel` is set. The costs of
    /// a few rows are looked up together before they are written, so that
    /// their cache misses overlap rather than wait behind the writing.
    pub(crate) fn write(&self, cancel: &Cancel) -> Result<Vec<u8>, ApiError> {
        let entry = &self.snapshot.cost_maps[self.map];
        let member = "endpoint-cost-map";
        let mut out =
            CostRowsWriter::start_with_meta_text(&entry.ecs_meta, member, self.expected_len());
        let width = self.dsts.len().max(1);
        let mut costs = Vec::with_capacity(GATHER_PAIRS.max(width));
        for srcs in self.srcs.chunks((GATHER_PAIRS / width).max(1)) {
            cancel.check()?;
            costs.clear();
            for src in srcs {
                let cost = |dst: &Endpoint<'_>| entry.cost_by_index(src.pid?, dst.pid?);
                costs.extend(self.dsts.iter().map(cost));
            }
            for (src, row) in srcs.iter().zip(costs.chunks(width)) {
                if src.pid.is_none() {
                    continue;
                }
                out.begin_row(&src.text);
                for (dst, cost) in self.dsts.iter().zip(row) {
                    if let Some(cost) =
                        cost.filter(|c| self.constraints.iter().all(|x| x.holds(*c)))
                    {
                        out.entry(&dst.text, cost);
                    }
                }
                out.end_row();
            }
        }
        Ok(out.finish())
    }
}

/// About how many costs [`EcsSelection::write`] looks up before writing
/// them (at least one row's).
const GATHER_PAIRS: usize = 64;

impl Planned for EcsSelection<'static> {
    fn pairs(&self) -> u64 {
        EcsSelection::pairs(self)
    }

    fn write(&self, cancel: &Cancel) -> Result<Vec<u8>, ApiError> {
        EcsSelection::write(self, cancel)
    }
}

/// A cost type no cost map has: the mode if some map has the metric, else
/// the metric (RFC 7285 §11.5.1.4: `cost-type-names`).
fn unsupported(snapshot: &Snapshot, metric: &str, mode: CostMode) -> ApiError {
    let types = snapshot.cost_maps.iter().map(|c| &c.doc.meta.cost_type);
    let metric_offered = types.map(|t| &t.cost_metric).any(|m| *m == metric);
    let doc = if metric_offered {
        ErrorDoc::invalid_field_value("cost-type/cost-mode", mode.as_str())
    } else {
        ErrorDoc::invalid_field_value("cost-type/cost-metric", metric.to_owned())
    };
    doc.into()
}

/// Each address with its PID's number in the network map (`None`: in no
/// PID); the first unparsable one is the error. All are parsed before any
/// is looked up, so that the lookups run side by side
/// ([`altofed_model::PidLookup::lookup_indices`]).
fn resolve<'a>(
    snapshot: &Snapshot,
    field: &str,
    addresses: Vec<Cow<'a, str>>,
) -> Result<Vec<Endpoint<'a>>, ApiError> {
    // A loop rather than collecting `Result`s, which starts the vector
    // small and grows it.
    let mut addrs = Vec::with_capacity(addresses.len());
    for text in &addresses {
        addrs.push(parse_endpoint(field, text)?.0);
    }
    let pids = snapshot.lookup.lookup_indices(&addrs);
    let endpoints = (addresses.into_iter().zip(addrs).zip(pids))
        .map(|((text, addr), pid)| Endpoint { text, addr, pid })
        .collect();
    Ok(endpoints)
}

#[cfg(test)]
#[path = "endpointcost_tests.rs"]
mod tests;
