//! Typed endpoint addresses (RFC 7285 §10.4) and the endpoint property and
//! endpoint cost services (RFC 7285 §11.4, §11.5).
//!
//! Request and response documents keep addresses as the client's strings:
//! RFC 7285 §10.4 requires no canonical form, and echoing the client's
//! spelling as the response key lets simple clients match answers. Parse
//! them with [`TypedEndpointAddr::parse`] when the address is needed.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

use crate::cost::CostType;
use crate::costmap::{deserialize_cost_rows, CostRows};
use crate::vtag::VersionTag;

/// `ipv4:192.0.2.1` or `ipv6:2001:db8::1`, parsed into a std address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypedEndpointAddr(pub IpAddr);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EndpointAddrError {
    #[error("endpoint address `{input}` has no address type; expected `ipv4:<address>` or `ipv6:<address>` (RFC 7285 §10.4.1)")]
    MissingType { input: String },
    #[error("endpoint address `{input}` has address type `{addr_type}`; only ipv4 and ipv6 are supported (RFC 7285 §10.4.2)")]
    UnknownType { input: String, addr_type: String },
    #[error("endpoint address `{input}` is not a valid {addr_type} address (RFC 7285 §10.4.3)")]
    BadAddress {
        input: String,
        addr_type: &'static str,
    },
}

impl TypedEndpointAddr {
    /// Splits at the first `:` (RFC 7285 §10.4.1) and parses the address
    /// semantically. The address type is matched case-insensitively.
    pub fn parse(s: &str) -> Result<Self, EndpointAddrError> {
        let Some((ty, addr)) = s.split_once(':') else {
            return Err(EndpointAddrError::MissingType {
                input: s.to_owned(),
            });
        };
        let bad = |addr_type| EndpointAddrError::BadAddress {
            input: s.to_owned(),
            addr_type,
        };
        if ty.eq_ignore_ascii_case("ipv4") {
            dotted_quad(addr.as_bytes())
                .or_else(|| addr.parse().ok())
                .map(|a| Self(IpAddr::V4(a)))
                .ok_or_else(|| bad("ipv4"))
        } else if ty.eq_ignore_ascii_case("ipv6") {
            addr.parse()
                .map(|a| Self(IpAddr::V6(a)))
                .map_err(|_| bad("ipv6"))
        } else {
            Err(EndpointAddrError::UnknownType {
                input: s.to_owned(),
                addr_type: ty.to_owned(),
            })
        }
    }

    /// `ipv4` or `ipv6` (RFC 7285 §10.4.2).
    pub fn address_type(&self) -> &'static str {
        match self.0 {
            IpAddr::V4(_) => "ipv4",
            IpAddr::V6(_) => "ipv6",
        }
    }
}

impl FromStr for TypedEndpointAddr {
    type Err = EndpointAddrError;
    fn from_str(s: &str) -> Result<Self, EndpointAddrError> {
        Self::parse(s)
    }
}

impl fmt::Display for TypedEndpointAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.address_type(), self.0)
    }
}

impl From<IpAddr> for TypedEndpointAddr {
    fn from(a: IpAddr) -> Self {
        Self(a)
    }
}

/// A dotted quad as std's parser takes it (four decimal octets, none
/// with a leading zero, nothing else), read directly: std's general
/// address parser was a noticeable part of an endpoint cost request.
/// Anything else is `None` (and left to std, which refuses it too).
pub fn dotted_quad(text: &[u8]) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = text.split(|&b| b == b'.');
    for octet in &mut octets {
        let part = parts.next()?;
        let digits = part.iter().all(u8::is_ascii_digit);
        if !digits || part.is_empty() || part.len() > 3 || (part.len() > 1 && part[0] == b'0') {
            return None;
        }
        let value = (part.iter()).fold(0u16, |v, d| v * 10 + u16::from(d - b'0'));
        *octet = u8::try_from(value).ok()?;
    }
    parts.next().is_none().then_some(Ipv4Addr::from(octets))
}

/// Parses every string; the first bad one is the error.
pub fn parse_endpoints(list: &[String]) -> Result<Vec<TypedEndpointAddr>, EndpointAddrError> {
    list.iter().map(|s| TypedEndpointAddr::parse(s)).collect()
}

/// `application/alto-endpointpropparams+json` (RFC 7285 §11.4.1.3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(remote = "Self")]
pub struct EndpointPropRequest {
    /// Property names, e.g. `agg-netmap.pid` (RFC 7285 §10.8).
    pub properties: Vec<String>,
    pub endpoints: Vec<String>,
}

crate::object_only!(EndpointPropRequest, Serialize);

/// Endpoint address -> property name -> value. Values SHOULD be strings
/// (RFC 7285 §11.4.1.6) but are kept as JSON to be liberal.
pub type EndpointPropRows = BTreeMap<String, BTreeMap<String, Value>>;

/// `application/alto-endpointprop+json` (RFC 7285 §11.4.1.6).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EndpointPropDoc {
    #[serde(default)]
    pub meta: EndpointPropMeta,
    #[serde(rename = "endpoint-properties")]
    pub endpoint_properties: EndpointPropRows,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointPropMeta {
    /// Vtags of every network map whose `pid` was requested (RFC 7285 §11.4.1.6).
    #[serde(
        rename = "dependent-vtags",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub dependent_vtags: Vec<VersionTag>,
}

/// `application/alto-endpointcostparams+json` (RFC 7285 §11.5.1.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(remote = "Self")]
pub struct EndpointCostRequest {
    #[serde(rename = "cost-type")]
    pub cost_type: CostType,
    /// Same syntax and semantics as for filtered cost maps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraints: Option<Vec<String>>,
    pub endpoints: EndpointFilter,
}

crate::object_only!(EndpointCostRequest, Serialize);

/// A missing or empty list stands for the client's own address; both
/// empty is an error (RFC 7285 §11.5.1.3). `None` and `Some(vec![])` are
/// kept apart only so documents round-trip.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(remote = "Self")]
pub struct EndpointFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub srcs: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dsts: Option<Vec<String>>,
}

crate::object_only!(EndpointFilter, Serialize);

impl EndpointFilter {
    /// Source addresses; empty when absent.
    pub fn srcs(&self) -> &[String] {
        self.srcs.as_deref().unwrap_or_default()
    }

    /// Destination addresses; empty when absent.
    pub fn dsts(&self) -> &[String] {
        self.dsts.as_deref().unwrap_or_default()
    }
}

/// `application/alto-endpointcost+json` (RFC 7285 §11.5.1.6). `null` costs
/// are dropped on input, as for cost maps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointCostDoc {
    pub meta: EndpointCostMeta,
    #[serde(
        rename = "endpoint-cost-map",
        deserialize_with = "deserialize_cost_rows"
    )]
    pub endpoint_cost_map: CostRows,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointCostMeta {
    /// MUST be present (RFC 7285 §11.5.1.6).
    #[serde(rename = "cost-type")]
    pub cost_type: CostType,
}
