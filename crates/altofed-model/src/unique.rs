//! Objects whose member names must be unique.
//!
//! RFC 8259 §4 says names SHOULD be unique and leaves a repeated name's
//! meaning to the parser; serde's maps keep the last one silently. A peer's
//! map that says two different things about one PID (two address groups,
//! two rows, two property sets) is ambiguous, so it is refused with an
//! error that names the key, rather than half-read. (Struct members are
//! already refused twice by serde's derive: "duplicate field".)

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A JSON object read into a `BTreeMap`, refusing a repeated key.
#[derive(Debug)]
pub struct UniqueKeys<V>(pub BTreeMap<String, V>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for UniqueKeys<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(UniqueVisitor(PhantomData))
    }
}

struct UniqueVisitor<V>(PhantomData<V>);

impl<'de, V: Deserialize<'de>> Visitor<'de> for UniqueVisitor<V> {
    type Value = UniqueKeys<V>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            match out.entry(key) {
                Entry::Vacant(slot) => {
                    slot.insert(map.next_value()?);
                }
                Entry::Occupied(slot) => return Err(duplicate(slot.key())),
            }
        }
        Ok(UniqueKeys(out))
    }
}

/// The error for a key seen twice in one object.
pub fn duplicate<E: de::Error>(key: &str) -> E {
    E::custom(format_args!("duplicate key `{key}`"))
}

/// `#[serde(deserialize_with)]` for a `BTreeMap<String, V>`.
pub fn map<'de, D: Deserializer<'de>, V: Deserialize<'de>>(
    d: D,
) -> Result<BTreeMap<String, V>, D::Error> {
    UniqueKeys::deserialize(d).map(|u| u.0)
}

/// `#[serde(deserialize_with)]` for an object of objects, both levels unique.
pub fn nested<'de, D: Deserializer<'de>, V: Deserialize<'de>>(
    d: D,
) -> Result<BTreeMap<String, BTreeMap<String, V>>, D::Error> {
    let outer = UniqueKeys::<UniqueKeys<V>>::deserialize(d)?;
    Ok(outer.0.into_iter().map(|(k, v)| (k, v.0)).collect())
}
