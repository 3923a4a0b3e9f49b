//! Cost modes, cost types and cost values (RFC 7285 §6.1, §10.5-§10.7).

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `numerical` or `ordinal` (RFC 7285 §10.5). Read from a JSON string
/// only: any other JSON type is an "invalid type" error (serde's derived
/// enum reading reports a number or `null` as a syntax error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CostMode {
    Numerical,
    Ordinal,
}

impl CostMode {
    const NAMES: &'static [&'static str] = &["numerical", "ordinal"];

    /// The wire name (RFC 7285 §10.5).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Numerical => "numerical",
            Self::Ordinal => "ordinal",
        }
    }
}

impl<'de> Deserialize<'de> for CostMode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(CostModeVisitor)
    }
}

struct CostModeVisitor;

impl Visitor<'_> for CostModeVisitor {
    type Value = CostMode;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a cost mode string, `numerical` or `ordinal`")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<CostMode, E> {
        match v {
            "numerical" => Ok(CostMode::Numerical),
            "ordinal" => Ok(CostMode::Ordinal),
            _ => Err(E::unknown_variant(v, CostMode::NAMES)),
        }
    }
}

/// A cost type object (RFC 7285 §10.7). Unknown members are ignored on input.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(remote = "Self")]
pub struct CostType {
    #[serde(rename = "cost-metric")]
    pub cost_metric: String,
    #[serde(rename = "cost-mode")]
    pub cost_mode: CostMode,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
}

crate::object_only!(CostType, Serialize);

impl CostType {
    pub fn routingcost(mode: CostMode) -> Self {
        Self {
            cost_metric: "routingcost".to_owned(),
            cost_mode: mode,
            description: None,
        }
    }
}

/// One cost value. On input it may be a JSON number or a string holding
/// one (seen from real servers); on output it is always a JSON number, and an
/// integral value is written without a fraction (`4`, not `4.0`).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Cost(pub f64);

/// Largest integer that an f64 holds exactly (2^53).
const EXACT_INT_LIMIT: f64 = 9_007_199_254_740_992.0;

impl Cost {
    /// The value as an integer when it is one that an f64 holds exactly
    /// (|v| < 2^53): how it is written on output.
    pub fn as_exact_int(self) -> Option<i64> {
        let v = self.0;
        // Exact: |v| < 2^53 and integral. Integral by a round trip through
        // i64 rather than `fract`, which is a call to libm's `trunc` on
        // the baseline x86-64 target (once per cost written).
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        let int = v as i64;
        #[allow(clippy::cast_precision_loss, clippy::float_cmp)]
        (v.abs() < EXACT_INT_LIMIT && int as f64 == v).then_some(int)
    }
}

impl Serialize for Cost {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.as_exact_int() {
            Some(int) => s.serialize_i64(int),
            None => s.serialize_f64(self.0),
        }
    }
}

impl<'de> Deserialize<'de> for Cost {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CostVisitor)
    }
}

struct CostVisitor;

impl Visitor<'_> for CostVisitor {
    type Value = Cost;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a finite number, or a string holding one")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Cost, E> {
        finite(v)
    }

    #[allow(clippy::cast_precision_loss)]
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Cost, E> {
        Ok(Cost(v as f64))
    }

    #[allow(clippy::cast_precision_loss)]
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Cost, E> {
        Ok(Cost(v as f64))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cost, E> {
        let parsed: f64 = v
            .trim()
            .parse()
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))?;
        finite(parsed)
    }
}

fn finite<E: de::Error>(v: f64) -> Result<Cost, E> {
    if v.is_finite() {
        Ok(Cost(v))
    } else {
        Err(E::invalid_value(de::Unexpected::Float(v), &CostVisitor))
    }
}
