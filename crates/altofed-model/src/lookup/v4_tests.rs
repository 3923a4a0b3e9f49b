//! The range table answers as the trie does, for nested, adjacent and
//! overlapping-by-containment prefixes, the edges of IPv4 included.

#![allow(clippy::unwrap_used)]

use std::net::Ipv4Addr;

use ipnet::{IpNet, Ipv4Net};
use prefix_trie::PrefixMap;
use proptest::prelude::*;

use super::*;

/// The trie's answer, the reference.
fn by_trie(prefixes: &[(u32, u8, u32)], addr: u32) -> Option<(usize, u8)> {
    let mut trie = PrefixMap::<Ipv4Net, u32>::new();
    for &(net, len, idx) in prefixes {
        trie.insert(Ipv4Net::new(Ipv4Addr::from(net), len).unwrap().trunc(), idx);
    }
    let host = Ipv4Net::new(Ipv4Addr::from(addr), 32).unwrap();
    trie.get_lpm(&host)
        .map(|(n, &i)| (i as usize, n.prefix_len()))
}

fn prefix() -> impl Strategy<Value = (u32, u8)> {
    // Few distinct high bits, so that prefixes nest and touch.
    (0u32..8, any::<u32>(), 0u8..=32).prop_map(|(hi, lo, len)| {
        let net = (hi << 29) | (lo >> 3);
        let mask = if len == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(len))
        };
        (net & mask, len)
    })
}

proptest! {
    #[test]
    fn ranges_answer_as_the_trie(
        nets in prop::collection::vec(prefix(), 0..40),
        probes in prop::collection::vec(any::<u32>(), 50),
    ) {
        // One PID per distinct prefix, as the lookup's build ensures.
        let mut nets = nets;
        nets.sort_unstable();
        nets.dedup();
        let prefixes: Vec<(u32, u8, u32)> =
            nets.iter().enumerate().map(|(i, &(n, l))| (n, l, i as u32)).collect();
        let ranges = V4Ranges::build(&prefixes);
        // Every prefix's first and last address and their neighbours.
        let mut addrs = probes;
        for &(net, len, _) in &prefixes {
            let last = net | (u32::MAX.checked_shr(u32::from(len)).unwrap_or(0));
            addrs.extend([net, last, net.wrapping_sub(1), last.wrapping_add(1)]);
        }
        addrs.extend([0, u32::MAX]);
        for addr in addrs {
            prop_assert_eq!(ranges.get(addr), by_trie(&prefixes, addr), "{}", Ipv4Addr::from(addr));
        }
    }
}

#[test]
fn an_empty_table_and_the_default_route() {
    assert_eq!(V4Ranges::default().get(1), None);
    assert_eq!(V4Ranges::build(&[]).get(0x0a00_0001), None);
    let all = V4Ranges::build(&[(0, 0, 7), (0x0a00_0000, 8, 3)]);
    assert_eq!(all.get(0), Some((7, 0)));
    assert_eq!(all.get(u32::MAX), Some((7, 0)));
    assert_eq!(all.get(0x0a01_0203), Some((3, 8)));
    assert_eq!(all.get(0x0b00_0000), Some((7, 0)));
    let _ = IpNet::V4(Ipv4Net::default());
}
