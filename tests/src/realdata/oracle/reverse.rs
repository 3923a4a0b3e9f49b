//! The reverse direction by brute force over all links (`output.direction`):
//! multipath `min_l C_isp(s, b_l) + c(l) + C_cdn(r_l, P)`; single path the
//! same term for the one link the ISP's routing picks for s (preference,
//! then the lowest C_isp(s, b_l) + c(l), then link name). ISP costs are
//! brought to the CDN scale first, as forward.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use super::borders::Link;
use super::input::{PeerConfig, PeerMaps};

/// The scaled ISP cost from `s` to the link's border PID, plus c(l).
fn base(peer: &PeerConfig, maps: &PeerMaps, s: &str, link: &Link) -> Option<f64> {
    let raw = maps.costs.get(s)?.get(&link.isp_pid)?;
    Some(peer.scale * raw + peer.offset + link.cost)
}

/// The link the ISP's routing picks for subscriber `s`.
fn choose_link<'a>(
    peer: &PeerConfig,
    maps: &PeerMaps,
    s: &str,
    links: &'a [Link],
) -> Option<&'a Link> {
    let mut order: Vec<(Reverse<i64>, f64, &str, &Link)> = links
        .iter()
        .filter_map(|l| {
            Some((
                Reverse(l.preference),
                base(peer, maps, s, l)?,
                l.name.as_str(),
                l,
            ))
        })
        .collect();
    order.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(b.2)));
    order.first().map(|o| o.3)
}

/// The composed cost of every (ISP PID, CDN PID index) pair that has one.
/// `c_rev[b][p]` is C_cdn(border router b, CDN PID p).
pub fn compose(
    single: bool,
    c_rev: &[Vec<f64>],
    cdn_pids: usize,
    (peer, maps, links): (&PeerConfig, &PeerMaps, &[Link]),
    subscribers: &[String],
) -> BTreeMap<(String, usize), f64> {
    let mut values = BTreeMap::new();
    let cdn = |link: &Link, p: usize| c_rev[link.border][p];
    for s in subscribers {
        let usable: Vec<&Link> = if single {
            choose_link(peer, maps, s, links).into_iter().collect()
        } else {
            links.iter().collect()
        };
        for p in 0..cdn_pids {
            let mut best = f64::INFINITY;
            for link in &usable {
                if let Some(b) = base(peer, maps, s, link) {
                    let total = b + cdn(link, p);
                    if total < best {
                        best = total;
                    }
                }
            }
            if best.is_finite() {
                values.insert((s.clone(), p), best);
            }
        }
    }
    values
}
