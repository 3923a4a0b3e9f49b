//! The published network map, by the documented merge policy (design §2,
//! RFC 7285 §11.2.2): one catch-all PID of the aggregator holds `0.0.0.0/0`
//! and `::/0`; an identical prefix claimed twice goes to the CDN, else to
//! the peer of higher priority, else the peer listed first, else the lower
//! PID name; a subscriber PID left without prefixes is not published.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use super::input::Scenario;

/// Where a published PID comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    CatchAll,
    Cdn,
    Subscriber { peer: usize, pid: String },
}

/// A prefix a PID claimed but lost to another.
#[derive(Debug, Clone)]
pub struct GivenUp {
    pub prefix: IpNet,
    pub loser: String,
    pub winner: String,
}

/// A PID claiming prefixes; the lowest rank wins a prefix: (class: catch-all,
/// CDN, subscriber; minus the peer priority; peer index; ISP PID name).
struct Claim {
    name: String,
    origin: Origin,
    rank: (u8, i64, usize, String),
    prefixes: Vec<IpNet>,
}

#[derive(Debug, Default)]
pub struct Merged {
    pub map: BTreeMap<String, BTreeSet<IpNet>>,
    pub origin: BTreeMap<String, Origin>,
    pub given_up: Vec<GivenUp>,
}

/// `subscribers[i]`: the PIDs of peer `i` that are not link borders.
pub fn merge(scenario: &Scenario, subscribers: &[Vec<String>]) -> Merged {
    let catch_all = Claim {
        name: scenario.config.output.catch_all_pid.clone(),
        origin: Origin::CatchAll,
        rank: (0, 0, 0, String::new()),
        prefixes: vec![IpNet::V4(Ipv4Net::default()), IpNet::V6(Ipv6Net::default())],
    };
    let mut claims = vec![catch_all];
    for pid in &scenario.cdn.pids {
        let g = &pid.prefixes;
        let v4 = g.ipv4.iter().map(|n| IpNet::V4(*n));
        claims.push(Claim {
            name: pid.name.clone(),
            origin: Origin::Cdn,
            rank: (1, 0, 0, pid.name.clone()),
            prefixes: v4.chain(g.ipv6.iter().map(|n| IpNet::V6(*n))).collect(),
        });
    }
    let peers = scenario.config.peers.iter().zip(&scenario.peers);
    for (i, (peer, maps)) in peers.enumerate() {
        for pid in &subscribers[i] {
            let prefixes = maps.network_map[pid].iter().filter(|n| n.prefix_len() > 0);
            claims.push(Claim {
                name: format!("{}:{pid}", peer.name),
                origin: Origin::Subscriber {
                    peer: i,
                    pid: pid.clone(),
                },
                rank: (2, -peer.priority, i, pid.clone()),
                prefixes: prefixes.copied().collect(),
            });
        }
    }
    let mut merged = Merged::default();
    for claim in &claims {
        let mut kept = BTreeSet::new();
        for prefix in &claim.prefixes {
            let rivals = claims.iter().filter(|c| c.prefixes.contains(prefix));
            let winner = rivals
                .min_by(|a, b| a.rank.cmp(&b.rank))
                .map(|w| w.name.clone());
            let winner = winner.unwrap_or_default();
            if winner == claim.name {
                kept.insert(*prefix);
            } else {
                let loser = claim.name.clone();
                merged.given_up.push(GivenUp {
                    prefix: *prefix,
                    loser,
                    winner,
                });
            }
        }
        if kept.is_empty() && matches!(claim.origin, Origin::Subscriber { .. }) {
            continue;
        }
        merged.map.insert(claim.name.clone(), kept);
        merged
            .origin
            .insert(claim.name.clone(), claim.origin.clone());
    }
    merged
}
