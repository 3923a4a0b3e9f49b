//! The endpoint cost request (RFC 7285 §11.5.1.3) as the endpoint cost
//! service uses it, and a reader for its usual form that borrows the
//! addresses from the body.
//!
//! A DNS server or redirector sends many small requests of one shape:
//! `{"cost-type":{"cost-metric":..,"cost-mode":..},"endpoints":{"srcs":
//! [..],"dsts":[..]}}`. Reading those through serde costs a `String` per
//! address and a `CostType`; [`parse`] reads exactly that shape and gives
//! up (`None`) on anything else: text that is not UTF-8, escapes, control
//! characters, other or repeated members, `null`, `constraints`, numbers,
//! trailing bytes.
//! The caller then parses with serde as before, so every error a client
//! can see (and every unusual but valid request) takes the one path that
//! has always produced it; [`parse`] only ever accepts bodies that serde
//! reads to the same [`EcsParams`].

use std::borrow::Cow;

use altofed_model::endpoint::EndpointCostRequest;
use altofed_model::json_cursor::Cursor;
use altofed_model::CostMode;

/// What the endpoint cost service needs of a request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EcsParams<'a> {
    pub(crate) metric: Cow<'a, str>,
    pub(crate) mode: CostMode,
    pub(crate) constraints: Option<Vec<String>>,
    pub(crate) srcs: Option<Vec<Cow<'a, str>>>,
    pub(crate) dsts: Option<Vec<Cow<'a, str>>>,
}

impl From<EndpointCostRequest> for EcsParams<'static> {
    fn from(request: EndpointCostRequest) -> Self {
        let owned =
            |list: Option<Vec<String>>| list.map(|l| l.into_iter().map(Cow::Owned).collect());
        Self {
            metric: Cow::Owned(request.cost_type.cost_metric),
            mode: request.cost_type.cost_mode,
            constraints: request.constraints,
            srcs: owned(request.endpoints.srcs),
            dsts: owned(request.endpoints.dsts),
        }
    }
}

/// The request, if `body` is in the usual form (see the module doc);
/// `None` says only "ask serde".
pub(crate) fn parse(body: &[u8]) -> Option<EcsParams<'_>> {
    let c = &mut Cursor::of_str(std::str::from_utf8(body).ok()?);
    let (mut cost_type, mut endpoints) = (None, None);
    c.object(|c, key| match key {
        "cost-type" if cost_type.is_none() => {
            cost_type = Some(read_cost_type(c)?);
            Some(())
        }
        "endpoints" if endpoints.is_none() => {
            endpoints = Some(read_endpoints(c)?);
            Some(())
        }
        _ => None,
    })?;
    if !c.at_end() {
        return None;
    }
    let ((metric, mode), (srcs, dsts)) = (cost_type?, endpoints?);
    Some(EcsParams {
        metric: Cow::Borrowed(metric),
        mode,
        constraints: None,
        srcs,
        dsts,
    })
}

type List<'a> = Option<Vec<Cow<'a, str>>>;

/// `{"cost-metric":"..","cost-mode":"numerical"|"ordinal"}`, in either
/// order.
fn read_cost_type<'a>(c: &mut Cursor<'a>) -> Option<(&'a str, CostMode)> {
    let (mut metric, mut mode) = (None, None);
    c.object(|c, key| match key {
        "cost-metric" if metric.is_none() => {
            metric = Some(c.string()?);
            Some(())
        }
        "cost-mode" if mode.is_none() => {
            mode = Some(match c.string()? {
                "numerical" => CostMode::Numerical,
                "ordinal" => CostMode::Ordinal,
                _ => return None,
            });
            Some(())
        }
        _ => None,
    })?;
    Some((metric?, mode?))
}

/// `{"srcs":[..],"dsts":[..]}`, either or both.
fn read_endpoints<'a>(c: &mut Cursor<'a>) -> Option<(List<'a>, List<'a>)> {
    let (mut srcs, mut dsts) = (None, None);
    c.object(|c, key| match key {
        "srcs" if srcs.is_none() => {
            srcs = Some(read_strings(c)?);
            Some(())
        }
        "dsts" if dsts.is_none() => {
            dsts = Some(read_strings(c)?);
            Some(())
        }
        _ => None,
    })?;
    Some((srcs, dsts))
}

/// An array of strings.
fn read_strings<'a>(c: &mut Cursor<'a>) -> Option<Vec<Cow<'a, str>>> {
    // Room for a redirector's usual list of caches without growing.
    let mut list = Vec::with_capacity(16);
    c.array(|c| {
        list.push(Cow::Borrowed(c.string()?));
        Some(())
    })?;
    Some(list)
}

#[cfg(test)]
#[path = "ecsparams_tests.rs"]
mod tests;
