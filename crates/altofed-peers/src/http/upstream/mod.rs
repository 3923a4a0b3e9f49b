//! Following every map resource of one ALTO server, as `altofed mirror`
//! does: the IRD, the network map, every cost map and every property map,
//! each by conditional GET (the pieces of [`crate::HttpPeer`]: `get`, the
//! parser, the IRD resolution, the limits), and the server's RFC 8895
//! update stream as the signal to pull again ([`StreamSession`]).
//!
//! The documents are always the GET bodies, parsed exactly as a pull of a
//! peer parses them, never rebuilt from patches: a mirror republishes what
//! it parsed, so what it parsed must be the upstream's own document. Each
//! body's content tag (SHA-256, [`altofed_model::content_tag`]) and ETag
//! are kept so that the caller can check its own bodies against them.

mod generation;
mod resources;
mod stream;

pub use generation::parse_generation;
pub use resources::{plan, MapKind, MapResource, Plan};
pub use stream::{StreamNews, StreamSession};

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use altofed_core::config::HttpOptions;
use altofed_model::{
    content_tag, media, CostTableDoc, DirectoryDoc, NetworkMapDoc, PropertyMapDoc,
};
use reqwest::Url;

use super::error::{FetchError, HttpPeerError, Target};
use super::fetch::parse;
use super::get::{get, Got, Limits};

/// How the upstream is named in errors and logs.
const NAME: &str = "upstream";

/// One map as parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum MapDoc {
    Network(Arc<NetworkMapDoc>),
    Cost(Arc<CostTableDoc>),
    Property(Arc<PropertyMapDoc>),
}

/// A map of the upstream as last pulled.
#[derive(Debug, Clone, PartialEq)]
pub struct PulledMap {
    pub id: String,
    pub url: Url,
    pub doc: MapDoc,
    /// The upstream's `ETag` header, as sent (quotes included).
    pub etag: Option<String>,
    /// [`content_tag`] of the identity body.
    pub digest: String,
}

/// Every map of the upstream at one pull, in [`Plan`] order (the network
/// map first).
#[derive(Debug, Clone, PartialEq)]
pub struct UpstreamSet {
    pub maps: Vec<PulledMap>,
    /// [`content_tag`] of the IRD's body, and its ETag.
    pub ird_digest: String,
    pub ird_etag: Option<String>,
    /// The update stream covering every map, if the IRD offers one.
    pub stream: Option<Url>,
}

impl UpstreamSet {
    /// Whether `other` holds the same bodies (by content tag) from the
    /// same URLs: cheap where comparing documents would read every cost.
    fn same_bodies(&self, other: &UpstreamSet) -> bool {
        let key = |m: &PulledMap| (m.id.clone(), m.url.clone(), m.digest.clone());
        self.ird_digest == other.ird_digest
            && self.stream == other.stream
            && self.maps.iter().map(key).eq(other.maps.iter().map(key))
    }
}

/// The IRD as last read.
#[derive(Debug, Clone)]
struct HeldIrd {
    etag: Option<String>,
    digest: String,
    doc: Arc<DirectoryDoc>,
    base: Url,
}

/// The client of one upstream ALTO server.
#[derive(Debug)]
pub struct Upstream {
    ird_url: Url,
    client: reqwest::Client,
    options: HttpOptions,
    ird: Option<HeldIrd>,
    /// The last set returned by [`Upstream::pull`].
    held: Option<UpstreamSet>,
}

impl Upstream {
    /// A client of the server whose IRD is at `ird_url`, with the options
    /// of an aggregator's HTTP peer (timeouts, `max-bytes`, credentials,
    /// CA file relative to `base_dir`).
    pub fn new(
        ird_url: Url,
        options: &HttpOptions,
        base_dir: &Path,
    ) -> Result<Self, HttpPeerError> {
        if !matches!(ird_url.scheme(), "http" | "https") {
            return Err(HttpPeerError::Scheme {
                peer: NAME.to_owned(),
                url: ird_url,
            });
        }
        Ok(Self {
            client: super::client::build(NAME, options, base_dir)?,
            ird_url,
            options: options.clone(),
            ird: None,
            held: None,
        })
    }

    pub fn ird_url(&self) -> &Url {
        &self.ird_url
    }

    pub fn options(&self) -> &HttpOptions {
        &self.options
    }

    /// The set last pulled, if any.
    pub fn held(&self) -> Option<&UpstreamSet> {
        self.held.as_ref()
    }

    /// Forgets every ETag and document, so that the next pull GETs every
    /// resource whole (after the caller refused what the last one gave).
    pub fn forget(&mut self) {
        self.ird = None;
        self.held = None;
    }

    fn limits(&self) -> Limits {
        Limits {
            timeout: self.options.timeout,
            max_bytes: self.options.max_bytes,
            credentials: self.options.basic_user.is_some() || self.options.bearer_token.is_some(),
        }
    }

    /// Pulls the IRD and every map, each conditionally. `None` when
    /// nothing changed since the last pull; on error nothing held changes.
    pub async fn pull(&mut self) -> Result<Option<UpstreamSet>, FetchError> {
        let ird = self.pull_ird().await?;
        let plan = plan(&ird.doc, &ird.base).map_err(|reason| FetchError::Directory {
            peer: NAME.to_owned(),
            url: Box::new(self.ird_url.clone()),
            reason,
        })?;
        let mut maps = Vec::with_capacity(plan.maps.len());
        for resource in &plan.maps {
            maps.push(self.pull_map(resource).await?);
        }
        let set = UpstreamSet {
            maps,
            ird_digest: ird.digest.clone(),
            ird_etag: ird.etag.clone(),
            stream: plan.stream,
        };
        self.ird = Some(ird);
        if self
            .held
            .as_ref()
            .is_some_and(|held| held.same_bodies(&set))
        {
            // Kept for the ETags, which may have changed with the bodies not.
            self.held = Some(set);
            return Ok(None);
        }
        self.held = Some(set.clone());
        Ok(Some(set))
    }

    async fn pull_ird(&self) -> Result<HeldIrd, FetchError> {
        let url = &self.ird_url;
        let target = target(url);
        let etag = self.ird.as_ref().and_then(|i| i.etag.as_deref());
        match get(&self.client, target, media::DIRECTORY, etag, self.limits()).await? {
            Got::NotModified => self
                .ird
                .clone()
                .ok_or_else(|| target.transport("304 Not Modified, but no IRD is held")),
            Got::Body { bytes, etag, url } => {
                let digest = content_tag(&bytes);
                let doc: DirectoryDoc = parse(bytes, target, "IRD").await?;
                Ok(HeldIrd {
                    etag,
                    digest,
                    doc: Arc::new(doc),
                    base: url,
                })
            }
        }
    }

    /// GETs one map, conditionally when the held one came from its URL.
    async fn pull_map(&self, resource: &MapResource) -> Result<PulledMap, FetchError> {
        let held = self.held.as_ref().and_then(|s| {
            s.maps
                .iter()
                .find(|m| m.id == resource.id && m.url == resource.url)
        });
        let target = target(&resource.url);
        let etag = held.and_then(|m| m.etag.as_deref());
        let media_type = resource.kind.media_type();
        match get(&self.client, target, media_type, etag, self.limits()).await? {
            Got::NotModified => held.cloned().ok_or_else(|| {
                target.transport(format!(
                    "304 Not Modified, but no {} is held",
                    resource.kind.what()
                ))
            }),
            Got::Body { bytes, etag, .. } => {
                let digest = content_tag(&bytes);
                let what = resource.kind.what();
                let doc = match resource.kind {
                    MapKind::Network => {
                        MapDoc::Network(Arc::new(parse(bytes, target, what).await?))
                    }
                    MapKind::Cost => MapDoc::Cost(Arc::new(parse(bytes, target, what).await?)),
                    MapKind::Property => {
                        MapDoc::Property(Arc::new(parse(bytes, target, what).await?))
                    }
                };
                Ok(PulledMap {
                    id: resource.id.clone(),
                    url: resource.url.clone(),
                    doc,
                    etag,
                    digest,
                })
            }
        }
    }

    /// The vtag tag of each held map that has one, by resource id: what a
    /// stream subscription names so that current maps are not sent again.
    pub fn held_tags(&self) -> BTreeMap<String, String> {
        let maps = self.held.iter().flat_map(|s| &s.maps);
        maps.filter_map(|m| {
            let vtag = match &m.doc {
                MapDoc::Network(d) => Some(&d.meta.vtag),
                MapDoc::Cost(d) => d.meta.vtag.as_ref(),
                MapDoc::Property(_) => None,
            }?;
            (vtag.resource_id == m.id).then(|| (m.id.clone(), vtag.tag.clone()))
        })
        .collect()
    }
}

fn target(url: &Url) -> Target<'_> {
    Target {
        peer: NAME,
        method: "GET",
        url,
    }
}
