//! Network map documents (RFC 7285 §11.2.1).
//!
//! Read like every document through serde, and, for a peer's map, first by
//! [`NetworkMapDoc::scan`] (`scan`, over a byte [`crate::json_cursor`]), which reads the
//! usual text several times faster and leaves the rest to serde.

mod scan;

use std::collections::BTreeMap;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};

use crate::prefix;
use crate::vtag::VersionTag;

/// `application/alto-networkmap+json`, also the response of a filtered
/// network map (RFC 7285 §11.2.1.6, §11.3.1.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkMapDoc {
    pub meta: NetworkMapMeta,
    #[serde(rename = "network-map", deserialize_with = "crate::unique::map")]
    pub network_map: BTreeMap<String, EndpointAddrGroup>,
}

impl NetworkMapDoc {
    /// Reads a network map from JSON text without `serde_json`, or `None`
    /// where this reader is not sure: malformed text, escapes in strings,
    /// a repeated key, a value of an unexpected type. The text must then be
    /// read through serde (`altofed_peers::parse_document` does), which
    /// gives either the same document or the error, with its key path. A
    /// `Some` is always what `serde_json::from_slice` reads from the text.
    pub fn scan(bytes: &[u8]) -> Option<Self> {
        scan::document(bytes)
    }
}

/// `meta.vtag` MUST be present (RFC 7285 §11.2.1.6); other members are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkMapMeta {
    pub vtag: VersionTag,
}

/// An endpoint address group (RFC 7285 §10.4.5) with the two address types
/// RFC 7285 defines. Unknown address types are ignored on input (RFC 7285
/// §11.2.1.6), and a PID left with nothing we understand stays a PID; an
/// absent type is an empty list and is not written out.
///
/// Prefixes are parsed liberally (see [`crate::prefix`]): a bare address is a
/// host prefix and host bits are cleared; anything else is an error that
/// names the offending string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EndpointAddrGroup {
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "prefix::deserialize_ipv4_list"
    )]
    pub ipv4: Vec<Ipv4Net>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "prefix::deserialize_ipv6_list"
    )]
    pub ipv6: Vec<Ipv6Net>,
}

impl EndpointAddrGroup {
    pub fn is_empty(&self) -> bool {
        self.ipv4.is_empty() && self.ipv6.is_empty()
    }

    /// All prefixes of both families, IPv4 first.
    pub fn prefixes(&self) -> impl Iterator<Item = IpNet> + '_ {
        let v4 = self.ipv4.iter().copied().map(IpNet::V4);
        v4.chain(self.ipv6.iter().copied().map(IpNet::V6))
    }
}
