//! Incremental changes between two versions of a resource: JSON merge
//! patch (RFC 7396), JSON patch (RFC 6902) and the choice between them and
//! a full replacement (RFC 8895 §6.3, §6.5).

use serde_json::{Map, Value};

/// The RFC 7396 merge patch that turns `old` into `new`, or `None` when no
/// merge patch can: a merge patch cannot set a member to `null` (a `null`
/// deletes the member), so a change that writes a `null` member needs a
/// JSON patch or a full replacement (RFC 8895 §6.3). Arrays are replaced
/// whole; `null`s inside them are fine.
///
/// For every result, `json_patch::merge(&mut old, &patch)` yields `new`.
pub fn merge_diff(old: &Value, new: &Value) -> Option<Value> {
    match (old, new) {
        (Value::Object(old), Value::Object(new)) => {
            let mut patch = Map::new();
            for key in old.keys() {
                if !new.contains_key(key) {
                    patch.insert(key.clone(), Value::Null);
                }
            }
            for (key, value) in new {
                match old.get(key) {
                    Some(previous) if previous == value => {}
                    Some(previous) => {
                        patch.insert(key.clone(), merge_diff(previous, value)?);
                    }
                    None => {
                        patch.insert(key.clone(), replacement(value)?);
                    }
                }
            }
            Some(Value::Object(patch))
        }
        _ => replacement(new),
    }
}

/// `value` as a merge patch that writes it whole, if it has no `null`
/// object member (an object in a patch is merged, not assigned).
fn replacement(value: &Value) -> Option<Value> {
    if writable(value) {
        Some(value.clone())
    } else {
        None
    }
}

/// No `null` object member anywhere in `value`, nor `value` itself `null`.
pub(crate) fn writable(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Object(map) => map.values().all(writable),
        _ => true,
    }
}

/// How a substream wants to receive changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Updates {
    /// Merge patches, JSON patches where a merge patch cannot express the
    /// change (the default for `incremental-changes: true`).
    MergePatch,
    /// JSON patches (the altofed `patch-media-type` extension).
    JsonPatch,
    /// Full replacements only (`incremental-changes: false`).
    Full,
}
