//! Address -> PID by longest-prefix match (RFC 7285 §11.2.2): IPv6 on the
//! `prefix-trie` crate's trie (a prefix trie is the representation RFC
//! 7285 §11.2.1.6 suggests), IPv4 in a flat range table (`v4`) built from
//! the sorted prefixes, which also find a prefix in two PIDs.

mod v4;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use ipnet::{IpNet, Ipv4Net};
use prefix_trie::joint::map::JointPrefixMap;
use thiserror::Error;

use crate::netmap::EndpointAddrGroup;
use v4::V4Ranges;

/// A network map that RFC 7285 §11.2.2 forbids: LPM would be ambiguous.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LookupBuildError {
    #[error("prefix {prefix} is in PID `{first}` and in PID `{second}`; a prefix must not be in two PIDs (RFC 7285 §11.2.2)")]
    DuplicatePrefix {
        prefix: IpNet,
        first: String,
        second: String,
    },
}

/// Longest-prefix-match index over a network map's PIDs.
#[derive(Debug, Clone, Default)]
pub struct PidLookup {
    /// The IPv6 prefixes; values index `pids`.
    v6: JointPrefixMap<IpNet, usize>,
    /// The IPv4 prefixes as ranges, for address lookups.
    v4: V4Ranges,
    /// The IPv4 prefixes, sorted, each once: (network, length, PID index).
    /// A trie of them cost half of building the lookup (a peer's ~90,000
    /// prefixes, on every composition) for prefix lookups nothing but
    /// [`PidLookup::lookup_net`] makes.
    v4_prefixes: Vec<(u32, u8, u32)>,
    pids: Vec<String>,
}

impl PidLookup {
    /// Builds the index. A prefix listed twice in one PID is harmless; the
    /// same prefix in two PIDs is an error naming two of them in name
    /// order (`first < second`; of several such prefixes, one whose second
    /// PID comes first). Host bits are ignored, as [`crate::prefix`] clears
    /// them on input anyway.
    pub fn build(map: &BTreeMap<String, EndpointAddrGroup>) -> Result<Self, LookupBuildError> {
        let mut v6 = JointPrefixMap::new();
        let pids: Vec<String> = map.keys().cloned().collect();
        let mut v4 = Vec::new();
        let mut v6_duplicate = None;
        'pids: for (idx, group) in map.values().enumerate() {
            for net in group.prefixes() {
                match (net.trunc(), u32::try_from(idx)) {
                    (IpNet::V4(n), Ok(i)) => v4.push((u32::from(n.network()), n.prefix_len(), i)),
                    (IpNet::V4(_), Err(_)) => {}
                    (net @ IpNet::V6(_), _) => match v6.insert(net, idx) {
                        Some(prev) if prev != idx => {
                            v6_duplicate = Some((idx, prev, net));
                            // Any IPv4 duplicate that comes before is in `v4`.
                            break 'pids;
                        }
                        _ => {}
                    },
                }
            }
        }
        sort_prefixes(&mut v4);
        let duplicate = first_v4_duplicate(&v4).into_iter().chain(v6_duplicate);
        if let Some((second, first, prefix)) = duplicate.min_by_key(|d| d.0) {
            return Err(LookupBuildError::DuplicatePrefix {
                prefix,
                first: pids[first].clone(),
                second: pids[second].clone(),
            });
        }
        v4.dedup_by_key(|p| (p.0, p.1));
        Ok(Self {
            v6,
            v4: V4Ranges::build(&v4),
            v4_prefixes: v4,
            pids,
        })
    }

    /// The PID whose longest prefix contains `addr`, if any (a complete map
    /// always has one, RFC 7285 §11.2.2).
    pub fn lookup(&self, addr: IpAddr) -> Option<&str> {
        self.pids.get(self.lookup_index(addr)?).map(String::as_str)
    }

    /// The PID whose longest prefix covers all of `net` (for prefix
    /// entities, RFC 9240 §6.1.1).
    pub fn lookup_net(&self, net: IpNet) -> Option<&str> {
        self.pids.get(self.index_of_net(net)?).map(String::as_str)
    }

    /// [`PidLookup::lookup`] as the PID's position in the network map's
    /// name order, for callers that index their own tables by it.
    pub fn lookup_index(&self, addr: IpAddr) -> Option<usize> {
        self.lookup_index_len(addr).map(|(idx, _)| idx)
    }

    /// [`PidLookup::lookup_index`] with the length of the prefix that
    /// matched: a DNS answer by EDNS Client Subnet holds for that prefix
    /// (its scope prefix length, RFC 7871 §7.2.1).
    pub fn lookup_index_len(&self, addr: IpAddr) -> Option<(usize, u8)> {
        match addr {
            IpAddr::V4(a) => self.v4.get(u32::from(a)),
            IpAddr::V6(_) => self
                .v6
                .get_lpm(&IpNet::from(addr))
                .map(|(net, &idx)| (idx, net.prefix_len())),
        }
    }

    /// [`PidLookup::lookup_index`] of each address, the IPv4 ones looked
    /// up side by side ([`V4Ranges::get_each`]): for a request naming
    /// several addresses, whose lookups would otherwise wait for one
    /// another's cache misses.
    pub fn lookup_indices(&self, addrs: &[IpAddr]) -> Vec<Option<usize>> {
        const CHUNK: usize = 16;
        let mut found = Vec::with_capacity(addrs.len());
        for chunk in addrs.chunks(CHUNK) {
            let (mut v4, mut v4_found) = ([0u32; CHUNK], [None; CHUNK]);
            let mut n = 0;
            for addr in chunk {
                if let IpAddr::V4(a) = addr {
                    v4[n] = u32::from(*a);
                    n += 1;
                }
            }
            self.v4.get_each(&v4[..n], &mut v4_found[..n]);
            let mut v4_found = v4_found[..n].iter();
            found.extend(chunk.iter().map(|&addr| match addr {
                IpAddr::V4(_) => v4_found.next().copied().flatten().map(|(idx, _)| idx),
                IpAddr::V6(_) => self.lookup_index(addr),
            }));
        }
        found
    }

    /// The PID names, in the order of [`PidLookup::lookup_index`].
    pub fn pids(&self) -> &[String] {
        &self.pids
    }

    fn index_of_net(&self, net: IpNet) -> Option<usize> {
        match net.trunc() {
            IpNet::V4(n) => self.v4_covering(u32::from(n.network()), n.prefix_len()),
            net @ IpNet::V6(_) => self.v6.get_lpm(&net).map(|(_, &idx)| idx),
        }
    }

    /// The PID of the longest IPv4 prefix that holds all of `net/len`: one
    /// exact search per length from `len` down (a few dozen binary
    /// searches, for a lookup no service makes per request).
    fn v4_covering(&self, net: u32, len: u8) -> Option<usize> {
        (0..=len).rev().find_map(|l| {
            let network = net & u32::MAX.checked_shl(32 - u32::from(l)).unwrap_or(0);
            let at = (self.v4_prefixes).binary_search_by(|p| (p.0, p.1).cmp(&(network, l)));
            at.ok().map(|i| self.v4_prefixes[i].2 as usize)
        })
    }

    /// Number of distinct prefixes indexed.
    pub fn len(&self) -> usize {
        self.v4_prefixes.len() + self.v6.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Sorts (network, length, PID index) as tuples sort; as one `u64` each
/// when the PID index fits in 24 bits (always, in practice), which sorts
/// twice as fast as the tuples.
fn sort_prefixes(v4: &mut [(u32, u8, u32)]) {
    const INDEX_BITS: u32 = 24;
    if v4.iter().any(|p| p.2 >> INDEX_BITS != 0) {
        v4.sort_unstable();
        return;
    }
    let pack =
        |p: &(u32, u8, u32)| u64::from(p.0) << 32 | u64::from(p.1) << INDEX_BITS | u64::from(p.2);
    let mut keys: Vec<u64> = v4.iter().map(pack).collect();
    keys.sort_unstable();
    for (p, k) in v4.iter_mut().zip(keys) {
        // Each part back from its bits: the casts drop the other parts.
        *p = (
            (k >> 32) as u32,
            (k >> INDEX_BITS) as u8,
            (k as u32) & ((1 << INDEX_BITS) - 1),
        );
    }
}

/// Of the IPv4 prefixes in two PIDs, in `sorted` (network, length, PID
/// index), the one whose second PID comes first: (that PID, the first
/// PID, the prefix).
fn first_v4_duplicate(sorted: &[(u32, u8, u32)]) -> Option<(usize, usize, IpNet)> {
    let seconds = sorted.windows(2).filter_map(|w| {
        let (a, b) = (w[0], w[1]);
        // The same prefix in another PID (a later one: equal prefixes are
        // sorted by PID); its first PID leads the run of that prefix.
        if (a.0, a.1) != (b.0, b.1) || a.2 == b.2 {
            return None;
        }
        let first = sorted[sorted.partition_point(|p| (p.0, p.1) < (a.0, a.1))].2;
        let prefix = Ipv4Net::new(Ipv4Addr::from(a.0), a.1).ok()?;
        Some((b.2 as usize, first as usize, IpNet::V4(prefix)))
    });
    seconds.min_by_key(|d| d.0)
}
