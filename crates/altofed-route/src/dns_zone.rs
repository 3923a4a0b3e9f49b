//! The zone the DNS front is authoritative for, from `[dns]`: its origin,
//! the owner names answered with nodes, and the SOA and NS records (built
//! once: they never change while the router runs). Pure, so `--check`
//! validates the names without binding anything.

use std::collections::HashSet;
use std::net::IpAddr;

use hickory_server::proto::rr::rdata::{A, AAAA, NS, SOA};
use hickory_server::proto::rr::{LowerName, Name, RData, Record};

use crate::config::{ConfigError, DnsSection};

/// What one query name is to the zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// Outside the zone: REFUSED.
    Outside,
    /// The apex (SOA, NS; node records too if `@` is configured).
    Apex { routed: bool },
    /// A configured name: node records.
    Routed,
    /// Inside the zone, but no such name: NXDOMAIN.
    Unknown,
}

/// The zone, ready to answer from.
#[derive(Debug, Clone)]
pub struct Zone {
    pub origin: Name,
    lower_origin: LowerName,
    routed: HashSet<LowerName>,
    pub soa: Record,
    pub ns: Vec<Record>,
    pub ttl: u32,
}

fn name(key: &'static str, value: &str) -> Result<Name, ConfigError> {
    let parsed = Name::from_ascii(value).map_err(|e| ConfigError::DnsName {
        key,
        value: value.to_owned(),
        reason: e.to_string(),
    })?;
    // A name without the final dot is still absolute here.
    let mut fqdn = parsed;
    fqdn.set_fqdn(true);
    Ok(fqdn)
}

impl Zone {
    pub fn from_config(dns: &DnsSection) -> Result<Zone, ConfigError> {
        let origin = name("zone", &dns.zone)?;
        let lower_origin = LowerName::new(&origin);
        let mut routed = HashSet::new();
        for owner in &dns.names {
            let full = if owner == "@" {
                origin.clone()
            } else if owner.ends_with('.') {
                name("names", owner)?
            } else {
                let relative = Name::from_ascii(owner).map_err(|e| ConfigError::DnsName {
                    key: "names",
                    value: owner.clone(),
                    reason: e.to_string(),
                })?;
                relative
                    .append_domain(&origin)
                    .map_err(|e| ConfigError::DnsName {
                        key: "names",
                        value: owner.clone(),
                        reason: e.to_string(),
                    })?
            };
            if !origin.zone_of(&full) {
                return Err(ConfigError::OutsideZone(owner.clone()));
            }
            routed.insert(LowerName::new(&full));
        }
        let servers = dns
            .ns
            .iter()
            .map(|n| name("ns", n))
            .collect::<Result<Vec<_>, _>>()?;
        let Some(primary) = servers.first() else {
            return Err(ConfigError::NoNameServer);
        };
        let soa = SOA::new(
            primary.clone(),
            name("hostmaster", &dns.hostmaster)?,
            dns.serial,
            dns.refresh,
            dns.retry,
            dns.expire,
            dns.negative_ttl,
        );
        // RFC 2308 §3: the SOA of a negative answer has the TTL of its MINIMUM.
        let soa = Record::from_rdata(origin.clone(), dns.negative_ttl, RData::SOA(soa));
        let ns = servers
            .into_iter()
            .map(|s| Record::from_rdata(origin.clone(), dns.ttl.max(3600), RData::NS(NS(s))))
            .collect();
        Ok(Zone {
            origin,
            lower_origin,
            routed,
            soa,
            ns,
            ttl: dns.ttl,
        })
    }

    /// What `qname` is to this zone.
    pub fn owner(&self, qname: &LowerName) -> Owner {
        if !self.lower_origin.zone_of(qname) {
            Owner::Outside
        } else if *qname == self.lower_origin {
            Owner::Apex {
                routed: self.routed.contains(qname),
            }
        } else if self.routed.contains(qname) {
            Owner::Routed
        } else {
            Owner::Unknown
        }
    }

    /// An A or AAAA record of `owner` for `addr`.
    pub fn address_record(&self, owner: &LowerName, addr: IpAddr) -> Record {
        let data = match addr {
            IpAddr::V4(a) => RData::A(A(a)),
            IpAddr::V6(a) => RData::AAAA(AAAA(a)),
        };
        Record::from_rdata(Name::from(owner), self.ttl, data)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn zone() -> Zone {
        let dns: DnsSection = toml::from_str(
            "listen = \"127.0.0.1:0\"\nzone = \"cdn.example.\"\n\
             names = [\"www\", \"@\", \"img.cdn.example.\"]\nns = [\"ns1.cdn.example\"]\n",
        )
        .unwrap();
        Zone::from_config(&dns).unwrap()
    }

    fn owner(z: &Zone, n: &str) -> Owner {
        z.owner(&LowerName::new(&Name::from_ascii(n).unwrap()))
    }

    #[test]
    fn names_are_placed_relative_to_the_zone() {
        let z = zone();
        assert_eq!(owner(&z, "WWW.cdn.example."), Owner::Routed);
        assert_eq!(owner(&z, "img.cdn.example."), Owner::Routed);
        assert_eq!(owner(&z, "cdn.example."), Owner::Apex { routed: true });
        assert_eq!(owner(&z, "nope.cdn.example."), Owner::Unknown);
        assert_eq!(owner(&z, "www.example."), Owner::Outside);
        assert_eq!(owner(&z, "xcdn.example."), Owner::Outside);
        assert_eq!(z.ns.len(), 1);
        assert_eq!(z.soa.ttl, 60);
    }
}
