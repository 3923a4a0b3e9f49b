//! `altofed demo`: the draft's Figure 5 end to end on loopback, from files
//! embedded in the binary (so it runs from anywhere). An ISP ALTO server
//! publishes `isp-a`'s maps; the aggregator pulls them over HTTP, composes
//! them with the CDN topology and serves the result; a request router
//! (`altofed route`, [`crate::demo_route`]) answers DNS and HTTP from it.

use std::net::SocketAddr;
use std::process::ExitCode;

use altofed_core::config::Config;
use altofed_core::topology::build::build_network;
use altofed_core::topology::spec::CdnSpec;
use altofed_server::{run as serve_http, AppState, Documents, ServerConfig};
use anyhow::{Context, Result};
use serde::de::DeserializeOwned;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::cli::DemoArgs;
use crate::demo_route::RouterAddrs;
use crate::serve::start_aggregator;
use crate::shutdown;

const CDN_TOML: &str = include_str!("../../../topologies/figure5/cdn.toml");
const CONFIG_TOML: &str = include_str!("../../../topologies/figure5/altofed.toml");
const ISP_NETWORK_MAP: &str = include_str!("../../../topologies/figure5/isp-a/networkmap.json");
const ISP_COST_MAP: &str = include_str!("../../../topologies/figure5/isp-a/costmap.json");
const ISP_PROPERTY_MAP: &str = include_str!("../../../topologies/figure5/isp-a/propmap.json");

pub fn run(args: &DemoArgs) -> Result<ExitCode> {
    crate::service::run(demo(args))
}

async fn demo(args: &DemoArgs) -> Result<()> {
    let isp = start_isp().await?;
    let url = format!("http://{isp}/directory");
    // The scenario's configuration, with the ISP pulled over HTTP.
    let text = CONFIG_TOML.replace(
        "dir = \"isp-a\"",
        &format!("url = \"{url}\"\nhttp = {{ poll-interval = \"2s\" }}"),
    );
    let config = Config::from_toml(&text).context("embedded configuration")?;
    let spec = CdnSpec::from_toml(CDN_TOML).context("embedded topology")?;
    let (cdn, _) = build_network(&spec, None).context("embedded topology")?;
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let (state, _triggers) =
        start_aggregator(&config, std::path::Path::new("."), cdn, None).await?;
    let aggregator = listener.local_addr()?;
    // One signal stops the router and the aggregator.
    let stop = CancellationToken::new();
    let router = crate::demo_route::start(args, aggregator, stop.clone()).await?;
    print_guide(isp, aggregator, &router);
    let on_signal = stop.clone();
    tokio::spawn(async move {
        shutdown::signal().await;
        on_signal.cancel();
    });
    serve_http(listener, state, stop.cancelled_owned())
        .await
        .context("server failed")
}

/// The ISP's ALTO server on a free loopback port.
async fn start_isp() -> Result<SocketAddr> {
    let docs = Documents {
        network_map: parse::<altofed_model::NetworkMapDoc>(ISP_NETWORK_MAP)?.into(),
        cost_maps: vec![("isp-a-routingcost".to_owned(), parse(ISP_COST_MAP)?)],
        property_maps: vec![("isp-a-propmap".to_owned(), parse(ISP_PROPERTY_MAP)?)],
    };
    let state = AppState::new(ServerConfig {
        admin_api: false,
        ..ServerConfig::default()
    });
    state.publish(docs).context("embedded ISP maps")?;
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .context("cannot listen for the ISP server")?;
    let addr = listener.local_addr()?;
    tokio::spawn(serve_http(listener, state, shutdown::signal()));
    Ok(addr)
}

fn parse<T: DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).context("embedded ISP map")
}

fn print_guide(isp: SocketAddr, aggregator: SocketAddr, router: &RouterAddrs) {
    let base = format!("http://{aggregator}");
    let ecs = "{\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"},\
        \"endpoints\":{\"srcs\":[\"ipv4:203.0.113.1\",\"ipv4:203.0.113.65\",\"ipv4:203.0.113.129\"],\
        \"dsts\":[\"ipv4:198.51.100.200\"]}}";
    crate::service::say(&format!(
        "altofed demo: draft-penno-alto-cdn Figure 5 (design.md §1)
ISP ALTO server (isp-a):   http://{isp}/directory
aggregator directory:      {base}/directory
aggregator cost map:       {base}/maps/agg-routingcost-num
aggregator network map:    {base}/maps/agg-netmap
aggregator property map:   {base}/maps/agg-propmap

Try:
  curl -s {base}/maps/agg-routingcost-num
  curl -s {base}/endpointcost -H 'Content-Type: application/alto-endpointcostparams+json' \\
    -d '{ecs}'
  curl -s {base}/metrics

{routing}
Ctrl-C stops.",
        routing = crate::demo_route::guide(router, &base),
    ));
}
