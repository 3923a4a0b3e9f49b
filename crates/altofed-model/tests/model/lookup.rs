//! Longest-prefix match (RFC 7285 §11.2.2) against a linear-scan oracle.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use altofed_model::lookup::LookupBuildError;
use altofed_model::{EndpointAddrGroup, PidLookup};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use proptest::prelude::*;

fn group(v4: &[&str], v6: &[&str]) -> EndpointAddrGroup {
    EndpointAddrGroup {
        ipv4: v4.iter().map(|s| s.parse().unwrap()).collect(),
        ipv6: v6.iter().map(|s| s.parse().unwrap()).collect(),
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// The PID of the longest prefix containing `addr`, by scanning everything.
fn oracle(map: &BTreeMap<String, EndpointAddrGroup>, addr: IpAddr) -> Option<&str> {
    longest_where(map, |n| n.contains(&addr))
}

/// The PID of the longest prefix for which `holds` is true, by scanning.
fn longest_where(
    map: &BTreeMap<String, EndpointAddrGroup>,
    holds: impl Fn(&IpNet) -> bool,
) -> Option<&str> {
    map.iter()
        .flat_map(|(pid, g)| g.prefixes().map(move |n| (n, pid.as_str())))
        .filter(|(n, _)| holds(n))
        .max_by_key(|(n, _)| n.prefix_len())
        .map(|(_, pid)| pid)
}

#[test]
fn nested_prefixes() {
    // RFC 7285 §11.2.2 example: the two /25s in `b` win over the /24 in `a`.
    let map = BTreeMap::from([
        (
            "a".to_owned(),
            group(&["192.0.2.0/24", "198.51.100.0/24"], &["2001:db8::/32"]),
        ),
        (
            "b".to_owned(),
            group(&["192.0.2.0/25", "192.0.2.128/25"], &["2001:db8:1::/48"]),
        ),
        (
            "c".to_owned(),
            group(&["192.0.2.7/32"], &["2001:db8:1:2::/64"]),
        ),
        ("rest".to_owned(), group(&["0.0.0.0/0"], &["::/0"])),
    ]);
    let lpm = PidLookup::build(&map).unwrap();
    let cases = [
        ("192.0.2.7", "c"),
        ("192.0.2.8", "b"),
        ("192.0.2.200", "b"),
        ("198.51.100.1", "a"),
        ("203.0.113.1", "rest"),
        ("2001:db8::1", "a"),
        ("2001:db8:1::1", "b"),
        ("2001:db8:1:2::1", "c"),
        ("2001:db9::1", "rest"),
    ];
    for (addr, pid) in cases {
        assert_eq!(lpm.lookup(ip(addr)), Some(pid), "{addr}");
        assert_eq!(lpm.lookup(ip(addr)), oracle(&map, ip(addr)), "{addr}");
    }
    let net: IpNet = "192.0.2.0/26".parse().unwrap();
    assert_eq!(lpm.lookup_net(net), Some("b"));
    assert_eq!(lpm.len(), 10);
    // With the length of the prefix that matched (an ECS answer's scope).
    let names = lpm.pids();
    let with_len = |a: &str| {
        lpm.lookup_index_len(ip(a))
            .map(|(i, l)| (names[i].as_str(), l))
    };
    assert_eq!(with_len("192.0.2.7"), Some(("c", 32)));
    assert_eq!(with_len("192.0.2.200"), Some(("b", 25)));
    assert_eq!(with_len("2001:db8:1::1"), Some(("b", 48)));
    assert_eq!(with_len("203.0.113.1"), Some(("rest", 0)));
}

#[test]
fn incomplete_map_and_empty_family() {
    let map = BTreeMap::from([("a".to_owned(), group(&["192.0.2.0/24"], &[]))]);
    let lpm = PidLookup::build(&map).unwrap();
    assert_eq!(lpm.lookup(ip("192.0.3.1")), None);
    assert_eq!(lpm.lookup(ip("::1")), None);
    assert!(PidLookup::build(&BTreeMap::new()).unwrap().is_empty());
}

#[test]
fn same_prefix_twice_in_one_pid_is_fine() {
    let map = BTreeMap::from([(
        "a".to_owned(),
        group(&["192.0.2.0/24", "192.0.2.0/24"], &[]),
    )]);
    assert_eq!(
        PidLookup::build(&map).unwrap().lookup(ip("192.0.2.1")),
        Some("a")
    );
}

/// Prefixes drawn from a small space (10.0.0.0/8-ish and 2001:db8::/32)
/// so that nesting and matches are frequent.
fn v4_net() -> impl Strategy<Value = Ipv4Net> {
    (0u32..=0xff_ffff, 0u8..=32).prop_map(|(low, len)| {
        let addr = Ipv4Addr::from(0x0a00_0000 | low);
        Ipv4Net::new(addr, len.max(8)).unwrap().trunc()
    })
}

fn v6_net() -> impl Strategy<Value = Ipv6Net> {
    (any::<u16>(), any::<u64>(), 32u8..=128).prop_map(|(mid, low, len)| {
        let bits = (0x2001_0db8u128 << 96) | (u128::from(mid) << 80) | u128::from(low);
        Ipv6Net::new(Ipv6Addr::from(bits), len).unwrap().trunc()
    })
}

/// A map whose prefixes are unique across PIDs (the first PID keeps a
/// contested prefix), as RFC 7285 §11.2.2 requires.
fn netmap() -> impl Strategy<Value = BTreeMap<String, EndpointAddrGroup>> {
    let pid = (
        prop::collection::vec(v4_net(), 0..6),
        prop::collection::vec(v6_net(), 0..6),
    );
    prop::collection::vec(pid, 1..8).prop_map(|pids| {
        let mut seen = std::collections::HashSet::new();
        let mut map = BTreeMap::new();
        for (i, (v4, v6)) in pids.into_iter().enumerate() {
            let v4 = v4
                .into_iter()
                .filter(|n| seen.insert(IpNet::V4(*n)))
                .collect();
            let v6 = v6
                .into_iter()
                .filter(|n| seen.insert(IpNet::V6(*n)))
                .collect();
            map.insert(format!("pid{i}"), EndpointAddrGroup { ipv4: v4, ipv6: v6 });
        }
        map
    })
}

fn probe() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        (0u32..=0xff_ffff).prop_map(|l| IpAddr::V4(Ipv4Addr::from(0x0a00_0000 | l))),
        any::<u32>().prop_map(|a| IpAddr::V4(Ipv4Addr::from(a))),
        (any::<u16>(), any::<u64>()).prop_map(|(m, l)| {
            let bits = (0x2001_0db8u128 << 96) | (u128::from(m) << 80) | u128::from(l);
            IpAddr::V6(Ipv6Addr::from(bits))
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn lpm_matches_linear_scan(map in netmap(), probes in prop::collection::vec(probe(), 1..40)) {
        let lpm = PidLookup::build(&map).unwrap();
        // Side by side (in stages of 16), as one by one.
        let one_by_one: Vec<_> = probes.iter().map(|a| lpm.lookup_index(*a)).collect();
        prop_assert_eq!(lpm.lookup_indices(&probes), one_by_one);
        for addr in probes {
            prop_assert_eq!(lpm.lookup(addr), oracle(&map, addr), "{}", addr);
        }
        // Every prefix's own network address resolves to a PID that holds a
        // prefix at least as long.
        for (pid, g) in &map {
            for n in g.prefixes() {
                prop_assert_eq!(lpm.lookup(n.network()), oracle(&map, n.network()), "{} {}", pid, n);
            }
        }
    }
}

/// Like [`netmap`], but a prefix may be in several PIDs.
fn netmap_with_duplicates() -> impl Strategy<Value = BTreeMap<String, EndpointAddrGroup>> {
    let pid = (
        prop::collection::vec(v4_net(), 0..6),
        prop::collection::vec(v6_net(), 0..3),
    );
    prop::collection::vec(pid, 1..8).prop_map(|pids| {
        (pids.into_iter().enumerate())
            .map(|(i, (ipv4, ipv6))| (format!("pid{i}"), EndpointAddrGroup { ipv4, ipv6 }))
            .collect()
    })
}

/// The PIDs holding each prefix, in name order.
fn holders(map: &BTreeMap<String, EndpointAddrGroup>) -> BTreeMap<IpNet, Vec<&str>> {
    let mut holders: BTreeMap<IpNet, Vec<&str>> = BTreeMap::new();
    for (pid, g) in map {
        for n in g.prefixes() {
            let list = holders.entry(n.trunc()).or_default();
            if list.last() != Some(&pid.as_str()) {
                list.push(pid);
            }
        }
    }
    holders
}

/// The PID of the longest prefix holding all of `net`, by scanning.
fn net_oracle(map: &BTreeMap<String, EndpointAddrGroup>, net: IpNet) -> Option<&str> {
    longest_where(map, |n| n.contains(&net))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// A prefix in two PIDs is refused, naming it, two PIDs that hold it in
    /// name order, and no other such prefix whose second PID comes sooner;
    /// any other map is indexed with each distinct prefix once.
    #[test]
    fn a_prefix_in_two_pids_is_refused_and_named(map in netmap_with_duplicates()) {
        let holders = holders(&map);
        let shared = || holders.iter().filter(|(_, pids)| pids.len() > 1);
        let soonest = shared().map(|(_, pids)| pids[1]).min();
        match PidLookup::build(&map) {
            Ok(lpm) => {
                prop_assert_eq!(soonest, None);
                prop_assert_eq!(lpm.len(), holders.len());
            }
            Err(LookupBuildError::DuplicatePrefix { prefix, first, second }) => {
                let pids = &holders[&prefix];
                prop_assert_eq!(pids[0], first.as_str());
                prop_assert!(pids[1..].contains(&second.as_str()));
                prop_assert_eq!(Some(second.as_str()), soonest);
            }
        }
    }

    /// [`PidLookup::lookup_net`]: the longest prefix that holds all of a
    /// network, IPv4 (from the sorted prefixes) and IPv6 (the trie).
    #[test]
    fn lookup_net_matches_linear_scan(
        map in netmap(),
        v4 in prop::collection::vec(v4_net(), 1..12),
        v6 in prop::collection::vec(v6_net(), 1..6),
    ) {
        let lpm = PidLookup::build(&map).unwrap();
        let own = map.values().flat_map(EndpointAddrGroup::prefixes);
        let probes = v4.into_iter().map(IpNet::V4).chain(v6.into_iter().map(IpNet::V6));
        for net in probes.chain(own) {
            prop_assert_eq!(lpm.lookup_net(net), net_oracle(&map, net), "{}", net);
        }
    }
}
