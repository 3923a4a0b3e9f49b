//! Network map and property map patches from the typed documents: the two
//! versions' maps are walked together by key (both are sorted maps), equal
//! rows are skipped with a typed comparison, and only changed rows are
//! written, with the same serde serialization the GET body uses. These
//! maps are a few MB at most (the cost maps are the big documents), so they
//! are diffed on one thread.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use altofed_model::{EndpointAddrGroup, NetworkMapDoc, Properties, PropertyMapDoc};
use serde::Serialize;
use serde_json::Value;

use super::super::patch::{merge_diff, writable};
use super::doc::DocPatch;
use super::text::{Budget, Frag, RowPatch, Want};

/// A network map's patches: per PID, per address type (the prefix lists
/// are arrays, replaced whole, RFC 7396 §2).
pub(super) fn network_map_patch(
    old: &NetworkMapDoc,
    new: &NetworkMapDoc,
    budget: &Budget,
) -> DocPatch {
    const MEMBER: &str = "network-map";
    let mut patch = DocPatch::new(MEMBER, &old.meta, &new.meta);
    patch.rows = walk(
        &old.network_map,
        &new.network_map,
        budget,
        |want, key, old, new| row_frag(MEMBER, want, key, old, new, group_entries),
    );
    patch
}

/// A property map's patches: per entity, per property. A property set to
/// `null` (which blocks inheritance, RFC 9240 §6.1.3) cannot be written by
/// a merge patch.
pub(super) fn property_map_patch(
    old: &PropertyMapDoc,
    new: &PropertyMapDoc,
    budget: &Budget,
) -> DocPatch {
    const MEMBER: &str = "property-map";
    let mut patch = DocPatch::new(MEMBER, &old.meta, &new.meta);
    patch.rows = walk(
        &old.property_map,
        &new.property_map,
        budget,
        |want, key, old, new| row_frag(MEMBER, want, key, old, new, property_entries),
    );
    patch
}

/// The frags of the rows that differ, in key order, while `budget` lasts.
fn walk<V>(
    old: &BTreeMap<String, V>,
    new: &BTreeMap<String, V>,
    budget: &Budget,
    mut frag: impl FnMut(Want, &str, Option<&V>, Option<&V>) -> Option<Frag>,
) -> Vec<Frag> {
    let mut frags = Vec::new();
    let (mut olds, mut news) = (old.iter().peekable(), new.iter().peekable());
    while !budget.done() {
        let order = match (olds.peek(), news.peek()) {
            (Some((ok, _)), Some((nk, _))) => ok.cmp(nk),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => break,
        };
        let (o, n) = match order {
            Ordering::Less => (olds.next(), None),
            Ordering::Greater => (None, news.next()),
            Ordering::Equal => (olds.next(), news.next()),
        };
        let Some(key) = n.or(o).map(|(k, _)| k) else {
            break;
        };
        if let Some(f) = frag(budget.want(), key, o.map(|(_, v)| v), n.map(|(_, v)| v)) {
            budget.spend(&f);
            frags.push(f);
        }
    }
    frags
}

/// One row's frag: removed, added whole, or changed entry by entry
/// (`entries`).
fn row_frag<V: Serialize>(
    member: &str,
    want: Want,
    key: &str,
    old: Option<&V>,
    new: Option<&V>,
    entries: fn(&mut RowPatch<'_>, &V, &V),
) -> Option<Frag> {
    match (old, new) {
        (Some(_), None) => Some(Frag::removed(want, member, key)),
        (None, Some(new)) => {
            let value = to_text(new);
            let whole = serde_json::to_value(new).unwrap_or(Value::Null);
            Some(Frag::added(want, member, key, &value, writable(&whole)))
        }
        (Some(old), Some(new)) => {
            // Rows are compared by their entries' functions, exactly.
            let mut row = RowPatch::new(want, member, key);
            entries(&mut row, old, new);
            row.changed().then(|| row.finish())
        }
        (None, None) => None,
    }
}

/// An address type that is absent is an empty list, not written out.
fn group_entries(row: &mut RowPatch<'_>, old: &EndpointAddrGroup, new: &EndpointAddrGroup) {
    fn one<T: Serialize + PartialEq>(row: &mut RowPatch<'_>, name: &str, old: &[T], new: &[T]) {
        if old == new {
            return;
        }
        if new.is_empty() {
            row.remove(name);
        } else {
            let value = to_text(&new);
            row.set(name, !old.is_empty(), Some(&value), &value);
        }
    }
    one(row, "ipv4", &old.ipv4, &new.ipv4);
    one(row, "ipv6", &old.ipv6, &new.ipv6);
}

/// Properties of one entity.
fn property_entries(row: &mut RowPatch<'_>, old: &Properties, new: &Properties) {
    for (name, value) in new {
        let previous = old.get(name);
        if previous.is_some_and(|p| same(p, value)) {
            continue;
        }
        let text = to_text(value);
        // A changed object is merged into the old one, so the merge patch
        // writes its diff; anything else is assigned.
        let merge = match previous {
            Some(p @ Value::Object(_)) if value.is_object() => {
                merge_diff(p, value).map(|d| to_text(&d))
            }
            _ => writable(value).then(|| text.clone()),
        };
        row.set(name, previous.is_some(), merge.as_deref(), &text);
    }
    for name in old.keys().filter(|k| !new.contains_key(k)) {
        row.remove(name);
    }
}

/// Equal, with numbers compared by their bits: `0.0 == -0.0`, but the
/// body writes them differently.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(fx), Some(fy)) if x.is_f64() || y.is_f64() => {
                x.is_f64() == y.is_f64() && fx.to_bits() == fy.to_bits()
            }
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
        }
        _ => a == b,
    }
}

/// serde_json's text of a part of the document: what the body holds there.
fn to_text(value: &impl Serialize) -> Vec<u8> {
    // Our model types and JSON values always serialize.
    serde_json::to_vec(value).unwrap_or_default()
}
