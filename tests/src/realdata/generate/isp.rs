//! One ISP's ALTO maps: prefixes grouped into PIDs by Rocketfuel PoP
//! location, one border PID per peering location holding the /32 of the
//! ISP's border router, a catch-all PID, and routingcost = shortest-path
//! weight between the PIDs' locations over the ISP's own backbone.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use anyhow::{bail, ensure, Context, Result};
use ipnet::Ipv4Net;
use serde_json::Value;

use super::json::{self, Groups, PropRows, Rows};
use super::params::IspParams;
use super::rocketfuel::Backbone;

/// The ISP's catch-all PID (`0.0.0.0/0`, `::/0`), at the hub location.
pub const CATCH_ALL: &str = "catch-all";
pub const DATA_TAG: &str = "ipasn20140513-rocketfuel-v1";

/// The documents of one ISP and what the README says about them.
#[derive(Debug)]
pub struct IspMaps {
    pub networkmap: String,
    pub costmap: String,
    pub propmap: Option<String>,
    /// Address of the ISP router on each link, in link order.
    pub border_addresses: Vec<Ipv4Addr>,
    pub locations: usize,
    pub routers: usize,
    pub prefixes: usize,
    pub cost_entries: usize,
    pub hub: String,
}

/// A PID name from a Rocketfuel location: `New+York,+NY` -> `new-york-ny`.
pub fn pid_name(location: &str) -> String {
    let mut out = String::new();
    for c in location.chars().filter(|c| *c != ',') {
        let c = c.to_ascii_lowercase();
        out.push(if c.is_ascii_alphanumeric() { c } else { '-' });
    }
    out
}

/// `prefixes`: the ISP's own (sorted, capped) followed by any listed on
/// purpose as a duplicate; prefix `i` goes to location `i mod L` of the
/// sorted locations (round robin).
pub fn build(
    isp: &IspParams,
    prefixes: &[Ipv4Net],
    own: usize,
    backbone: &Backbone,
) -> Result<IspMaps> {
    let locations = backbone.locations();
    let mut location_of: BTreeMap<String, String> = BTreeMap::new();
    let mut groups: Groups = BTreeMap::new();
    for loc in &locations {
        let pid = pid_name(loc);
        ensure!(
            location_of.insert(pid.clone(), loc.clone()).is_none(),
            "AS{}: PID name `{pid}` twice",
            isp.asn
        );
        groups.insert(pid, (Vec::new(), Vec::new()));
    }
    for (i, net) in prefixes.iter().enumerate() {
        let pid = pid_name(&locations[i % locations.len()]);
        groups
            .get_mut(&pid)
            .context("location PID")?
            .0
            .push(net.to_string());
    }
    let border_addresses = border_addresses(isp, &prefixes[..own])?;
    for (link, addr) in isp.links.iter().zip(&border_addresses) {
        ensure!(
            locations.contains(&link.location.to_owned()),
            "AS{}: no location `{}`",
            isp.asn,
            link.location
        );
        let pid = format!("border-{}", pid_name(link.location));
        location_of.insert(pid.clone(), link.location.to_owned());
        ensure!(
            groups
                .insert(pid, (vec![format!("{addr}/32")], Vec::new()))
                .is_none(),
            "border PID twice"
        );
    }
    let hub = backbone.hub();
    location_of.insert(CATCH_ALL.to_owned(), hub.clone());
    groups.insert(
        CATCH_ALL.to_owned(),
        (vec!["0.0.0.0/0".to_owned()], vec!["::/0".to_owned()]),
    );

    let rows = costs(isp, &location_of, backbone);
    let netmap_id = format!("{}-netmap", isp.peer);
    let cost_id = format!("{}-routingcost", isp.peer);
    let propmap = isp.property_map.then(|| {
        json::property_map(
            (&netmap_id, DATA_TAG),
            &properties(isp, &netmap_id, &location_of),
        )
    });
    Ok(IspMaps {
        networkmap: json::network_map(&netmap_id, DATA_TAG, &groups),
        costmap: json::cost_map((&netmap_id, DATA_TAG), (&cost_id, DATA_TAG), &rows),
        propmap,
        border_addresses,
        locations: locations.len(),
        routers: backbone.router_count(),
        prefixes: prefixes.len(),
        cost_entries: rows.values().map(BTreeMap::len).sum(),
        hub,
    })
}

/// `base + 1 + k` for link `k`, where base is the lowest of the ISP's own
/// prefixes of /28 or wider; none may be a prefix the ISP announces.
fn border_addresses(isp: &IspParams, own: &[Ipv4Net]) -> Result<Vec<Ipv4Addr>> {
    ensure!(
        isp.links.len() < 14,
        "AS{}: too many links for a /28",
        isp.asn
    );
    let Some(base) = own.iter().find(|n| n.prefix_len() <= 28) else {
        bail!("AS{}: no prefix has room for the border addresses", isp.asn);
    };
    let start = u32::from(base.network());
    let addrs: Vec<Ipv4Addr> = (0..isp.links.len())
        .map(|k| Ipv4Addr::from(start + 1 + k as u32))
        .collect();
    for addr in &addrs {
        ensure!(
            !own.contains(&Ipv4Net::from(*addr)),
            "AS{}: {addr}/32 is announced",
            isp.asn
        );
    }
    Ok(addrs)
}

/// Rows for every PID (full matrix) or for border PIDs only; each entry
/// the distance between the locations, within the horizon if any.
fn costs(isp: &IspParams, location_of: &BTreeMap<String, String>, backbone: &Backbone) -> Rows {
    let mut rows = Rows::new();
    let mut from_cache: BTreeMap<&str, BTreeMap<String, f64>> = BTreeMap::new();
    for (src, src_loc) in location_of {
        if !isp.full_matrix && !src.starts_with("border-") {
            continue;
        }
        let dist = from_cache
            .entry(src_loc)
            .or_insert_with(|| backbone.distances_from(src_loc));
        let row: BTreeMap<String, f64> = location_of
            .iter()
            .filter(|(dst, _)| *dst != src)
            .filter_map(|(dst, dst_loc)| Some((dst.clone(), *dist.get(dst_loc)?)))
            .filter(|(_, d)| isp.horizon.is_none_or(|h| *d <= h))
            .collect();
        rows.insert(src.clone(), row);
    }
    rows
}

/// `.priv:location` for every PID but the catch-all; `.priv:border-for` on
/// border PIDs.
fn properties(
    isp: &IspParams,
    netmap_id: &str,
    location_of: &BTreeMap<String, String>,
) -> PropRows {
    let mut rows = PropRows::new();
    for (pid, loc) in location_of.iter().filter(|(pid, _)| *pid != CATCH_ALL) {
        let mut props = BTreeMap::new();
        props.insert(
            ".priv:location".to_owned(),
            Value::String(loc.replace('+', " ")),
        );
        if let Some(link) = isp
            .links
            .iter()
            .find(|l| *pid == format!("border-{}", pid_name(l.location)))
        {
            props.insert(
                ".priv:border-for".to_owned(),
                Value::String(link.border_for.to_owned()),
            );
        }
        rows.insert(format!("{netmap_id}.pid:{pid}"), props);
    }
    rows
}
