//! The request router of `altofed demo` (docs/routing.md): Figure 5's
//! `topologies/figure5/route.toml` (nodes n8, n9, n10 in pid8, pid9,
//! pid10), pointed at the demo's own aggregator, with its DNS, HTTP and
//! ops listeners where the command line says (port 0 by default: 5353,
//! the usual choice for a test DNS server, is mDNS's on many machines).
//!
//! The HTTP front trusts `X-Forwarded-For` from 127.0.0.0/8, as
//! route.toml does: the demo listens on loopback, and a curl from the
//! same machine can only be told to act for a subscriber that way (its
//! own address, 127.0.0.1, is in the catch-all PID and gets the fallback
//! node). Only local processes can reach that trust.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;

use altofed_route::{Bound, RouteConfig};
use anyhow::{Context, Result};
use tokio_util::sync::CancellationToken;

use crate::cli::DemoArgs;

const ROUTE_TOML: &str = include_str!("../../../topologies/figure5/route.toml");

/// A subscriber of isp-a:pid1 (198.51.100.0/25) and of isp-a:pid2
/// (198.51.100.128/25); design.md §1's table sends them to pid8's node
/// and to pid10's.
pub const PID1_CLIENT: &str = "198.51.100.1";
pub const PID2_CLIENT: &str = "198.51.100.200";

/// Where the demo router listens.
#[derive(Debug)]
pub struct RouterAddrs {
    pub dns: SocketAddr,
    pub http: SocketAddr,
    pub ops: SocketAddr,
    pub zone: String,
    pub name: String,
}

/// Binds the router's listeners and serves until `shutdown`; the
/// aggregator's IRD is at `aggregator`.
pub async fn start(
    args: &DemoArgs,
    aggregator: SocketAddr,
    shutdown: CancellationToken,
) -> Result<RouterAddrs> {
    let mut config = RouteConfig::from_toml(ROUTE_TOML).context("embedded route.toml")?;
    // An aggregator listening on every address is reached on loopback.
    let host = match aggregator.ip() {
        ip if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        ip => ip,
    };
    config.alto.url = format!(
        "http://{}/directory",
        SocketAddr::new(host, aggregator.port())
    );
    let dns = config
        .dns
        .as_mut()
        .context("route.toml has a [dns] front")?;
    dns.listen = args.dns;
    let (zone, name) = (
        dns.zone.clone(),
        dns.names.first().cloned().unwrap_or_default(),
    );
    config
        .http
        .as_mut()
        .context("route.toml has an [http] front")?
        .listen = args.http;
    config.ops.listen = args.route_ops;
    let bound = Bound::bind(&config).await?;
    let (Some(dns), Some(http), Some(ops)) =
        (bound.dns_addr(), bound.http_addr(), bound.ops_addr())
    else {
        anyhow::bail!("the demo router's listeners have no address");
    };
    tokio::spawn(async move {
        if let Err(e) = altofed_route::serve(config, Path::new("."), bound, shutdown).await {
            tracing::error!("the demo router stopped: {e}");
        }
    });
    Ok(RouterAddrs {
        dns,
        http,
        ops,
        zone,
        name,
    })
}

/// The guide's part on request routing: a `dig` and a `curl -sI` whose
/// answers design.md's table predicts.
pub fn guide(router: &RouterAddrs, aggregator: &str) -> String {
    let owner = format!("{}.{}", router.name, router.zone);
    let (dns, http) = (router.dns, router.http);
    format!(
        "router DNS:                {dns}  (zone {zone})
router HTTP:               http://{http}
router ops:                http://{ops}/metrics

Request routing (design.md §1: isp-a:pid1 -> pid8's node n8, isp-a:pid2 -> pid10's node n10):
  dig @{dns_ip} -p {dns_port} +norecurse +subnet={PID1_CLIENT}/32 {owner} A
    expect: {owner} 20 IN A 203.0.113.1   (n8; ECS scope /25, pid1's prefix)
  curl -sI -H 'X-Forwarded-For: {PID2_CLIENT}' http://{http}/video/1.mp4
    expect: HTTP/1.1 302 Found, location: http://n10.cdn.example/video/1.mp4
  (this demo router trusts X-Forwarded-For from 127.0.0.0/8, for curl on this machine;
   drain n8 with: curl -X PUT {agg}/admin/nodes/203.0.113.1 -H 'Content-Type: application/json' \\
     -d '{{\"health\":\"up\",\"load\":0,\"drained\":true}}'  -> the dig answers n9, 203.0.113.65)",
        zone = router.zone,
        ops = router.ops,
        dns_ip = dns.ip(),
        dns_port = dns.port(),
        agg = aggregator,
    )
}
