//! Synthetic ALTO documents of a chosen size, deterministic, for tests and
//! benchmarks that need big maps (the real-data scenarios are small).
//! Every cost encodes the generation, so a body that mixed two versions
//! would show it.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use altofed_model::{
    Cost, CostMapMeta, CostMode, CostTable, CostTableDoc, CostType, EndpointAddrGroup,
    NetworkMapDoc, NetworkMapMeta, VersionTag,
};
use altofed_server::Documents;
use ipnet::Ipv4Net;

pub const NETWORK_MAP_ID: &str = "big-netmap";
pub const COST_MAP_ID: &str = "big-costmap";

/// The name of PID `i`.
pub fn pid(i: usize) -> String {
    format!("p{i}")
}

/// An address inside PID `i`'s prefix, `10.<i/256>.<i%256>.0/24`.
pub fn address_in(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(10, (i / 256) as u8, (i % 256) as u8, 7)
}

/// The cost from PID `s` to PID `d` in `generation`.
pub fn cost(generation: u32, pids: usize, s: usize, d: usize) -> f64 {
    f64::from(generation) * 1e7 + (s * pids + d) as f64
}

/// `pids` PIDs of one /24 each and the full `pids` x `pids` cost map, whose
/// vtag tag is `gen-<generation>`.
pub fn documents(pids: usize, generation: u32) -> Documents {
    assert!(pids <= 65_536, "one /24 per PID inside 10.0.0.0/8");
    let network_map: BTreeMap<String, EndpointAddrGroup> = (0..pids)
        .map(|i| {
            let net = Ipv4Net::new(address_in(i), 24)
                .expect("valid prefix")
                .trunc();
            (
                pid(i),
                EndpointAddrGroup {
                    ipv4: vec![net],
                    ipv6: Vec::new(),
                },
            )
        })
        .collect();
    let netmap_vtag = VersionTag::new(NETWORK_MAP_ID, "v1");
    let rows = (0..pids)
        .map(|s| {
            (
                pid(s),
                (0..pids)
                    .map(|d| (pid(d), Cost(cost(generation, pids, s, d))))
                    .collect(),
            )
        })
        .collect();
    Documents {
        network_map: NetworkMapDoc {
            meta: NetworkMapMeta {
                vtag: netmap_vtag.clone(),
            },
            network_map,
        }
        .into(),
        cost_maps: vec![(
            COST_MAP_ID.to_owned(),
            CostTableDoc {
                meta: CostMapMeta {
                    dependent_vtags: vec![netmap_vtag],
                    cost_type: CostType::routingcost(CostMode::Numerical),
                    vtag: Some(VersionTag::new(COST_MAP_ID, format!("gen-{generation}"))),
                },
                cost_map: CostTable::from(&rows),
            },
        )],
        property_maps: Vec::new(),
    }
}
