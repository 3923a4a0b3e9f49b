//! Choosing a peer's resources from its IRD (RFC 7285 §9.2): URIs resolved
//! against the IRD's URL (RFC 3986 §5), the network map (configured, else
//! `default-alto-network-map`, else the only one offered), the numerical
//! cost map of the configured metric that uses it, a property map that
//! uses it, and an RFC 8895 update stream covering both maps.

use std::collections::BTreeMap;

use altofed_core::config::HttpOptions;
use altofed_model::ird::{DirectoryDoc, IrdEntry};
use altofed_model::{media, CostMode, CostType};
use reqwest::Url;

/// A resource of one of the peer's IRDs, its URI resolved.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub entry: IrdEntry,
    pub url: Url,
    /// The entry's `cost-type-names`, looked up in its own IRD's
    /// `meta.cost-types` (names are local to an IRD, RFC 7285 §9.2.2).
    pub cost_types: Vec<CostType>,
}

/// A chosen GET resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chosen {
    pub id: String,
    pub url: Url,
}

/// An update stream that covers the chosen network and cost maps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StreamOffer {
    pub id: String,
    pub url: Url,
    /// The stream's `uses`.
    pub uses: Vec<String>,
    /// ResourceID -> comma-separated patch media types (RFC 8895 §6.3).
    pub patches: BTreeMap<String, String>,
}

impl StreamOffer {
    /// Whether every patch type announced for `id` is one we apply
    /// (otherwise ask for full replacements only, RFC 8895 §6.5).
    pub fn patches_supported(&self, id: &str) -> bool {
        self.patches.get(id).is_none_or(|types| {
            types.split(',').map(str::trim).all(|t| {
                t.is_empty()
                    || t.eq_ignore_ascii_case(media::MERGE_PATCH)
                    || t.eq_ignore_ascii_case(media::JSON_PATCH)
            })
        })
    }
}

/// What is pulled from the peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Selection {
    pub net: Chosen,
    pub cost: Chosen,
    pub prop: Option<Chosen>,
    pub stream: Option<StreamOffer>,
}

/// Adds the entries of `doc` (fetched from `base`) that are not defined
/// yet, and returns the URLs of the IRDs it delegates to (RFC 7285 §9.2.4).
/// Entries whose URI does not resolve to http(s) are skipped.
pub(crate) fn collect(
    doc: &DirectoryDoc,
    base: &Url,
    into: &mut BTreeMap<String, Resolved>,
) -> Vec<Url> {
    let mut delegated = Vec::new();
    for (id, entry) in &doc.resources {
        let Ok(url) = base.join(&entry.uri) else {
            tracing::debug!(resource = %id, uri = %entry.uri, "IRD entry with an unusable URI skipped");
            continue;
        };
        if !matches!(url.scheme(), "http" | "https") {
            continue;
        }
        if entry.media_type == media::DIRECTORY && !entry.is_post() {
            delegated.push(url);
            continue;
        }
        if into.contains_key(id) {
            continue;
        }
        let cost_types = entry
            .capabilities
            .as_ref()
            .and_then(|c| c.cost_type_names.as_ref())
            .into_iter()
            .flatten()
            .filter_map(|name| doc.meta.cost_types.get(name).cloned())
            .collect();
        into.insert(
            id.clone(),
            Resolved {
                entry: entry.clone(),
                url,
                cost_types,
            },
        );
    }
    delegated
}

/// The network map to pull: the configured one, else the IRD's default,
/// else the only GET network map of the IRDs read (openalto's IRDs name no
/// default). With none or several, why none can be chosen.
fn network_map_id(
    default_network_map: Option<&str>,
    resources: &BTreeMap<String, Resolved>,
    options: &HttpOptions,
) -> Result<String, String> {
    if let Some(id) = options.network_map.as_deref().or(default_network_map) {
        return Ok(id.to_owned());
    }
    let maps: Vec<&str> = resources
        .iter()
        .filter(|(_, r)| r.entry.media_type == media::NETWORK_MAP && !r.entry.is_post())
        .map(|(id, _)| id.as_str())
        .collect();
    let unnamed = "no network map configured and no `default-alto-network-map` in the IRD";
    match maps[..] {
        [only] => Ok(only.to_owned()),
        [] => Err(format!("{unnamed}, and no GET network map in it")),
        _ => {
            Err(format!(
            "{unnamed}, which offers {} network maps: {}; set peer.http.network-map to one of them",
            maps.len(),
            maps.iter().map(|id| format!("`{id}`")).collect::<Vec<_>>().join(", ")
        ))
        }
    }
}

/// Chooses the resources, or says why none fit.
pub(crate) fn select(
    default_network_map: Option<&str>,
    resources: &BTreeMap<String, Resolved>,
    options: &HttpOptions,
) -> Result<Selection, String> {
    let get_of = |id: &str, media_type: &str| {
        resources
            .get(id)
            .filter(|r| r.entry.media_type == media_type && !r.entry.is_post())
    };
    let uses = |r: &Resolved, id: &str| r.entry.uses.iter().any(|u| u == id);

    let net_id = network_map_id(default_network_map, resources, options)?;
    let net = get_of(&net_id, media::NETWORK_MAP).ok_or_else(|| {
        format!(
            "no GET network map `{net_id}` (media type {})",
            media::NETWORK_MAP
        )
    })?;
    let net = Chosen {
        id: net_id,
        url: net.url.clone(),
    };

    let cost = match &options.cost_map {
        Some(id) => {
            let r = get_of(id, media::COST_MAP).ok_or_else(|| {
                format!("no GET cost map `{id}` (media type {})", media::COST_MAP)
            })?;
            (id.clone(), r)
        }
        None => resources
            .iter()
            .find(|(_, r)| {
                r.entry.media_type == media::COST_MAP
                    && !r.entry.is_post()
                    && uses(r, &net.id)
                    && r.cost_types.iter().any(|t| {
                        t.cost_mode == CostMode::Numerical && t.cost_metric == options.cost_metric
                    })
            })
            .map(|(id, r)| (id.clone(), r))
            .ok_or_else(|| {
                format!(
                    "no numerical `{}` GET cost map that uses network map `{}`",
                    options.cost_metric, net.id
                )
            })?,
    };
    let cost = Chosen {
        id: cost.0,
        url: cost.1.url.clone(),
    };

    let prop = match &options.property_map {
        Some(id) => {
            let r = get_of(id, media::PROPERTY_MAP).ok_or_else(|| {
                format!(
                    "no GET property map `{id}` (media type {})",
                    media::PROPERTY_MAP
                )
            })?;
            Some((id.clone(), r))
        }
        None => resources
            .iter()
            .find(|(_, r)| {
                r.entry.media_type == media::PROPERTY_MAP && !r.entry.is_post() && uses(r, &net.id)
            })
            .map(|(id, r)| (id.clone(), r)),
    };
    let prop = prop.map(|(id, r)| Chosen {
        id,
        url: r.url.clone(),
    });

    let stream = resources
        .iter()
        .find(|(_, r)| {
            r.entry.media_type == media::EVENT_STREAM
                && r.entry.is_post()
                && uses(r, &net.id)
                && uses(r, &cost.id)
        })
        .map(|(id, r)| StreamOffer {
            id: id.clone(),
            url: r.url.clone(),
            uses: r.entry.uses.clone(),
            patches: r
                .entry
                .capabilities
                .as_ref()
                .and_then(|c| c.incremental_change_media_types.clone())
                .unwrap_or_default(),
        });

    Ok(Selection {
        net,
        cost,
        prop,
        stream,
    })
}

#[cfg(test)]
mod tests;
