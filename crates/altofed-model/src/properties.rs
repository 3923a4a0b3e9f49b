//! The properties of one entity in a property map (RFC 9240 §7.6).
//!
//! An entity has a handful of properties, and a property map has one entry
//! per published PID: a `BTreeMap` per entity costs a whole node (~600
//! bytes) however few entries it holds, so the properties are a vector
//! sorted by name instead. It reads like the map it replaces (`get`,
//! `insert`, iteration in name order), serializes as the same JSON object
//! and, like every object a peer sends, refuses a repeated name.

use std::fmt;
use std::ops::Index;

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use crate::unique::UniqueKeys;

/// Property name -> value, sorted by name, each name once.
#[derive(Clone, Default, PartialEq)]
pub struct Properties(Vec<(String, Value)>);

impl Properties {
    pub const fn new() -> Self {
        Self(Vec::new())
    }

    fn position(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(n, _)| n.as_str().cmp(name))
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.position(name).ok().map(|i| &self.0[i].1)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_ok()
    }

    /// Sets `name`, returning its previous value.
    pub fn insert(&mut self, name: String, value: Value) -> Option<Value> {
        match self.position(&name) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (name, value));
                None
            }
        }
    }

    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let i = self.position(name).ok()?;
        Some(self.0.remove(i).1)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// In name order, as a `BTreeMap` iterates.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&String, &Value)> + ExactSizeIterator {
        self.0.iter().map(|(n, v)| (n, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.0.iter().map(|(n, _)| n)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.0.iter().map(|(_, v)| v)
    }

    /// Sorted, the last value of a repeated name kept (as `BTreeMap`'s
    /// `collect` does), without spare capacity.
    fn from_pairs(mut pairs: Vec<(String, Value)>) -> Self {
        // Stable: among equal names the last pushed stays last.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(String, Value)> = Vec::with_capacity(pairs.len());
        for (name, value) in pairs {
            match out.last_mut() {
                Some(last) if last.0 == name => last.1 = value,
                _ => out.push((name, value)),
            }
        }
        out.shrink_to_fit();
        Self(out)
    }
}

impl fmt::Debug for Properties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl FromIterator<(String, Value)> for Properties {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        Self::from_pairs(iter.into_iter().collect())
    }
}

impl<const N: usize> From<[(String, Value); N]> for Properties {
    fn from(pairs: [(String, Value); N]) -> Self {
        Self::from_pairs(pairs.into())
    }
}

impl Extend<(String, Value)> for Properties {
    fn extend<I: IntoIterator<Item = (String, Value)>>(&mut self, iter: I) {
        for (name, value) in iter {
            self.insert(name, value);
        }
    }
}

impl IntoIterator for Properties {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Properties {
    type Item = (&'a String, &'a Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, Value)>,
        fn(&'a (String, Value)) -> (&'a String, &'a Value),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(n, v)| (n, v))
    }
}

impl Index<&str> for Properties {
    type Output = Value;

    /// Panics if `name` is absent, like `BTreeMap`'s index.
    fn index(&self, name: &str) -> &Value {
        self.get(name)
            .unwrap_or_else(|| panic!("no property `{name}`"))
    }
}

impl Serialize for Properties {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Properties {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let unique = UniqueKeys::<Value>::deserialize(d)?;
        let mut pairs: Vec<(String, Value)> = unique.0.into_iter().collect();
        pairs.shrink_to_fit();
        Ok(Self(pairs))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    fn text(s: &str) -> Value {
        Value::String(s.to_owned())
    }

    #[test]
    fn reads_and_writes_like_the_btreemap_it_replaces() {
        let pairs = [("b", 1), ("a", 2), ("c", 3), ("a", 4)].map(|(n, v)| (n.to_owned(), json!(v)));
        let props: Properties = pairs.clone().into_iter().collect();
        let map: BTreeMap<String, Value> = pairs.into_iter().collect();
        assert_eq!(
            serde_json::to_string(&props).unwrap(),
            serde_json::to_string(&map).unwrap()
        );
        assert!(props.iter().eq(map.iter()));
        assert_eq!(props.get("a"), Some(&json!(4)), "the last one wins");
        assert_eq!(props.len(), 3);
    }

    #[test]
    fn insert_keeps_the_order_and_returns_the_old_value() {
        let mut props = Properties::new();
        assert_eq!(props.insert("b".into(), text("1")), None);
        assert_eq!(props.insert("a".into(), text("2")), None);
        assert_eq!(props.insert("b".into(), text("3")), Some(text("1")));
        assert_eq!(props.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(props.remove("a"), Some(text("2")));
        assert!(!props.contains_key("a"));
        assert_eq!(props["b"], text("3"));
    }

    #[test]
    fn a_repeated_name_from_a_peer_is_refused() {
        let err = serde_json::from_str::<Properties>(r#"{"x":1,"x":2}"#).unwrap_err();
        assert!(err.to_string().contains("duplicate key `x`"), "{err}");
        let ok: Properties = serde_json::from_str(r#"{"y":null,"x":1}"#).unwrap();
        assert_eq!(serde_json::to_string(&ok).unwrap(), r#"{"x":1,"y":null}"#);
    }
}
