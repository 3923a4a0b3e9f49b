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

    /// Applies one event's data, on a blocking thread (documents may be
    /// large). After an error the slot is not to be used again (the
    /// stream it belongs to is given up).
    pub async fn apply(
        &mut self,
        change: Change,
        data: Vec<u8>,
        target: Target<'_>,
    ) -> Result<(), FetchError>
    where
        T: Send + 'static,
    {
        let mut value = std::mem::take(&mut self.value);
        let what = self.what;
        let (value, doc) = tokio::task::spawn_blocking(move || {
            let doc = change_value(&mut value, change, &data, what)
                .and_then(|()| parse_value::<T>(&value).map_err(|e| (what, e)));
            (value, doc)
        })
        .await
        .map_err(|e| target.transport(format!("applying an update failed: {e}")))?;
        self.value = value;
        self.doc = doc.map_err(|(what, e)| target.malformed(what, e))?;
        Ok(())
    }
}

/// The error of [`change_value`]: what was not valid, the key, the reason.
type ChangeError = (&'static str, (String, String));

/// Applies a full replacement or a patch to `value`.
fn change_value(
    value: &mut Value,
    change: Change,
    data: &[u8],
    what: &'static str,
) -> Result<(), ChangeError> {
    let syntax = |what, e: serde_json::Error| (what, (".".to_owned(), e.to_string()));
    match change {
        Change::Full => *value = serde_json::from_slice(data).map_err(|e| syntax(what, e))?,
        Change::MergePatch => {
            let patch: Value =
                serde_json::from_slice(data).map_err(|e| syntax("JSON merge patch", e))?;
            json_patch::merge(value, &patch);
        }
        Change::JsonPatch => {
            let patch: Value = serde_json::from_slice(data).map_err(|e| syntax("JSON patch", e))?;
            let patch: json_patch::Patch = parse_value(&patch).map_err(|e| ("JSON patch", e))?;
            json_patch::patch(value, &patch)
                .map_err(|e| ("JSON patch", (format!("[{}]", e.operation), e.to_string())))?;
        }
    }
    Ok(())
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
    pub cost: Slot<altofed_model::CostTableDoc>,
    pub prop: Option<Slot<altofed_model::PropertyMapDoc>>,
    /// The property map when it is not in the stream (kept as fetched).
    pub fixed_prop: Option<altofed_model::PropertyMapDoc>,
}

impl Docs {
    /// Starts from the held maps; the property map is in the stream or
    /// kept as it is.
    pub fn from_held(
        held: &PeerMaps,
        prop_in_stream: bool,
        target: Target<'_>,
    ) -> Result<Self, FetchError> {
        let (prop, fixed_prop) = match (&held.property_map, prop_in_stream) {
            (Some(doc), true) => (
                Some(Slot::new(doc, media::PROPERTY_MAP, "property map", target)?),
                None,
            ),
            (doc, _) => (None, doc.clone()),
        };
        Ok(Docs {
            net: Slot::new(&held.network_map, media::NETWORK_MAP, "network map", target)?,
            cost: Slot::new(&held.cost_map, media::COST_MAP, "cost map", target)?,
            prop,
            fixed_prop,
        })
    }

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
