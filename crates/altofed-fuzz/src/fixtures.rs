//! The maps a peer is assumed to have sent before (figure 5's ISP A), for
//! the targets that need held maps: an update stream patches them, a cost
//! map is checked against the network map.

use std::sync::OnceLock;

use altofed_core::peer::PeerMaps;
use altofed_peers::parse_document;

const NETWORK_MAP: &str = r#"{
  "meta": {"vtag": {"resource-id": "isp-a-netmap", "tag": "figure5-netmap-v1"}},
  "network-map": {
    "pid1": {"ipv4": ["198.51.100.0/25"], "ipv6": ["2001:db8:1::/48"]},
    "pid2": {"ipv4": ["198.51.100.128/25"], "ipv6": ["2001:db8:2::/48"]},
    "pid3": {"ipv4": ["192.0.2.128/25", "0.0.0.0/0"], "ipv6": ["2001:db8:3::/48", "::/0"]},
    "pid4": {"ipv4": ["192.0.2.4/32"]},
    "pid5": {"ipv4": ["192.0.2.5/32"]}
  }
}"#;

const COST_MAP: &str = r#"{
  "meta": {
    "dependent-vtags": [{"resource-id": "isp-a-netmap", "tag": "figure5-netmap-v1"}],
    "cost-type": {"cost-mode": "numerical", "cost-metric": "routingcost"},
    "vtag": {"resource-id": "isp-a-routingcost", "tag": "figure5-costmap-v1"}
  },
  "cost-map": {
    "pid1": {"pid4": 1, "pid5": 5},
    "pid2": {"pid4": 9, "pid5": 2},
    "pid3": {"pid4": 3, "pid5": 3},
    "pid4": {"pid1": 1, "pid2": 9, "pid3": 3},
    "pid5": {"pid1": 5, "pid2": 2, "pid3": 3}
  }
}"#;

const PROPERTY_MAP: &str = r#"{
  "meta": {"dependent-vtags": [{"resource-id": "isp-a-netmap", "tag": "figure5-netmap-v1"}]},
  "property-map": {
    "isp-a-netmap.pid:pid4": {"priv:border-for": "pid6"},
    "ipv4:192.0.2.0/24": {"priv:region": "a"}
  }
}"#;

/// ISP A's maps; `None` only if the constants above stopped parsing (the
/// replay test would then fail on the stream seeds).
pub(crate) fn held() -> Option<&'static PeerMaps> {
    static HELD: OnceLock<Option<PeerMaps>> = OnceLock::new();
    HELD.get_or_init(|| {
        Some(PeerMaps {
            network_map: parse_document(NETWORK_MAP.as_bytes()).ok()?,
            cost_map: parse_document(COST_MAP.as_bytes()).ok()?,
            property_map: Some(parse_document(PROPERTY_MAP.as_bytes()).ok()?),
        })
    })
    .as_ref()
}
