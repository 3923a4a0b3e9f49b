//! What each name yielded, and why discovery failed.

use std::fmt;

use ipnet::IpNet;
use thiserror::Error;

use super::names::display_target;
use super::service::ServiceParam;

/// A NAPTR record for the service that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRecord {
    /// Owner name of the record (no trailing dot).
    pub name: String,
    /// The record in zone-file form: `100 10 "U" "ALTO:https" "!.*!…!" .`
    pub record: String,
    /// Why it was not used.
    pub reason: String,
}

impl fmt::Display for RejectedRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} NAPTR {}: {}", self.name, self.record, self.reason)
    }
}

/// What looking up one reverse name yielded, when it yielded no URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameOutcome {
    /// NXDOMAIN: the name does not exist.
    NxDomain,
    /// The name has no NAPTR records (NOERROR, no data).
    NoRecords,
    /// NAPTR records, but none for the service (other applications).
    OtherServices {
        /// How many NAPTR records there were.
        records: usize,
    },
    /// Records for the service, none usable (malformed, or delegations that
    /// led nowhere).
    Unusable {
        /// Each unusable record and why.
        rejected: Vec<RejectedRecord>,
    },
    /// The lookup failed (SERVFAIL, REFUSED, timeout, network): a temporary
    /// failure in RFC 8686 §3.5 terms; a retry later may give an answer.
    Failed {
        /// What went wrong, e.g. `SERVFAIL` or `timed out`.
        reason: String,
    },
}

impl NameOutcome {
    /// Whether this is a temporary failure rather than a definite "nothing".
    pub fn is_failure(&self) -> bool {
        matches!(self, Self::Failed { .. })
    }
}

impl fmt::Display for NameOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NxDomain => f.write_str("NXDOMAIN"),
            Self::NoRecords => f.write_str("no NAPTR records"),
            Self::OtherServices { records } => {
                write!(f, "{records} NAPTR record(s), none for the service")
            }
            Self::Unusable { rejected } => {
                f.write_str("no usable record: ")?;
                for (i, r) in rejected.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{r}")?;
                }
                Ok(())
            }
            Self::Failed { reason } => write!(f, "{reason}, temporary failure"),
        }
    }
}

/// One reverse name tried and what it yielded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The reverse name, no trailing dot (`10.2.0.192.in-addr.arpa`).
    pub name: String,
    /// What it yielded.
    pub outcome: NameOutcome,
}

/// The names tried, for messages: `a, b, c (NXDOMAIN)` when all yielded the
/// same, else `a (NXDOMAIN), b (SERVFAIL, temporary failure), …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tried(pub Vec<Attempt>);

impl fmt::Display for Tried {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|a| a.name.as_str()).collect();
        let same = self.0.windows(2).all(|w| w[0].outcome == w[1].outcome);
        match self.0.first() {
            Some(first) if same => write!(f, "{} ({})", names.join(", "), first.outcome),
            _ => {
                for (i, a) in self.0.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{} ({})", a.name, a.outcome)?;
                }
                Ok(())
            }
        }
    }
}

/// The address or prefix discovery was run for; displays an address without
/// `/32` or `/128`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target(pub IpNet);

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&display_target(self.0))
    }
}

/// Why no ALTO server could be discovered.
#[derive(Debug, Error)]
pub enum DiscoveryError {
    /// RFC 8686 §3.2: IPv4 prefixes shorter than /8 and IPv6 prefixes shorter
    /// than /32 are not supported.
    #[error("cannot discover an ALTO server for {target}: unsupported prefix length (at least /{min} is needed, RFC 8686 §3.2)")]
    UnsupportedPrefixLength {
        /// The prefix given.
        target: Target,
        /// The shortest prefix length supported for its family.
        min: u8,
    },
    /// Every name answered and none had a usable record for the service: the
    /// RFC's empty result (RFC 8686 §3.4).
    #[error("no ALTO server found for {target} ({service}): tried {tried}")]
    NotFound {
        /// The address or prefix.
        target: Target,
        /// The service parameter looked for.
        service: ServiceParam,
        /// Every name tried, in order, with its outcome.
        tried: Tried,
    },
    /// Nothing was found, but some lookups failed temporarily, so a server
    /// may exist; retry later (RFC 8686 §3.5).
    #[error("no ALTO server found for {target} ({service}), but some lookups failed temporarily (retry later): tried {tried}")]
    Incomplete {
        /// The address or prefix.
        target: Target,
        /// The service parameter looked for.
        service: ServiceParam,
        /// Every name tried, in order, with its outcome.
        tried: Tried,
    },
    /// The resolver could not be set up (e.g. unreadable `/etc/resolv.conf`).
    #[error("cannot set up the DNS resolver: {reason}")]
    Resolver {
        /// Why.
        reason: String,
    },
}

impl DiscoveryError {
    /// Whether trying again later may succeed (RFC 8686 §3.5 temporary
    /// failures).
    pub fn is_temporary(&self) -> bool {
        matches!(self, Self::Incomplete { .. })
    }
}
