//! The documents an update stream keeps current: each as JSON (what
//! patches apply to) and typed (what is checked and handed on). Full
//! replacements, JSON merge patches (RFC 7396) and JSON patches (RFC 6902)
//! are applied, then the document is read again into its type, liberally
//! and with errors naming the key, exactly as a fetched one.

use altofed_core::peer::PeerMaps;
use altofed_model::media;
use json_patch::PatchOperation;
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
    /// The most bytes of JSON the document may grow to by patches: what
    /// the peer may send whole (`max-bytes`).
    limit: usize,
}

impl<T: Serialize + DeserializeOwned + Clone> Slot<T> {
    /// Starts from a held document; `limit` is the peer's `max-bytes`.
    pub fn new(
        doc: &T,
        media_type: &'static str,
        what: &'static str,
        limit: usize,
        target: Target<'_>,
    ) -> Result<Self, FetchError> {
        let value = serde_json::to_value(doc)
            .map_err(|e| target.transport(format!("cannot hold the {what} as JSON: {e}")))?;
        Ok(Self {
            value,
            doc: doc.clone(),
            media_type,
            what,
            limit,
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
        let (what, limit) = (self.what, self.limit);
        let (value, doc) = tokio::task::spawn_blocking(move || {
            let doc = changed(&mut value, change, &data, what, limit);
            (value, doc)
        })
        .await
        .map_err(|e| target.transport(format!("applying an update failed: {e}")))?;
        self.value = value;
        self.doc = doc.map_err(|(what, e)| target.malformed(what, e))?;
        Ok(())
    }

    /// [`Slot::apply`] on the calling thread, for callers without a
    /// runtime (the fuzz targets replay streams this way).
    pub fn apply_now(
        &mut self,
        change: Change,
        data: &[u8],
        target: Target<'_>,
    ) -> Result<(), FetchError> {
        self.doc = changed(&mut self.value, change, data, self.what, self.limit)
            .map_err(|(what, e)| target.malformed(what, e))?;
        Ok(())
    }
}

/// Applies `change` to `value` and reads the result as a `T`: the whole
/// work of one event, shared by [`Slot::apply`] and [`Slot::apply_now`].
fn changed<T: DeserializeOwned>(
    value: &mut Value,
    change: Change,
    data: &[u8],
    what: &'static str,
    limit: usize,
) -> Result<T, ChangeError> {
    change_value(value, change, data, what, limit)?;
    parse_value::<T>(value).map_err(|e| (what, e))
}

/// The error of [`change_value`]: what was not valid, the key, the reason.
type ChangeError = (&'static str, (String, String));

/// Applies a full replacement or a patch to `value`, which may grow to
/// `limit` bytes of JSON.
fn change_value(
    value: &mut Value,
    change: Change,
    data: &[u8],
    what: &'static str,
    limit: usize,
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
            json_patch_bounded(value, &patch, limit)
                .map_err(|(op, reason)| ("JSON patch", (format!("[{op}]"), reason)))?;
        }
    }
    Ok(())
}

/// Applies a JSON patch (RFC 6902), refusing one that makes the document
/// larger than `limit` bytes of JSON. Only `copy` can do that with a small
/// patch (a few dozen copies of the root double the document each time,
/// found by the `update_stream_events` fuzz target), so only patches with
/// copies are applied operation by operation, each copy weighed first; the
/// others are applied whole, as before. On error: the operation's index
/// and the reason. After an error `value` is half patched: the caller
/// drops it (the stream is given up).
fn json_patch_bounded(
    value: &mut Value,
    patch: &[PatchOperation],
    limit: usize,
) -> Result<(), (usize, String)> {
    if !patch.iter().any(|op| matches!(op, PatchOperation::Copy(_))) {
        return json_patch::patch(value, patch).map_err(|e| (e.operation, e.to_string()));
    }
    let mut size = json_len(value);
    for (i, op) in patch.iter().enumerate() {
        if let PatchOperation::Copy(copy) = op {
            size = size.saturating_add(value.pointer(copy.from.as_str()).map_or(0, json_len));
            if size > limit {
                return Err((
                    i,
                    format!(
                        "copying `{}` makes the document larger than {limit} bytes",
                        copy.from
                    ),
                ));
            }
        }
        json_patch::patch(value, std::slice::from_ref(op))
            .map_err(|e| (i, format!("failed at path '{}': {}", e.path, e.kind)))?;
    }
    Ok(())
}

/// The length of `value` as compact JSON, without writing it anywhere.
fn json_len(value: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing into a counter cannot fail; a Value always serializes.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
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
        limit: usize,
        target: Target<'_>,
    ) -> Result<Self, FetchError> {
        let (prop, fixed_prop) = match (&held.property_map, prop_in_stream) {
            (Some(doc), true) => (
                Some(Slot::new(
                    doc,
                    media::PROPERTY_MAP,
                    "property map",
                    limit,
                    target,
                )?),
                None,
            ),
            (doc, _) => (None, doc.clone()),
        };
        Ok(Docs {
            net: Slot::new(
                &held.network_map,
                media::NETWORK_MAP,
                "network map",
                limit,
                target,
            )?,
            cost: Slot::new(&held.cost_map, media::COST_MAP, "cost map", limit, target)?,
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
