//! The ALTO error document, `application/alto-error+json` (RFC 7285 §8.5).

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

/// An error code (RFC 7285 §8.5.2, Table 1). RFC 8895, 8189, 9240, 9439,
/// 9569 and 9241 define no further codes. A code we do not know is kept as
/// [`ErrorCode::Other`] rather than failing the parse of a peer's error.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `E_SYNTAX`: the request (or an identifier in it) cannot be parsed.
    Syntax,
    /// `E_MISSING_FIELD`: a required member is absent.
    MissingField,
    /// `E_INVALID_FIELD_TYPE`: a member has the wrong JSON type.
    InvalidFieldType,
    /// `E_INVALID_FIELD_VALUE`: a well-typed member has an invalid value.
    InvalidFieldValue,
    /// Any other code string received from a peer.
    Other(String),
}

impl ErrorCode {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Syntax => "E_SYNTAX",
            Self::MissingField => "E_MISSING_FIELD",
            Self::InvalidFieldType => "E_INVALID_FIELD_TYPE",
            Self::InvalidFieldValue => "E_INVALID_FIELD_VALUE",
            Self::Other(s) => s,
        }
    }

    fn from_wire(s: &str) -> Self {
        match s {
            "E_SYNTAX" => Self::Syntax,
            "E_MISSING_FIELD" => Self::MissingField,
            "E_INVALID_FIELD_TYPE" => Self::InvalidFieldType,
            "E_INVALID_FIELD_VALUE" => Self::InvalidFieldValue,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(Self::from_wire(&s))
    }
}

/// `{"meta": {...}}`; errors carry no data member (RFC 7285 §8.4, §8.5.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDoc {
    pub meta: ErrorMeta,
}

/// The fields are private so that `value` can only be set together with
/// `field` (RFC 7285 §8.5.2); build one through the [`ErrorDoc`]
/// constructors. On input the rule is not enforced (be liberal), and a
/// non-string `value` (RFC 8895 §7.6 sends an array) is kept as its JSON text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorMeta {
    code: ErrorCode,
    /// `/`-separated path of the offending member, outer to inner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_value"
    )]
    value: Option<String>,
    /// Free text for `E_SYNTAX` (RFC 7285 §8.5.2).
    #[serde(
        rename = "syntax-error",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    syntax_error: Option<String>,
    /// Free text for people, e.g. which server limit a request hit. Not
    /// defined by RFC 7285, whose `meta` is an open object (§8.4); clients
    /// that do not know it ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

impl ErrorDoc {
    /// Just a code.
    pub fn new(code: ErrorCode) -> Self {
        Self::build(code, None, None)
    }

    /// A code and the path of the offending member.
    pub fn with_field(code: ErrorCode, field: impl Into<String>) -> Self {
        Self::build(code, Some(field.into()), None)
    }

    /// A code, the member's path and its offending value (as a string, RFC
    /// 7285 §8.5.2).
    pub fn with_field_value(
        code: ErrorCode,
        field: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        Self::build(code, Some(field.into()), Some(value.into()))
    }

    /// `E_SYNTAX` with optional developer text, e.g. a line and column.
    pub fn syntax(detail: Option<String>) -> Self {
        let mut doc = Self::new(ErrorCode::Syntax);
        doc.meta.syntax_error = detail;
        doc
    }

    pub fn missing_field(field: impl Into<String>) -> Self {
        Self::with_field(ErrorCode::MissingField, field)
    }

    pub fn invalid_field_type(field: impl Into<String>) -> Self {
        Self::with_field(ErrorCode::InvalidFieldType, field)
    }

    pub fn invalid_field_value(field: impl Into<String>, value: impl Into<String>) -> Self {
        Self::with_field_value(ErrorCode::InvalidFieldValue, field, value)
    }

    /// The same error with an explanation for people (`meta.message`).
    #[must_use]
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.meta.message = Some(message.into());
        self
    }

    fn build(code: ErrorCode, field: Option<String>, value: Option<String>) -> Self {
        let meta = ErrorMeta {
            code,
            field,
            value,
            syntax_error: None,
            message: None,
        };
        Self { meta }
    }
}

impl ErrorMeta {
    pub fn code(&self) -> &ErrorCode {
        &self.code
    }

    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }

    pub fn syntax_error(&self) -> Option<&str> {
        self.syntax_error.as_deref()
    }

    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
}

/// A string as is; `null` as absent; a number, boolean, array or object as
/// its compact JSON text.
fn deserialize_value<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_any(ValueVisitor)
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, or any JSON value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let v = Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Some(v.to_string()))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let v = Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Some(v.to_string()))
    }
}
