//! Reading a network map in one pass over its bytes, without `serde_json`.
//!
//! A production network map is a quarter of a million short prefix
//! strings; through `serde_json` most of the time goes to its generic
//! string handling (scanning each one, validating UTF-8) before the prefix
//! is even looked at. Here each prefix is read straight from the document
//! up to its closing quote ([`crate::prefix`]'s canonical reader), and
//! kept in a scratch list that is copied once per PID at its final size.
//!
//! This reader only has to be right on what it accepts: whatever it is not
//! sure of (escapes, an unexpected type, a repeated key, a prefix it cannot
//! parse, anything malformed) gives `None`, and the caller reads the
//! document with `serde_json`, whose result, or error with its key path,
//! is then the answer. Its accept set is inside the serde path's, with the
//! same meaning: members in any order, unknown members ignored at every
//! level (their values checked as `serde_json` checks them), bare
//! addresses and host bits as [`crate::prefix`] reads them, PID names as
//! given (they are validated later, as after the serde path).

use std::collections::BTreeMap;

use ipnet::{Ipv4Net, Ipv6Net};

use super::{EndpointAddrGroup, NetworkMapDoc, NetworkMapMeta};
use crate::json_cursor::Cursor;
use crate::prefix::{canonical_ipv4_head, parse_ipv4_prefix, parse_ipv6_prefix};
use crate::vtag::VersionTag;

/// The whole document, or `None` to leave it to `serde_json`.
pub(super) fn document(bytes: &[u8]) -> Option<NetworkMapDoc> {
    let c = &mut Cursor::new(bytes);
    let (mut meta, mut map) = (None, None);
    c.object(|c, key| match key {
        "meta" => once(&mut meta, network_map_meta(c)?),
        "network-map" => once(&mut map, network_map(c)?),
        _ => c.skip_value(),
    })?;
    // Trailing bytes other than whitespace are an error for the serde path.
    c.at_end().then_some(())?;
    Some(NetworkMapDoc {
        meta: meta?,
        network_map: map?,
    })
}

/// Fills `slot`; `None` if it was filled already (serde's derive refuses a
/// repeated struct member as "duplicate field").
fn once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    slot.is_none().then(|| *slot = Some(value))
}

fn network_map_meta(c: &mut Cursor<'_>) -> Option<NetworkMapMeta> {
    let mut vtag = None;
    c.object(|c, key| match key {
        "vtag" => once(&mut vtag, version_tag(c)?),
        _ => c.skip_value(),
    })?;
    Some(NetworkMapMeta { vtag: vtag? })
}

fn version_tag(c: &mut Cursor<'_>) -> Option<VersionTag> {
    let (mut resource_id, mut tag) = (None, None);
    c.object(|c, key| match key {
        "resource-id" => once(&mut resource_id, c.string()?),
        "tag" => once(&mut tag, c.string()?),
        _ => c.skip_value(),
    })?;
    Some(VersionTag::new(resource_id?, tag?))
}

/// Scratch lists a PID's prefixes are read into before they are copied at
/// their final size: one allocation per PID and family, none wasted.
#[derive(Debug, Default)]
struct Scratch {
    v4: Vec<Ipv4Net>,
    v6: Vec<Ipv6Net>,
}

fn network_map(c: &mut Cursor<'_>) -> Option<BTreeMap<String, EndpointAddrGroup>> {
    let mut pids = Vec::new();
    let mut scratch = Scratch::default();
    c.object(|c, pid| {
        pids.push((pid.to_owned(), group(c, &mut scratch)?));
        Some(())
    })?;
    unique(pids)
}

/// The PIDs as a map; `None` if one is named twice (the serde path refuses
/// that, naming the key). Servers write PIDs sorted, which needs no sort.
fn unique(
    mut pids: Vec<(String, EndpointAddrGroup)>,
) -> Option<BTreeMap<String, EndpointAddrGroup>> {
    if !pids.windows(2).all(|w| w[0].0 < w[1].0) {
        pids.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        if pids.windows(2).any(|w| w[0].0 == w[1].0) {
            return None;
        }
    }
    Some(pids.into_iter().collect())
}

fn group(c: &mut Cursor<'_>, scratch: &mut Scratch) -> Option<EndpointAddrGroup> {
    let (mut ipv4, mut ipv6) = (None, None);
    c.object(|c, key| match key {
        "ipv4" => once(&mut ipv4, ipv4_list(c, &mut scratch.v4)?),
        "ipv6" => once(&mut ipv6, ipv6_list(c, &mut scratch.v6)?),
        // Address types RFC 7285 does not define are ignored.
        _ => c.skip_value(),
    })?;
    Some(EndpointAddrGroup {
        ipv4: ipv4.unwrap_or_default(),
        ipv6: ipv6.unwrap_or_default(),
    })
}

fn ipv4_list(c: &mut Cursor<'_>, scratch: &mut Vec<Ipv4Net>) -> Option<Vec<Ipv4Net>> {
    scratch.clear();
    c.array(|c| {
        scratch.push(ipv4(c)?);
        Some(())
    })?;
    Some(scratch.as_slice().to_vec())
}

/// One IPv4 prefix string: read in place when it is in canonical form and
/// ends at the closing quote, else taken as a string and read by the
/// liberal parser.
#[inline]
fn ipv4(c: &mut Cursor<'_>) -> Option<Ipv4Net> {
    if c.peek()? != b'"' {
        return None;
    }
    let text = &c.rest()[1..];
    match canonical_ipv4_head(text) {
        Some((net, used)) if text.get(used) == Some(&b'"') => {
            c.advance(used + 2);
            Some(net)
        }
        _ => parse_ipv4_prefix(c.string()?).ok(),
    }
}

fn ipv6_list(c: &mut Cursor<'_>, scratch: &mut Vec<Ipv6Net>) -> Option<Vec<Ipv6Net>> {
    scratch.clear();
    c.array(|c| {
        scratch.push(parse_ipv6_prefix(c.string()?).ok()?);
        Some(())
    })?;
    Some(scratch.as_slice().to_vec())
}
