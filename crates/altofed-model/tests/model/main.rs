//! Integration tests of altofed-model, one binary with one module per topic.
#![allow(clippy::unwrap_used)]

mod cost_int;
mod costtable;
mod costtable_blocks;
mod endpoint_addr;
mod errors_msgs;
mod interop;
mod liberal;
mod lookup;
mod roundtrip_maps;
mod roundtrip_services;
mod validate_maps;
mod validate_other;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// Parses `json` as `T`, serializes it, parses that again, and checks that
/// both parses agree and that the output equals `expected` as a JSON value.
pub fn roundtrip<T>(json: &str, expected: &Value) -> T
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    let first: T = serde_json::from_str(json).unwrap();
    let out = serde_json::to_string(&first).unwrap();
    let second: T = serde_json::from_str(&out).unwrap();
    assert_eq!(first, second, "re-parse differs");
    let out: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(&out, expected, "serialized form differs");
    first
}

/// Round trip where the document is already minimal and canonical.
pub fn roundtrip_same<T>(json: &str) -> T
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    let expected: Value = serde_json::from_str(json).unwrap();
    roundtrip(json, &expected)
}
