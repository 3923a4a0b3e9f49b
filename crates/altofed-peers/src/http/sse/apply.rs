//! The documents an update stream keeps current: each as JSON (what
//! patches apply to) and typed (what is checked and handed on). Full
//! replacements, JSON merge patches (RFC 7396) and JSON patches (RFC 6902)
//! are applied, then the document is read again into its type, liberally
//! and with errors naming the key, exactly as a fetched one.

use altofed_core::peer::PeerMaps;
use altofed_model::media;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::http::error::{FetchError, Target};

/// How an update event changes a document (RFC 8895 §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Full,
    MergePatch,
    JsonPatch,
}

impl Change {
    /// The change an event of `event_type` makes to a resource of
    /// `media_type`, or `None` for a type we do not apply.
    pub fn of(event_type: &str, media_type: &str) -> Option<Self> {
        if event_type.eq_ignore_ascii_case(media_type) {
            Some(Change::Full)
        } else if event_type.eq_ignore_ascii_case(media::MERGE_PATCH) {
            Some(Change::MergePatch)
        } else if event_type.eq_ignore_ascii_case(media::JSON_PATCH) {
            Some(Change::JsonPatch)
        } else {
            None
        }
    }

    /// The metric label.
    pub fn label(self) -> &'static str {
        match self {
            Change::Full => "full",
            Change::MergePatch => "merge_patch",
            Change::JsonPatch => "json_patch",
        }
    }
}

/// One document of the stream.
#[derive(Debug)]
pub(crate) struct Slot<T> {
    value: Value,
    pub doc: T,
    pub media_type: &'static str,
    what: &'static str,
}

impl<T: Serialize + DeserializeOwned + Clone> Slot<T> {
    /// Starts from a held document.
    pub fn new(
        doc: &T,
        media_type: &'static str,
        what: &'static str,
        target: Target<'_>,
    ) -> Result<Self, FetchError> {
        let value = serde_json::to_value(doc)
            .map_err(|e| target.transport(format!("cannot hold the {what} as JSON: {e}")))?;
        Ok(Self {
            value,
            doc: doc.clone(),
            media_type,
            what,
        })
    }

    /// Applies one event's data. After an error the slot is not to be
    /// used again (the stream it belongs to is given up).
    pub fn apply(
        &mut self,
        change: Change,
        data: &[u8],
        target: Target<'_>,
    ) -> Result<(), FetchError> {
        let syntax = |e: serde_json::Error| (".".to_owned(), e.to_string());
        match change {
            Change::Full => {
                self.value = serde_json::from_slice(data)
                    .map_err(|e| target.malformed(self.what, syntax(e)))?;
            }
            Change::MergePatch => {
                let patch: Value = serde_json::from_slice(data)
                    .map_err(|e| target.malformed("JSON merge patch", syntax(e)))?;
                json_patch::merge(&mut self.value, &patch);
            }
            Change::JsonPatch => {
                let patch: Value = serde_json::from_slice(data)
                    .map_err(|e| target.malformed("JSON patch", syntax(e)))?;
                let patch: json_patch::Patch =
                    parse_value(&patch).map_err(|e| target.malformed("JSON patch", e))?;
                json_patch::patch(&mut self.value, &patch).map_err(|e| {
                    target.malformed("JSON patch", (format!("[{}]", e.operation), e.to_string()))
                })?;
            }
        }
        self.doc = parse_value(&self.value).map_err(|e| target.malformed(self.what, e))?;
        Ok(())
    }
}

/// Reads a typed document from JSON; on failure the JSON path of the
/// offending key (`.` for the top level) and the reason.
fn parse_value<T: DeserializeOwned>(value: &Value) -> Result<T, (String, String)> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let key = e.path().to_string();
        (key, e.into_inner().to_string())
    })
}

/// The network map, the cost map and, when it is in the stream, the
/// property map.
#[derive(Debug)]
pub(crate) struct Docs {
    pub net: Slot<altofed_model::NetworkMapDoc>,
    pub cost: Slot<altofed_model::CostMapDoc>,
    pub prop: Option<Slot<altofed_model::PropertyMapDoc>>,
    /// The property map when it is not in the stream (kept as fetched).
    pub fixed_prop: Option<altofed_model::PropertyMapDoc>,
}

impl Docs {
    /// Whether the cost map is for the network map version held (RFC 8895
    /// §9.2): until it is, a new network map waits for its cost map.
    pub fn consistent(&self) -> bool {
        self.cost.doc.meta.dependent_vtags.first() == Some(&self.net.doc.meta.vtag)
    }

    fn property_map(&self) -> Option<&altofed_model::PropertyMapDoc> {
        match &self.prop {
            Some(slot) => Some(&slot.doc),
            None => self.fixed_prop.as_ref(),
        }
    }

    /// Whether these documents differ from `maps`.
    pub fn differ_from(&self, maps: &PeerMaps) -> bool {
        self.net.doc != maps.network_map
            || self.cost.doc != maps.cost_map
            || self.property_map() != maps.property_map.as_ref()
    }

    pub fn to_maps(&self) -> PeerMaps {
        PeerMaps {
            network_map: self.net.doc.clone(),
            cost_map: self.cost.doc.clone(),
            property_map: self.property_map().cloned(),
        }
    }
}
