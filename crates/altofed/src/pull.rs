//! One pull of a peer, whatever its kind: a directory, an ALTO server by
//! URL, or one found by RFC 8686 discovery. What `altofed compute` and
//! `altofed check` use; `altofed serve` watches peers instead
//! ([`crate::peers`]).

use std::net::IpAddr;

use altofed_core::config::PeerConfig;
use altofed_core::peer::PeerMaps;
use altofed_peers::discovery::{discover, Resolver};
use altofed_peers::http::HttpPeer;
use altofed_peers::{DirectorySource, Fetched, PeerSource};
use anyhow::{bail, Context, Result};

use crate::load::LoadedConfig;

/// Pulls peers once each; holds the runtime the HTTP ones need.
#[derive(Debug)]
pub struct Puller {
    runtime: tokio::runtime::Runtime,
}

impl Puller {
    pub fn new() -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        Ok(Self { runtime })
    }

    /// The peer's maps, checked to belong together.
    pub fn pull(&self, loaded: &LoadedConfig, peer: &PeerConfig) -> Result<PeerMaps> {
        let maps = match &peer.dir {
            Some(dir) => DirectorySource::new(loaded.base.join(dir))
                .fetch()
                .with_context(|| format!("peer `{}`", peer.name))?,
            None => self.runtime.block_on(pull_http(loaded, peer))?,
        };
        maps.check(&peer.name)?;
        Ok(maps)
    }
}

/// Whether the peer is pulled over the network (by URL or discovery).
pub fn is_remote(peer: &PeerConfig) -> bool {
    peer.dir.is_none()
}

async fn pull_http(loaded: &LoadedConfig, peer: &PeerConfig) -> Result<PeerMaps> {
    let url = ird_url(peer).await?;
    let mut client = HttpPeer::new(&peer.name, url, &peer.http, &loaded.base)
        .with_context(|| format!("peer `{}`", peer.name))?;
    // The peer logs its failure at DEBUG only: the error is the report,
    // in the command's output.
    match client.fetch().await? {
        Fetched::Updated(maps) => Ok(maps),
        Fetched::Unchanged => bail!("peer `{}`: no maps were fetched", peer.name),
    }
}

/// The URL of the peer's IRD: configured, or discovered from the address
/// of its first link.
pub async fn ird_url(peer: &PeerConfig) -> Result<reqwest::Url> {
    let url = match (&peer.url, peer.links.first().and_then(|l| l.address)) {
        (Some(url), _) => url.clone(),
        (None, Some(address)) => discover_ird(&peer.name, address).await?,
        (None, None) => bail!(
            "peer `{}` has neither a url nor an address to discover from",
            peer.name
        ),
    };
    reqwest::Url::parse(&url).with_context(|| format!("peer `{}`: bad url `{url}`", peer.name))
}

/// The IRD URI of the ALTO server responsible for `address` (RFC 8686).
async fn discover_ird(peer: &str, address: IpAddr) -> Result<String> {
    let resolver = Resolver::from_system_conf().with_context(|| format!("peer `{peer}`"))?;
    let found = discover(address, &resolver)
        .await
        .with_context(|| format!("peer `{peer}`"))?;
    tracing::info!(peer, uri = found.ird_uri(), at = %found.name, "discovered the ALTO server");
    Ok(found.ird_uri().to_owned())
}
