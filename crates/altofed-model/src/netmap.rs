//! Network map documents (RFC 7285 §11.2.1).

use std::collections::BTreeMap;

use ipnet::{Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};

use crate::vtag::VersionTag;

/// `application/alto-networkmap+json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkMapDoc {
    pub meta: NetworkMapMeta,
    #[serde(rename = "network-map")]
    pub network_map: BTreeMap<String, EndpointAddrGroup>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkMapMeta {
    pub vtag: VersionTag,
}

/// An endpoint address group (RFC 7285 §10.4.5) with the two address types
/// RFC 7285 defines. Unknown address types are ignored on input (RFC 7285
/// §11.2.1.6); an absent type is an empty list and is not written out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointAddrGroup {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv4: Vec<Ipv4Net>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv6: Vec<Ipv6Net>,
}

impl EndpointAddrGroup {
    pub fn is_empty(&self) -> bool {
        self.ipv4.is_empty() && self.ipv6.is_empty()
    }
}
