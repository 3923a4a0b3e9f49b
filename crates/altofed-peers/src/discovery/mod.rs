//! Cross-domain ALTO server discovery by IP address (RFC 8686).
//!
//! Given an address (or prefix) and a U-NAPTR service parameter (normally
//! `ALTO:https`), look up NAPTR records in the reverse DNS tree and return the
//! ALTO server's IRD URI(s):
//!
//! 1. Reject IPv4 prefixes shorter than /8 and IPv6 shorter than /32 (§3.2).
//! 2. Build the reverse names: IPv4 R32, R24, R16, R8 (`d.c.b.a.in-addr.arpa`
//!    minus one label per step); IPv6 R128, R64, R56, R48, R40, R32 (nibbles
//!    under `ip6.arpa`) (§3.3).
//! 3. Start with the name matching the prefix length and go on with the
//!    shorter ones until one yields URIs (§3.4). Each name is resolved by
//!    U-NAPTR (RFC 4848): records for the service in order/preference order,
//!    terminal `U` records giving a URI through `!.*!<URI>!`, non-terminal ones
//!    delegating to another name (a bounded number of hops).
//! 4. A failed lookup (SERVFAIL, timeout, …) moves on to the next name at once
//!    and is reported, never retried here (§3.5): with a result as
//!    [`Discovered::failures`], without one as [`DiscoveryError::Incomplete`].

mod error;
mod names;
mod resolver;
mod service;
mod unaptr;

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

use ipnet::IpNet;

pub use error::{Attempt, DiscoveryError, NameOutcome, RejectedRecord, Target, Tried};
pub use names::{reverse_names, MIN_IPV4_PREFIX, MIN_IPV6_PREFIX};
pub use resolver::{Resolver, DEFAULT_TIMEOUT};
pub use service::{InvalidServiceParam, ServiceParam};

use resolver::Answer;
use unaptr::{judge, Naptr, Verdict};

/// How many non-terminal NAPTR records one chain may follow.
pub const MAX_DELEGATIONS: usize = 4;

/// One URI found, with the order and preference of the record at the
/// reverse name that led to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerUri {
    /// The URI, normally an ALTO IRD URI.
    pub uri: String,
    /// NAPTR order (lower first).
    pub order: u16,
    /// NAPTR preference (lower first, within one order).
    pub preference: u16,
    /// Owner name of the terminal record: the reverse name itself, or the
    /// name a non-terminal record delegated to.
    pub record_name: String,
}

/// A successful discovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovered {
    /// The address or prefix discovery was run for.
    pub target: Target,
    /// The service parameter looked for.
    pub service: ServiceParam,
    /// The reverse name the URIs were found at (no trailing dot).
    pub name: String,
    /// The URIs, best first (order, then preference); never empty.
    pub uris: Vec<ServerUri>,
    /// The longer names tried before [`Discovered::name`], with outcomes.
    pub tried: Vec<Attempt>,
    /// Records at `name` for the service that were not usable.
    pub rejected: Vec<RejectedRecord>,
}

impl Discovered {
    /// The URI to use first.
    pub fn ird_uri(&self) -> &str {
        self.uris.first().map_or("", |u| u.uri.as_str())
    }

    /// Whether the URIs came from a shorter name than the first one tried.
    pub fn is_fallback(&self) -> bool {
        !self.tried.is_empty()
    }

    /// Longer names whose lookup failed temporarily: a more specific server
    /// may exist (RFC 8686 §3.5 wants these reported).
    pub fn failures(&self) -> impl Iterator<Item = &Attempt> {
        self.tried.iter().filter(|a| a.outcome.is_failure())
    }
}

/// Discovers the ALTO server (`ALTO:https`) responsible for `addr`.
pub async fn discover(addr: IpAddr, resolver: &Resolver) -> Result<Discovered, DiscoveryError> {
    discover_prefix(IpNet::from(addr), &ServiceParam::alto_https(), resolver).await
}

/// RFC 8686 `XDOMDISC(target, service)`: an address (`/32`, `/128`) or a
/// prefix, and any U-NAPTR service parameter.
pub async fn discover_prefix(
    target: IpNet,
    service: &ServiceParam,
    resolver: &Resolver,
) -> Result<Discovered, DiscoveryError> {
    let names = reverse_names(target).ok_or(DiscoveryError::UnsupportedPrefixLength {
        target: Target(target),
        min: names::min_prefix_len(target),
    })?;
    let mut tried = Vec::new();
    for name in names {
        let outcome = match resolver.naptr(&name).await {
            Answer::NxDomain => NameOutcome::NxDomain,
            Answer::NoData => NameOutcome::NoRecords,
            Answer::Failed(reason) => NameOutcome::Failed { reason },
            Answer::Records(records) => {
                let total = records.len();
                let found = evaluate(resolver, service, name.clone(), records, Vec::new()).await;
                if !found.uris.is_empty() {
                    return Ok(Discovered {
                        target: Target(target),
                        service: service.clone(),
                        name,
                        uris: found.uris,
                        tried,
                        rejected: found.rejected,
                    });
                }
                found.outcome(total)
            }
        };
        tried.push(Attempt { name, outcome });
    }
    let failed = tried.iter().any(|a| a.outcome.is_failure());
    let (target, service, tried) = (Target(target), service.clone(), Tried(tried));
    Err(if failed {
        DiscoveryError::Incomplete {
            target,
            service,
            tried,
        }
    } else {
        DiscoveryError::NotFound {
            target,
            service,
            tried,
        }
    })
}

/// What the records at one name yielded.
#[derive(Debug, Default)]
struct Evaluated {
    uris: Vec<ServerUri>,
    rejected: Vec<RejectedRecord>,
    /// Delegation targets whose lookup failed temporarily.
    failures: Vec<String>,
}

impl Evaluated {
    /// The outcome of a name whose `total` records gave no URI.
    fn outcome(self, total: usize) -> NameOutcome {
        if !self.failures.is_empty() {
            NameOutcome::Failed {
                reason: self.failures.join("; "),
            }
        } else if !self.rejected.is_empty() {
            NameOutcome::Unusable {
                rejected: self.rejected,
            }
        } else {
            NameOutcome::OtherServices { records: total }
        }
    }
}

type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// U-NAPTR resolution of the `records` found at `name`: matching records in
/// order/preference order; terminal ones give a URI, non-terminal ones are
/// followed (at most [`MAX_DELEGATIONS`] deep, never in a loop).
fn evaluate<'a>(
    resolver: &'a Resolver,
    service: &'a ServiceParam,
    name: String,
    mut records: Vec<Naptr>,
    chain: Vec<String>,
) -> Boxed<'a, Evaluated> {
    Box::pin(async move {
        records.sort_by_key(|r| (r.order, r.preference));
        let mut out = Evaluated::default();
        for record in records {
            let reject = |reason: String| RejectedRecord {
                name: name.clone(),
                record: record.to_string(),
                reason,
            };
            match judge(&record, service) {
                Verdict::OtherService => {}
                Verdict::Rejected(reason) => out.rejected.push(reject(reason)),
                Verdict::Uri(uri) => out.uris.push(ServerUri {
                    uri,
                    order: record.order,
                    preference: record.preference,
                    record_name: name.clone(),
                }),
                Verdict::Delegate(next) => {
                    if chain.len() >= MAX_DELEGATIONS {
                        let why = format!("more than {MAX_DELEGATIONS} non-terminal hops");
                        out.rejected.push(reject(why));
                        continue;
                    }
                    if next == name || chain.contains(&next) {
                        out.rejected
                            .push(reject(format!("delegation loop back to {next}")));
                        continue;
                    }
                    let inner = match resolver.naptr(&next).await {
                        Answer::Records(inner) => {
                            let mut chain = chain.clone();
                            chain.push(name.clone());
                            evaluate(resolver, service, next.clone(), inner, chain).await
                        }
                        Answer::NxDomain => {
                            out.rejected
                                .push(reject(format!("delegates to {next}: NXDOMAIN")));
                            continue;
                        }
                        Answer::NoData => {
                            let why = format!("delegates to {next}: no NAPTR records");
                            out.rejected.push(reject(why));
                            continue;
                        }
                        Answer::Failed(why) => {
                            out.failures.push(format!("{next}: {why}"));
                            continue;
                        }
                    };
                    if inner.uris.is_empty()
                        && inner.rejected.is_empty()
                        && inner.failures.is_empty()
                    {
                        let why = format!("delegates to {next}: no record for the service");
                        out.rejected.push(reject(why));
                    }
                    out.uris.extend(inner.uris.into_iter().map(|u| ServerUri {
                        order: record.order,
                        preference: record.preference,
                        ..u
                    }));
                    out.rejected.extend(inner.rejected);
                    out.failures.extend(inner.failures);
                }
            }
        }
        out
    })
}
