//! An update stream applied without a connection: the bytes go through
//! the same parser, routing and patching as in [`HttpPeer::subscribe`],
//! on the calling thread. Exists for the fuzz targets (crates/altofed-fuzz),
//! which must reach this code with no runtime and no server.

use altofed_core::peer::PeerMaps;
use reqwest::Url;

use super::apply::Docs;
use super::events::{apply_now, route, Routed, Which};
use super::parse::SseParser;
use crate::http::error::Target;
#[cfg(doc)]
use crate::http::HttpPeer;

/// Feeds `chunks` (one stream, split anywhere) to a subscription that holds
/// `held`, with the property map as a substream if `with_prop`. Returns the
/// last maps the subscription would hand on (`None`: none), or the reason
/// the session would end. `limit` is the peer's `max-bytes`: it bounds one
/// event and what patches make of a document.
pub(crate) fn replay<'a>(
    held: &PeerMaps,
    with_prop: bool,
    chunks: impl IntoIterator<Item = &'a [u8]>,
    limit: usize,
) -> Result<Option<PeerMaps>, String> {
    let url = Url::parse("http://peer.invalid/updates").map_err(|e| e.to_string())?;
    let target = Target {
        peer: "peer",
        method: "POST",
        url: &url,
    };
    let mut docs = Docs::from_held(held, with_prop, limit, target).map_err(|e| e.to_string())?;
    let mut parser = SseParser::new(limit);
    let mut events = Vec::new();
    let mut last = None;
    for chunk in chunks {
        parser
            .feed(chunk, &mut events)
            .map_err(|_| target.too_large(limit as u64).to_string())?;
        let mut applied = false;
        for event in events.drain(..) {
            let (which, event_type) = match route(&event.event, &event.data, docs.prop.is_some()) {
                Routed::Ignored => continue,
                Routed::Stopped(why) => return Err(why),
                Routed::Update { which, event_type } => (which, event_type),
            };
            let result = match (which, &mut docs.prop) {
                (Which::Net, _) => apply_now(&mut docs.net, event_type, &event.data, target),
                (Which::Cost, _) => apply_now(&mut docs.cost, event_type, &event.data, target),
                (Which::Prop, Some(slot)) => apply_now(slot, event_type, &event.data, target),
                (Which::Prop, None) => continue,
            };
            result.map_err(|e| e.to_string())?;
            applied = true;
        }
        // As `emit`: only a consistent set of maps is checked and sent.
        if applied && docs.consistent() {
            let maps = docs.to_maps();
            maps.check("peer").map_err(|e| e.to_string())?;
            last = Some(maps);
        }
    }
    Ok(last)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::parse_document;

    fn held() -> PeerMaps {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../topologies/figure5/isp-a/"
        );
        let read = |f: &str| std::fs::read(format!("{dir}{f}")).unwrap();
        PeerMaps {
            network_map: parse_document(&read("networkmap.json")).unwrap(),
            cost_map: parse_document(&read("costmap.json")).unwrap(),
            property_map: Some(parse_document(&read("propmap.json")).unwrap()),
        }
    }

    const NET_PATCH: &str = "event: application/alto-updatestreamcontrol+json\n\
data: {\"control-uri\": \"/updates/ctl/1\"}\n\n\
event: application/json-patch+json,net\n\
data: [{\"op\": \"replace\", \"path\": \"/meta/vtag/tag\", \"value\": \"v2\"}]\n\n";

    const COST_PATCH: &str = "event: application/merge-patch+json,cost\n\
data: {\"meta\": {\"dependent-vtags\": [{\"resource-id\": \"isp-a-netmap\", \"tag\": \"v2\"}]},\n\
data:  \"cost-map\": {\"pid1\": {\"pid4\": 6, \"pid5\": null}}}\n\n";

    #[test]
    fn a_network_map_waits_for_its_cost_map_in_any_chunking() {
        let stream = format!("{NET_PATCH}{COST_PATCH}");
        let stream = stream.as_bytes();
        for size in [1, 7, stream.len()] {
            let maps = replay(&held(), false, stream.chunks(size), 1 << 20)
                .unwrap()
                .unwrap();
            assert_eq!(maps.network_map.meta.vtag.tag, "v2");
            let cost = |dst| maps.cost_map.cost_map.get("pid1", dst).map(|c| c.0);
            assert_eq!((cost("pid4"), cost("pid5")), (Some(6.0), None));
        }
        // The network map alone does not go with the held cost map.
        let net_only = [NET_PATCH.as_bytes()];
        assert!(replay(&held(), false, net_only, 1 << 20).unwrap().is_none());
    }

    #[test]
    fn a_stopped_substream_and_a_bad_patch_end_the_session() {
        let stopped = b"event: application/alto-updatestreamcontrol+json\n\
data: {\"stopped\": [\"cost\"], \"description\": \"maintenance\"}\n\n";
        let why = replay(&held(), false, [&stopped[..]], 1 << 20).unwrap_err();
        assert!(why.contains("maintenance"), "{why}");
        let bad = b"event: application/json-patch+json,net\n\
data: [{\"op\": \"remove\", \"path\": \"/network-map/no-such-pid\"}]\n\n";
        assert!(replay(&held(), false, [&bad[..]], 1 << 20).is_err());
        // `prop` is no substream unless asked for.
        let prop = b"event: application/merge-patch+json,prop\ndata: 1\n\n";
        assert!(replay(&held(), false, [&prop[..]], 1 << 20)
            .unwrap()
            .is_none());
        assert!(replay(&held(), true, [&prop[..]], 1 << 20).is_err());
    }

    /// Regression (fuzz/regressions/update_stream_events/): each copy of
    /// the network map into itself doubles it; 40 of them in one 3 kB
    /// patch ran out of memory.
    #[test]
    fn copies_may_not_grow_a_document_past_max_bytes() {
        let ops: Vec<String> = (0..40)
            .map(|i| format!(r#"{{"op":"copy","from":"/network-map","path":"/network-map/x{i}"}}"#))
            .collect();
        let event = format!(
            "event: application/json-patch+json,net\ndata: [{}]\n\n",
            ops.join(",")
        );
        let why = replay(&held(), false, [event.as_bytes()], 1 << 20).unwrap_err();
        assert!(why.contains("larger than 1048576 bytes"), "{why}");
        // A copy within the limit is applied.
        let copy = b"event: application/json-patch+json,net\n\
data: [{\"op\":\"copy\",\"from\":\"/network-map/pid4\",\"path\":\"/network-map/pid9\"}]\n\n";
        let mut stream = copy.to_vec();
        stream.extend_from_slice(COST_PATCH.replace("v2", "figure5-netmap-v1").as_bytes());
        let maps = replay(&held(), false, [&stream[..]], 1 << 20)
            .unwrap()
            .unwrap();
        let net = &maps.network_map.network_map;
        assert_eq!(net["pid9"], net["pid4"]);
    }
}
