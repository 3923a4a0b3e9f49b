//! Composition by brute force over all links (design §1):
//! multipath `min_l C_cdn(P, r_l) + c(l) + C_isp(b_l, s)`; single path the
//! same term for the one exit routing picks (preference, then hot potato,
//! then link name). ISP costs are brought to the CDN scale first.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use super::borders::Link;
use super::input::{PeerConfig, PeerMaps};

/// Why a single-path exit won.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The only link reachable from the CDN PID.
    Only,
    /// Its higher `preference` beat a link that is nearer (hot potato alone
    /// would have picked another link).
    Preference,
    /// The lowest C_cdn + c(l) among the links of the highest preference.
    HotPotato,
    /// Another link of the same preference costs exactly as much: the lower
    /// link name.
    Name,
}

/// The exit of one CDN PID towards one peer.
#[derive(Debug, Clone)]
pub struct Exit {
    pub cdn_pid: String,
    pub peer: String,
    pub link: String,
    pub decided_by: Decision,
}

/// C_cdn(P, r_l) + c(l).
fn base(c: &[Vec<f64>], p: usize, link: &Link) -> f64 {
    c[p][link.border] + link.cost
}

/// The scaled ISP cost from the link's border PID to `s`, if published.
fn isp(peer: &PeerConfig, maps: &PeerMaps, link: &Link, s: &str) -> Option<f64> {
    let raw = maps.costs.get(&link.isp_pid)?.get(s)?;
    Some(peer.scale * raw + peer.offset)
}

/// The exit routing picks for CDN PID `p`, and why.
pub fn choose_exit(c: &[Vec<f64>], p: usize, links: &[Link]) -> Option<(usize, Decision)> {
    let mut order: Vec<usize> = (0..links.len())
        .filter(|l| base(c, p, &links[*l]).is_finite())
        .collect();
    let key = |l: &usize| {
        (
            Reverse(links[*l].preference),
            base(c, p, &links[*l]),
            links[*l].name.clone(),
        )
    };
    order.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0)
            .then(ka.1.total_cmp(&kb.1))
            .then(ka.2.cmp(&kb.2))
    });
    let (&first, rest) = order.split_first()?;
    if rest.is_empty() {
        return Some((first, Decision::Only));
    }
    let w = &links[first];
    let nearer = |l: &Link| {
        base(c, p, l)
            .total_cmp(&base(c, p, w))
            .then(l.name.cmp(&w.name))
            .is_lt()
    };
    let decision = if links.iter().any(|l| base(c, p, l).is_finite() && nearer(l)) {
        Decision::Preference
    } else if rest
        .iter()
        .any(|l| links[*l].preference == w.preference && base(c, p, &links[*l]) == base(c, p, w))
    {
        Decision::Name
    } else {
        Decision::HotPotato
    };
    Some((first, decision))
}

/// The composed cost of every (CDN PID index, ISP PID) pair that has one,
/// and the single-path exits (empty in multipath mode).
pub fn compose(
    single: bool,
    c: &[Vec<f64>],
    cdn_pids: &[String],
    (peer, maps, links): (&PeerConfig, &PeerMaps, &[Link]),
    subscribers: &[String],
) -> (BTreeMap<(usize, String), f64>, Vec<Exit>) {
    let mut values = BTreeMap::new();
    let mut exits = Vec::new();
    for (p, cdn_pid) in cdn_pids.iter().enumerate() {
        let usable: Vec<&Link> = if single {
            let Some((l, decided_by)) = choose_exit(c, p, links) else {
                continue;
            };
            let link = links[l].name.clone();
            exits.push(Exit {
                cdn_pid: cdn_pid.clone(),
                peer: peer.name.clone(),
                link,
                decided_by,
            });
            vec![&links[l]]
        } else {
            links.iter().collect()
        };
        for s in subscribers {
            let mut best = f64::INFINITY;
            for link in &usable {
                let b = base(c, p, link);
                if let Some(i) = isp(peer, maps, link, s) {
                    if b.is_finite() && b + i < best {
                        best = b + i;
                    }
                }
            }
            if best.is_finite() {
                values.insert((p, s.clone()), best);
            }
        }
    }
    (values, exits)
}
