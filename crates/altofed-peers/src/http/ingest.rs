//! Synchronous entry points into what the client does with a peer's
//! answers, for the fuzz targets (crates/altofed-fuzz): the same functions
//! a pull or a subscription calls, without IO. Documents themselves are
//! parsed with [`crate::parse_document`], as [`crate::HttpPeer`] does.

use altofed_core::config::HttpOptions;
use altofed_core::peer::PeerMaps;
use altofed_model::DirectoryDoc;
use reqwest::Url;

use super::directory::{collect, select};

/// The resources a pull would take from one IRD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub network_map: String,
    pub cost_map: String,
    pub property_map: Option<String>,
    /// The update stream and, per resource it covers, whether its patches
    /// are ones the client applies.
    pub update_stream: Option<(String, Vec<(String, bool)>)>,
}

/// Resolves `ird` (fetched from `base`) and chooses its resources as a pull
/// does, without following delegated IRDs: returns the choice (or why none
/// fits) and the URLs of the IRDs it delegates to.
pub fn choose_from_ird(
    ird: &DirectoryDoc,
    base: &Url,
    options: &HttpOptions,
) -> (Result<Choice, String>, Vec<Url>) {
    let mut resources = std::collections::BTreeMap::new();
    let delegated = collect(ird, base, &mut resources);
    let default = ird.meta.default_alto_network_map.as_deref();
    let choice = select(default, &resources, options).map(|s| Choice {
        network_map: s.net.id,
        cost_map: s.cost.id,
        property_map: s.prop.map(|p| p.id),
        update_stream: s.stream.map(|offer| {
            let patches = offer
                .uses
                .iter()
                .map(|id| (id.clone(), offer.patches_supported(id)))
                .collect();
            (offer.id, patches)
        }),
    });
    (choice, delegated)
}

/// Feeds the raw bytes of an RFC 8895 update stream, in `chunks`, to a
/// subscription holding `held` (the property map a substream if
/// `with_prop`): events are parsed, routed, applied as full replacements or
/// patches and the resulting maps checked, as a live subscription does.
/// Returns the last maps it would hand on, or why the session would end.
pub fn replay_update_stream<'a>(
    held: &PeerMaps,
    with_prop: bool,
    chunks: impl IntoIterator<Item = &'a [u8]>,
    limit: usize,
) -> Result<Option<PeerMaps>, String> {
    super::sse::replay(held, with_prop, chunks, limit)
}
