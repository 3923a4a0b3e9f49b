//! Address -> PID by longest-prefix match (RFC 7285 §11.2.2), on the
//! `prefix-trie` crate's joint IPv4/IPv6 trie (a prefix trie is the
//! representation RFC 7285 §11.2.1.6 suggests); IPv4 addresses are looked
//! up in a flat range table built beside it (`v4`).

mod v4;

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;
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
    /// Values index `pids`.
    trie: JointPrefixMap<IpNet, usize>,
    /// The IPv4 prefixes of `trie` as ranges, for address lookups.
    v4: V4Ranges,
    pids: Vec<String>,
}

impl PidLookup {
    /// Builds the index. A prefix listed twice in one PID is harmless; the
    /// same prefix in two PIDs is an error naming both (PIDs are visited in
    /// name order, so `first < second`). Host bits are ignored, as
    /// [`crate::prefix`] clears them on input anyway.
    pub fn build(map: &BTreeMap<String, EndpointAddrGroup>) -> Result<Self, LookupBuildError> {
        let mut trie = JointPrefixMap::new();
        let mut pids = Vec::with_capacity(map.len());
        let mut v4 = Vec::new();
        for (idx, (pid, group)) in map.iter().enumerate() {
            pids.push(pid.clone());
            for net in group.prefixes() {
                if let (IpNet::V4(n), Ok(i)) = (net.trunc(), u32::try_from(idx)) {
                    v4.push((u32::from(n.network()), n.prefix_len(), i));
                }
                if let Some(prev) = trie.insert(net.trunc(), idx) {
                    if prev != idx {
                        return Err(LookupBuildError::DuplicatePrefix {
                            prefix: net.trunc(),
                            first: pids[prev].clone(),
                            second: pid.clone(),
                        });
                    }
                }
            }
        }
        let v4 = V4Ranges::build(v4);
        Ok(Self { trie, v4, pids })
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
                .trie
                .get_lpm(&IpNet::from(addr))
                .map(|(net, &idx)| (idx, net.prefix_len())),
        }
    }

    /// The PID names, in the order of [`PidLookup::lookup_index`].
    pub fn pids(&self) -> &[String] {
        &self.pids
    }

    fn index_of_net(&self, net: IpNet) -> Option<usize> {
        self.trie.get_lpm(&net.trunc()).map(|(_, &idx)| idx)
    }

    /// Number of distinct prefixes indexed.
    pub fn len(&self) -> usize {
        self.trie.len()
    }

    pub fn is_empty(&self) -> bool {
        self.trie.is_empty()
    }
}
