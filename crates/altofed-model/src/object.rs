//! Request members that must be JSON objects. serde's derived `Deserialize`
//! for a struct also reads a JSON array positionally (`["routingcost",
//! "numerical"]` as a cost type), which RFC 7285 does not allow: a request
//! whose member should be an object and is not is `E_INVALID_FIELD_TYPE`
//! (RFC 7285 §8.5.2).
//!
//! Usage: derive `Deserialize` (and `Serialize`) with
//! `#[serde(remote = "Self")]`, which turns the derived code into inherent
//! functions, then call [`object_only!`](crate::object_only) to implement
//! the traits: `object_only!(Type)` for `Deserialize`,
//! `object_only!(Type, Serialize)` for both.

/// Implements `Deserialize` for a `#[serde(remote = "Self")]` struct so
/// that only a JSON object is read (anything else is an "invalid type"
/// error, expecting "a JSON object"), and with `Serialize` as the second
/// argument `Serialize` from the derived inherent function.
#[macro_export]
macro_rules! object_only {
    ($ty:ident) => {
        impl<'de> $crate::__serde::Deserialize<'de> for $ty {
            fn deserialize<D>(d: D) -> ::std::result::Result<Self, D::Error>
            where
                D: $crate::__serde::Deserializer<'de>,
            {
                struct Object;
                impl<'de> $crate::__serde::de::Visitor<'de> for Object {
                    type Value = $ty;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str("a JSON object")
                    }
                    fn visit_map<A>(self, map: A) -> ::std::result::Result<$ty, A::Error>
                    where
                        A: $crate::__serde::de::MapAccess<'de>,
                    {
                        let object = $crate::__serde::de::value::MapAccessDeserializer::new(map);
                        $ty::deserialize(object)
                    }
                }
                d.deserialize_map(Object)
            }
        }
    };
    ($ty:ident, Serialize) => {
        $crate::object_only!($ty);
        impl $crate::__serde::Serialize for $ty {
            fn serialize<S>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error>
            where
                S: $crate::__serde::Serializer,
            {
                $ty::serialize(self, s)
            }
        }
    };
}
