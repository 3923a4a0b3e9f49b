//! The DNS side: a stub resolver and NAPTR lookups sorted into the outcomes
//! RFC 8686 §3.5 distinguishes.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{Name, RData, RecordType};
use hickory_resolver::TokioResolver;

use super::error::DiscoveryError;
use super::unaptr::Naptr;

/// Per-query timeout of [`Resolver::with_nameserver`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// A DNS stub resolver for discovery (plain UDP, TCP on truncation).
///
/// Failed queries are not retried: RFC 8686 §3.5 wants the procedure to move
/// on to the next name at once, so the resolver's own retries are off. A
/// failed name is reported instead ([`super::NameOutcome::Failed`]).
#[derive(Clone)]
pub struct Resolver {
    inner: TokioResolver,
    describe: String,
}

impl fmt::Debug for Resolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolver")
            .field("nameservers", &self.describe)
            .finish()
    }
}

impl Resolver {
    /// The system's resolver configuration (`/etc/resolv.conf` on Unix),
    /// with its nameservers, timeout and search list; retries off.
    pub fn from_system_conf() -> Result<Self, DiscoveryError> {
        let mut builder = TokioResolver::builder_tokio().map_err(|e| resolver_error(&e))?;
        builder.options_mut().attempts = 0;
        let inner = builder.build().map_err(|e| resolver_error(&e))?;
        Ok(Self {
            inner,
            describe: "system configuration".to_owned(),
        })
    }

    /// One nameserver at `addr`, over UDP and TCP on the same port (e.g. a
    /// test server on `127.0.0.1:<port>`), with [`DEFAULT_TIMEOUT`].
    pub fn with_nameserver(addr: SocketAddr) -> Result<Self, DiscoveryError> {
        Self::with_nameserver_timeout(addr, DEFAULT_TIMEOUT)
    }

    /// As [`Resolver::with_nameserver`], with a per-query `timeout`.
    pub fn with_nameserver_timeout(
        addr: SocketAddr,
        timeout: Duration,
    ) -> Result<Self, DiscoveryError> {
        let mut udp = ConnectionConfig::udp();
        udp.port = addr.port();
        let mut tcp = ConnectionConfig::tcp();
        tcp.port = addr.port();
        let server = NameServerConfig::new(addr.ip(), true, vec![udp, tcp]);
        let mut options = ResolverOpts::default();
        options.timeout = timeout;
        options.attempts = 0;
        options.use_hosts_file = ResolveHosts::Never;
        let inner = TokioResolver::builder_with_config(
            ResolverConfig::from_name_servers(vec![server]),
            TokioRuntimeProvider::default(),
        )
        .with_options(options)
        .build()
        .map_err(|e| resolver_error(&e))?;
        Ok(Self {
            inner,
            describe: addr.to_string(),
        })
    }

    /// Queries NAPTR at `name` (no trailing dot; always fully qualified).
    pub(crate) async fn naptr(&self, name: &str) -> Answer {
        let fqdn = match Name::from_ascii(format!("{name}.")) {
            Ok(fqdn) => fqdn,
            Err(e) => return Answer::Failed(format!("invalid name: {e}")),
        };
        match self.inner.lookup(fqdn, RecordType::NAPTR).await {
            Ok(lookup) => {
                let records: Vec<Naptr> = lookup
                    .answers()
                    .iter()
                    .filter_map(|record| match &record.data {
                        RData::NAPTR(naptr) => Some(Naptr {
                            order: naptr.order,
                            preference: naptr.preference,
                            flags: naptr.flags.to_vec(),
                            services: naptr.services.to_vec(),
                            regexp: naptr.regexp.to_vec(),
                            replacement: strip_dot(&naptr.replacement.to_ascii()),
                        }),
                        _ => None,
                    })
                    .collect();
                if records.is_empty() {
                    Answer::NoData
                } else {
                    Answer::Records(records)
                }
            }
            Err(e) if e.is_nx_domain() => Answer::NxDomain,
            Err(e) if e.is_no_records_found() => Answer::NoData,
            Err(e) => Answer::Failed(describe_failure(&e)),
        }
    }
}

/// The answer to one NAPTR query.
#[derive(Debug)]
pub(crate) enum Answer {
    Records(Vec<Naptr>),
    NxDomain,
    /// The name exists (or the server says NOERROR) but has no NAPTR records.
    NoData,
    /// SERVFAIL, REFUSED, timeout, network error: nothing learned.
    Failed(String),
}

fn strip_dot(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_owned()
}

fn describe_failure(e: &NetError) -> String {
    match e {
        NetError::Dns(DnsError::ResponseCode(code)) => match code {
            ResponseCode::ServFail => "SERVFAIL".to_owned(),
            ResponseCode::Refused => "REFUSED".to_owned(),
            ResponseCode::FormErr => "FORMERR".to_owned(),
            ResponseCode::NotImp => "NOTIMP".to_owned(),
            other => format!("response code {other}"),
        },
        NetError::Timeout => "timed out".to_owned(),
        other => other.to_string(),
    }
}

fn resolver_error(e: &NetError) -> DiscoveryError {
    DiscoveryError::Resolver {
        reason: e.to_string(),
    }
}
