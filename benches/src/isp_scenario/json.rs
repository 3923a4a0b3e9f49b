//! The ISP documents as RFC 7285 JSON text (§11.2.1.6 network map,
//! §11.2.3.6 cost map), written by hand rather than through the model types
//! so that they can carry what real servers send and a liberal reader must
//! accept (RFC 7285 §8.3.7): unknown members at every level, an empty
//! `ipv6` list, an unknown address type, bare host addresses, a few costs
//! as strings and as `null`. One PID or one row per line, as servers that
//! pretty-print do.

use std::fmt::Write;

use super::IspPlan;

/// Every this many cost entries, one is written as a string.
const STRING_COST_EVERY: usize = 49_999;
/// Every this many cost entries, one is written as `null` (undefined).
const NULL_COST_EVERY: usize = 100_003;

/// `{"resource-id": ..., "tag": ...}` of the ISP's network map.
pub fn network_map_vtag(plan: &IspPlan) -> (String, String) {
    (
        format!("isp{}-networkmap", plan.index),
        format!("{:016x}", plan.seed),
    )
}

/// `application/alto-networkmap+json`.
pub fn network_map(plan: &IspPlan) -> String {
    let (id, tag) = network_map_vtag(plan);
    let mut out = String::with_capacity(8 << 20);
    let _ = write!(
        out,
        "{{\"meta\": {{\"vtag\": {{\"resource-id\": \"{id}\", \"tag\": \"{tag}\"}}, \
         \"x-generated-by\": \"altofed isp_scenario\"}},\n\"network-map\": {{\n"
    );
    for (p, pid) in plan.pids.iter().enumerate() {
        let sep = if p == 0 { "" } else { ",\n" };
        let _ = write!(out, "{sep}\"{}\": {{\"ipv4\": [", pid.name);
        for (k, prefix) in pid.prefixes.iter().enumerate() {
            let sep = if k == 0 { "\n    " } else { ",\n    " };
            if prefix.prefix_len() == 32 && k % 2 == 0 {
                let _ = write!(out, "{sep}\"{}\"", prefix.addr()); // bare host address
            } else {
                let _ = write!(out, "{sep}\"{prefix}\"");
            }
        }
        out.push(']');
        if p % 97 == 5 {
            out.push_str(", \"ipv6\": []");
        }
        if p % 211 == 3 {
            out.push_str(", \"x-asn\": [64496]"); // an address type we do not know
        }
        out.push('}');
    }
    out.push_str("\n}}\n");
    out
}

/// `application/alto-costmap+json`, routingcost in ms, numerical.
pub fn cost_map(plan: &IspPlan) -> String {
    let (net_id, net_tag) = network_map_vtag(plan);
    let mut out = String::with_capacity(plan.pairs() * 40);
    let _ = write!(
        out,
        "{{\"meta\": {{\"dependent-vtags\": [{{\"resource-id\": \"{net_id}\", \"tag\": \"{net_tag}\"}}], \
         \"cost-type\": {{\"cost-mode\": \"numerical\", \"cost-metric\": \"routingcost\", \
         \"description\": \"latency, ms\", \"x-cost-context\": {{\"cost-source\": \"estimation\"}}}}, \
         \"vtag\": {{\"resource-id\": \"isp{}-costmap\", \"tag\": \"{:016x}\"}}}},\n\"cost-map\": {{\n",
        plan.index,
        plan.seed.rotate_left(17)
    );
    let mut entry = 0usize;
    for (s, src) in plan.pids.iter().enumerate() {
        let sep = if s == 0 { "" } else { ",\n" };
        let _ = write!(out, "{sep}\"{}\": {{", src.name);
        for (k, d) in plan.row_destinations(s).into_iter().enumerate() {
            let sep = if k == 0 { "" } else { ", " };
            let _ = write!(out, "{sep}\"{}\": ", plan.pids[d].name);
            let cost = plan.cost(s, d);
            let (int, frac) = (cost / 100, cost % 100);
            if entry % NULL_COST_EVERY == NULL_COST_EVERY - 1 {
                out.push_str("null");
            } else if plan.whole_ms {
                // Rounded to the nearest ms, at least 1.
                let _ = write!(out, "{}", ((cost + 50) / 100).max(1));
            } else if entry % STRING_COST_EVERY == 7 {
                let _ = write!(out, "\"{int}.{frac:02}\"");
            } else {
                let _ = write!(out, "{int}.{frac:02}");
            }
            entry += 1;
        }
        out.push('}');
    }
    out.push_str("\n},\n\"x-vendor\": {\"generator\": \"isp_scenario\"}}\n");
    out
}
