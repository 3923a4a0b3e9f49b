//! Reading a peer's IRDs: the Root IRD, and the IRDs it delegates to
//! (breadth first) while the resources seen so far do not give a complete
//! selection; each by conditional GET, kept between pulls.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::Arc;

use altofed_model::{media, DirectoryDoc};
use reqwest::Url;

use super::directory::{collect, select, Selection};
use super::error::{FetchError, Target};
use super::fetch::parse;
use super::get::{get, Got};
use super::HttpPeer;

/// IRDs read in one pull at most (the root and those it delegates to).
const MAX_IRDS: usize = 8;

/// An IRD as last read.
#[derive(Debug, Clone)]
pub(crate) struct CachedIrd {
    etag: Option<String>,
    doc: Arc<DirectoryDoc>,
    /// The URL the IRD came from (after redirects), to resolve its URIs.
    base: Url,
}

impl HttpPeer {
    /// Reads the Root IRD, and delegated IRDs (breadth first, at most
    /// [`MAX_IRDS`] in all) only while the resources seen so far do not
    /// give a complete selection.
    pub(super) async fn directory(&mut self) -> Result<Selection, FetchError> {
        let root_url = self.ird_url.clone();
        let root = self.ird(&root_url).await?;
        let default = root.doc.meta.default_alto_network_map.clone();
        let mut resources = BTreeMap::new();
        let mut queue: VecDeque<Url> = collect(&root.doc, &root.base, &mut resources).into();
        let mut seen = HashSet::from([root_url.clone()]);
        loop {
            let reason = match select(default.as_deref(), &resources, &self.options) {
                Ok(selection) => {
                    if default.is_none() && self.options.network_map.is_none() {
                        self.note_only_network_map(&selection.net.id);
                    }
                    return Ok(selection);
                }
                Err(reason) => reason,
            };
            let next = std::iter::from_fn(|| queue.pop_front()).find(|u| !seen.contains(u));
            match next {
                Some(url) if seen.len() < MAX_IRDS => {
                    seen.insert(url.clone());
                    let ird = self.ird(&url).await?;
                    queue.extend(collect(&ird.doc, &ird.base, &mut resources));
                }
                _ => {
                    return Err(FetchError::Directory {
                        peer: self.name.clone(),
                        url: Box::new(root_url),
                        reason,
                    })
                }
            }
        }
    }

    /// Logs (once, and again if it changes) that the network map is the
    /// IRD's only one, for want of a `default-alto-network-map` (openalto
    /// sends none) or a configured `network-map`.
    fn note_only_network_map(&mut self, id: &str) {
        if self.held.only_net.as_deref() != Some(id) {
            tracing::info!(
                peer = %self.name,
                url = %self.ird_url,
                "the IRD names no default-alto-network-map; using its only network map `{id}`"
            );
            self.held.only_net = Some(id.to_owned());
        }
    }

    /// One IRD, by conditional GET.
    async fn ird(&mut self, url: &Url) -> Result<CachedIrd, FetchError> {
        let cached = self.held.irds.get(url).cloned();
        let etag = cached.as_ref().and_then(|c| c.etag.as_deref());
        let target = Target {
            peer: &self.name,
            method: "GET",
            url,
        };
        match get(&self.client, target, media::DIRECTORY, etag, self.limits()).await? {
            Got::NotModified => {
                cached.ok_or_else(|| target.transport("304 Not Modified, but no IRD is held"))
            }
            Got::Body {
                bytes,
                etag,
                url: base,
            } => {
                let doc: DirectoryDoc = parse(bytes, target, "IRD").await?;
                let ird = CachedIrd {
                    etag,
                    doc: Arc::new(doc),
                    base,
                };
                self.held.irds.insert(url.clone(), ird.clone());
                Ok(ird)
            }
        }
    }
}
