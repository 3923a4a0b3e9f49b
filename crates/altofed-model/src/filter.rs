//! Map-filtering request bodies (RFC 7285 §11.3) and cost constraints
//! (RFC 7285 §11.3.2.3).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::cost::CostType;

/// `application/alto-networkmapfilter+json` (RFC 7285 §11.3.1.3). An empty
/// `pids` means all PIDs; absent or empty `address-types` means all types.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(remote = "Self")]
pub struct NetworkMapFilter {
    pub pids: Vec<String>,
    #[serde(
        rename = "address-types",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub address_types: Option<Vec<String>>,
}

crate::object_only!(NetworkMapFilter, Serialize);

/// `application/alto-costmapfilter+json` (RFC 7285 §11.3.2.3).
///
/// `constraints` stay strings so a server can echo a bad one in an
/// `E_INVALID_FIELD_VALUE` error; parse them with [`Constraint::parse`].
/// Multi-cost members (RFC 8189 §4.1.2) are not modelled and are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(remote = "Self")]
pub struct CostMapFilter {
    /// Its `description` SHOULD be omitted and MUST be ignored (RFC 7285 §11.3.2.3).
    #[serde(rename = "cost-type")]
    pub cost_type: CostType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraints: Option<Vec<String>>,
    /// Absent means all sources and destinations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pids: Option<PidFilter>,
}

crate::object_only!(CostMapFilter, Serialize);

/// Both members are required inside `pids`; an empty list means all PIDs
/// (RFC 7285 §11.3.2.3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(remote = "Self")]
pub struct PidFilter {
    pub srcs: Vec<String>,
    pub dsts: Vec<String>,
}

crate::object_only!(PidFilter, Serialize);

/// A constraint operator (RFC 7285 §11.3.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConstraintOp {
    Gt,
    Lt,
    Ge,
    Le,
    Eq,
}

impl ConstraintOp {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gt => "gt",
            Self::Lt => "lt",
            Self::Ge => "ge",
            Self::Le => "le",
            Self::Eq => "eq",
        }
    }
}

/// `"<op> <value>"`, e.g. `"le 10"` (RFC 7285 §11.3.2.3). Several
/// constraints in one request are ANDed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Constraint {
    pub op: ConstraintOp,
    /// In the units of the requested cost metric; compared in double
    /// precision as RFC 7285 §11.3.2.3 recommends.
    pub value: f64,
}

/// Why a constraint string does not parse. The server answers these with
/// `E_INVALID_FIELD_VALUE`, field `constraints` (RFC 7285 §8.5.2).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConstraintError {
    #[error("constraint `{input}` is not `<operator> <value>` (RFC 7285 §11.3.2.3)")]
    Malformed { input: String },
    #[error("constraint `{input}` has unknown operator `{op}`; expected gt, lt, ge, le or eq (RFC 7285 §11.3.2.3)")]
    UnknownOperator { input: String, op: String },
    #[error("constraint `{input}` has target value `{value}`, which is not a finite number (RFC 7285 §11.3.2.3)")]
    BadValue { input: String, value: String },
}

impl Constraint {
    /// Parses `"<op> <value>"`; operator and value are separated by
    /// whitespace, the operator is lower case as in RFC 7285 §11.3.2.3.
    pub fn parse(s: &str) -> Result<Self, ConstraintError> {
        let mut words = s.split_whitespace();
        let (Some(op), Some(value), None) = (words.next(), words.next(), words.next()) else {
            return Err(ConstraintError::Malformed {
                input: s.to_owned(),
            });
        };
        let op = match op {
            "gt" => ConstraintOp::Gt,
            "lt" => ConstraintOp::Lt,
            "ge" => ConstraintOp::Ge,
            "le" => ConstraintOp::Le,
            "eq" => ConstraintOp::Eq,
            _ => {
                return Err(ConstraintError::UnknownOperator {
                    input: s.to_owned(),
                    op: op.to_owned(),
                })
            }
        };
        match value.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Self { op, value: v }),
            _ => Err(ConstraintError::BadValue {
                input: s.to_owned(),
                value: value.to_owned(),
            }),
        }
    }

    /// Whether `cost` passes this constraint.
    pub fn holds(&self, cost: f64) -> bool {
        match self.op {
            ConstraintOp::Gt => cost > self.value,
            ConstraintOp::Lt => cost < self.value,
            ConstraintOp::Ge => cost >= self.value,
            ConstraintOp::Le => cost <= self.value,
            #[allow(clippy::float_cmp)] // exact equality is what `eq` asks for
            ConstraintOp::Eq => cost == self.value,
        }
    }
}

impl FromStr for Constraint {
    type Err = ConstraintError;
    fn from_str(s: &str) -> Result<Self, ConstraintError> {
        Self::parse(s)
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.op.as_str(), self.value)
    }
}
