//! One pull of a peer: the IRD (and the IRDs it delegates to, when the
//! root one does not name everything), then the network map, the cost map
//! and the property map, each by conditional GET. A map whose ETag still
//! matches (304), a network map with the same vtag, or a document equal to
//! the one held counts as unchanged. New maps are checked together before
//! they replace the held ones; until then nothing held changes (not even
//! the ETags), so a rejected version is fetched again next time.

use std::collections::HashMap;
use std::sync::Arc;

use altofed_core::peer::PeerMaps;
use altofed_model::{media, CostTableDoc, NetworkMapDoc, PropertyMapDoc};
use reqwest::Url;
use serde::de::DeserializeOwned;

use super::directory::{Chosen, Selection};
use super::error::{FetchError, Target};
use super::get::{get, Got, Limits};
use super::ird::CachedIrd;
use super::{Fetched, HttpPeer};
use crate::parse_document;

/// Bodies at least this large are parsed on a blocking thread.
const PARSE_INLINE_LIMIT: usize = 1 << 20;

/// What an [`HttpPeer`] holds between pulls.
#[derive(Debug, Default)]
pub(crate) struct Held {
    /// The last good maps.
    pub maps: Option<Arc<PeerMaps>>,
    /// The resources they came from.
    pub selection: Option<Selection>,
    /// Each IRD read, by the URL asked for.
    pub irds: HashMap<Url, CachedIrd>,
    /// The network map last taken for want of a default (logged once).
    pub only_net: Option<String>,
    etags: Etags,
}

impl Held {
    /// Forgets the maps' ETags: after maps were changed by an update
    /// stream, a 304 for an older ETag must not bring back older maps.
    pub fn forget_etags(&mut self) {
        self.etags = Etags::default();
    }
}

/// The ETag of each held map and the URL it belongs to.
#[derive(Debug, Default, Clone)]
struct Etags {
    net: Option<(Url, String)>,
    cost: Option<(Url, String)>,
    prop: Option<(Url, String)>,
}

/// One map as pulled: `None` for 304, and the ETag to keep.
struct Pulled<T> {
    doc: Option<T>,
    etag: Option<(Url, String)>,
}

impl HttpPeer {
    /// Pulls the peer once. `Updated` maps are also kept as the last good
    /// maps ([`HttpPeer::maps`]); on error those stay as they were. A
    /// failure is counted, and logged at DEBUG only: whoever gets the
    /// error reports it (the engine logs one WARN per failed pull of a
    /// watched peer; `check` and `compute` print it).
    pub async fn fetch(&mut self) -> Result<Fetched, FetchError> {
        Ok(match self.pull().await? {
            Some(maps) => Fetched::Updated(PeerMaps::clone(&maps)),
            None => Fetched::Unchanged,
        })
    }

    /// [`HttpPeer::fetch`] without copying the maps: `None` if unchanged.
    pub(crate) async fn pull(&mut self) -> Result<Option<Arc<PeerMaps>>, FetchError> {
        let result = self.pull_maps().await;
        match &result {
            Ok(maps) => {
                let label = if maps.is_some() { "ok" } else { "unchanged" };
                self.metrics.fetch(&self.name, label);
                self.metrics.success(&self.name);
            }
            Err(e) => {
                self.metrics.fetch(&self.name, e.class());
                tracing::debug!(peer = %self.name, url = %e.url(), class = %e.class(), "{e}");
            }
        }
        result
    }

    pub(crate) fn limits(&self) -> Limits {
        Limits {
            timeout: self.options.timeout,
            max_bytes: self.options.max_bytes,
            credentials: self.options.basic_user.is_some() || self.options.bearer_token.is_some(),
        }
    }

    async fn pull_maps(&mut self) -> Result<Option<Arc<PeerMaps>>, FetchError> {
        let sel = self.directory().await?;
        let held = self.held.maps.clone();
        let held = held.as_deref();
        let etags = if held.is_some() {
            self.held.etags.clone()
        } else {
            Etags::default()
        };

        let net = self
            .pull_doc::<NetworkMapDoc>(&sel.net, media::NETWORK_MAP, "network map", &etags.net)
            .await?;
        let mut net_etag = net.etag;
        // The same vtag is the same network map (RFC 7285 §6.3).
        let same_net =
            |doc: &NetworkMapDoc| held.is_some_and(|h| h.network_map.meta.vtag == doc.meta.vtag);
        let mut new_net = net.doc.filter(|d| !same_net(d));

        let cost = self
            .pull_doc::<CostTableDoc>(&sel.cost, media::COST_MAP, "cost map", &etags.cost)
            .await?;
        let cost_etag = cost.etag;
        let new_cost = cost.doc.filter(|d| held.is_none_or(|h| h.cost_map != *d));

        // A cost map for another network map version: the network map may
        // have changed between the two requests, so get it once more
        // (RFC 7285 §11.2.3.6; alto-protocol.md §19.1 step 3).
        let cost_dep = new_cost
            .as_ref()
            .or(held.map(|h| &h.cost_map))
            .and_then(|c| c.meta.dependent_vtags.first());
        let net_vtag = new_net
            .as_ref()
            .or(held.map(|h| &h.network_map))
            .map(|n| &n.meta.vtag);
        if cost_dep.is_some() && cost_dep != net_vtag {
            let again = self
                .pull_doc::<NetworkMapDoc>(&sel.net, media::NETWORK_MAP, "network map", &None)
                .await?;
            net_etag = again.etag;
            new_net = again.doc.filter(|d| !same_net(d));
        }

        let (prop_changed, new_prop, prop_etag) = match &sel.prop {
            None => (held.is_some_and(|h| h.property_map.is_some()), None, None),
            Some(chosen) => {
                let prop = self
                    .pull_doc::<PropertyMapDoc>(
                        chosen,
                        media::PROPERTY_MAP,
                        "property map",
                        &etags.prop,
                    )
                    .await?;
                let new = prop
                    .doc
                    .filter(|d| held.is_none_or(|h| h.property_map.as_ref() != Some(d)));
                (new.is_some(), new, prop.etag)
            }
        };

        let etags = Etags {
            net: net_etag,
            cost: cost_etag,
            prop: prop_etag,
        };
        let unchanged = new_net.is_none() && new_cost.is_none() && !prop_changed;
        if let (true, Some(_)) = (unchanged, held) {
            self.held.etags = etags;
            self.held.selection = Some(sel);
            return Ok(None);
        }

        let missing = |what: &str, url: &Url| {
            Target {
                peer: &self.name,
                method: "GET",
                url,
            }
            .transport(format!("304 Not Modified, but no {what} is held"))
        };
        let maps = PeerMaps {
            network_map: match (new_net, held) {
                (Some(doc), _) => doc,
                (None, Some(h)) => h.network_map.clone(),
                (None, None) => return Err(missing("network map", &sel.net.url)),
            },
            cost_map: match (new_cost, held) {
                (Some(doc), _) => doc,
                (None, Some(h)) => h.cost_map.clone(),
                (None, None) => return Err(missing("cost map", &sel.cost.url)),
            },
            property_map: if prop_changed {
                new_prop
            } else {
                held.and_then(|h| h.property_map.clone())
            },
        };
        maps.check(&self.name)
            .map_err(|error| FetchError::Inconsistent {
                url: Box::new(sel.cost.url.clone()),
                error,
            })?;
        let maps = Arc::new(maps);
        self.held.maps = Some(maps.clone());
        self.held.etags = etags;
        self.held.selection = Some(sel);
        Ok(Some(maps))
    }

    /// GETs one map, conditionally when `held_etag` is for its URL.
    async fn pull_doc<T: DeserializeOwned + Send + 'static>(
        &self,
        chosen: &Chosen,
        media_type: &'static str,
        what: &'static str,
        held_etag: &Option<(Url, String)>,
    ) -> Result<Pulled<T>, FetchError> {
        let etag = held_etag
            .as_ref()
            .filter(|(url, _)| *url == chosen.url)
            .map(|(_, etag)| etag.as_str());
        let target = Target {
            peer: &self.name,
            method: "GET",
            url: &chosen.url,
        };
        match get(&self.client, target, media_type, etag, self.limits()).await? {
            Got::NotModified => Ok(Pulled {
                doc: None,
                etag: held_etag.clone(),
            }),
            Got::Body { bytes, etag, .. } => Ok(Pulled {
                doc: Some(parse(bytes, target, what).await?),
                etag: etag.map(|e| (chosen.url.clone(), e)),
            }),
        }
    }
}

/// Parses a document (large ones on a blocking thread); errors name the
/// JSON key.
pub(super) async fn parse<T: DeserializeOwned + Send + 'static>(
    bytes: Vec<u8>,
    target: Target<'_>,
    what: &'static str,
) -> Result<T, FetchError> {
    let parsed = if bytes.len() < PARSE_INLINE_LIMIT {
        parse_document(&bytes)
    } else {
        tokio::task::spawn_blocking(move || parse_document(&bytes))
            .await
            .map_err(|e| target.transport(format!("parsing the {what} failed: {e}")))?
    };
    parsed.map_err(|e| target.malformed(what, e))
}
