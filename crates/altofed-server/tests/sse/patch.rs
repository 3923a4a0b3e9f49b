//! The merge-patch diff: applying it rebuilds the new document exactly,
//! and it exists whenever the new document writes no `null` member.

use altofed_server::sse::merge_diff;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-5i64..5).prop_map(Value::from),
        "[a-c]{0,2}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[a-d]", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Whether merge patches can write `v` (no `null` object member, and not
/// `null` itself).
fn writable(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Object(m) => m.values().all(writable),
        _ => true,
    }
}

/// Objects with overlapping keys, so that diffs recurse.
fn similar_objects() -> impl Strategy<Value = (Value, Value)> {
    let object = || prop::collection::btree_map("[a-d]", json_value(), 0..5);
    (object(), object()).prop_map(|(a, b)| {
        let mut new: Map<String, Value> = a.clone().into_iter().collect();
        for (k, v) in b {
            new.insert(k, v);
        }
        (Value::Object(a.into_iter().collect()), Value::Object(new))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn merge_of_diff_is_the_new_document(old in json_value(), new in json_value()) {
        match merge_diff(&old, &new) {
            Some(patch) => {
                let mut doc = old.clone();
                json_patch::merge(&mut doc, &patch);
                prop_assert_eq!(doc, new);
            }
            None => prop_assert!(!writable(&new)),
        }
    }

    #[test]
    fn related_objects_round_trip((old, new) in similar_objects()) {
        if let Some(patch) = merge_diff(&old, &new) {
            let mut doc = old.clone();
            json_patch::merge(&mut doc, &patch);
            prop_assert_eq!(doc, new);
        } else {
            prop_assert!(!writable(&new));
        }
    }
}

#[test]
fn only_the_changes_are_sent() {
    let old =
        json!({"meta": {"vtag": {"tag": "1"}}, "cost-map": {"a": {"a": 1, "b": 2}, "b": {"a": 2}}});
    let new =
        json!({"meta": {"vtag": {"tag": "2"}}, "cost-map": {"a": {"a": 1, "b": 3}, "c": {"a": 5}}});
    let patch = json!({"meta": {"vtag": {"tag": "2"}}, "cost-map": {"a": {"b": 3}, "b": null, "c": {"a": 5}}});
    assert_eq!(merge_diff(&old, &new), Some(patch));
    // Writing a null member needs a JSON patch; a null in an array is fine.
    assert_eq!(merge_diff(&json!({"a": 1}), &json!({"a": null})), None);
    assert_eq!(
        merge_diff(&json!({"a": 1}), &json!({"a": [null]})),
        Some(json!({"a": [null]}))
    );
}
