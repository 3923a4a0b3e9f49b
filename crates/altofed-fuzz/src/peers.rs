//! What peers send (issue #12): documents parsed by
//! `altofed_peers::parse_document` (the directory source and the HTTP
//! client both use it), then what the engine and the client do with them
//! before composition.
//!
//! Besides "no panic", two properties are asserted: a parsed map reads
//! back as itself from its own JSON (an update stream patches the JSON
//! form of the held map, `sse::apply::Slot`), and the prefix lookup finds
//! every prefix of the map it was built from.

use altofed_core::config::HttpOptions;
use altofed_core::peer::check_cost_map;
use altofed_model::validate::{validate_cost_table, validate_network_map, validate_property_map};
use altofed_model::{CostTableDoc, DirectoryDoc, NetworkMapDoc, PidLookup, PropertyMapDoc};
use altofed_peers::http::ingest::{choose_from_ird, replay_update_stream};
use altofed_peers::parse_document;
use reqwest::Url;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::fixtures;

/// Largest event of a replayed stream: small, so that the limit is hit.
const STREAM_EVENT_LIMIT: usize = 64 * 1024;

/// Asserts that `doc` survives the trip through JSON that an update
/// stream's patches make it take.
fn assert_round_trip<T>(doc: &T)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug + 'static,
{
    let json = match serde_json::to_vec(doc) {
        Ok(json) => json,
        Err(e) => panic!("a parsed document does not serialize: {e}"),
    };
    match parse_document::<T>(&json) {
        Ok(again) => assert_eq!(&again, doc, "the document changed on a round trip"),
        Err(e) => panic!("a serialized document does not parse: {e:?}"),
    }
}

/// A peer's network map: parsed, indexed as `pipeline::compose_peer` does,
/// and validated as the merged map that republishes its PIDs will be.
pub fn network_map(data: &[u8]) {
    let Ok(doc) = parse_document::<NetworkMapDoc>(data) else {
        return;
    };
    assert_round_trip(&doc);
    let _ = validate_network_map(&doc);
    let Ok(lookup) = PidLookup::build(&doc.network_map) else {
        return;
    };
    for (pid, group) in &doc.network_map {
        for net in group.prefixes() {
            assert_eq!(lookup.lookup_net(net), Some(pid.as_str()), "{net}");
            let _ = lookup.lookup_index(net.network());
        }
    }
}

/// A peer's cost map, read into the compact table used for peers, checked
/// against the held network map as the client and the engine check it.
pub fn cost_map(data: &[u8]) {
    let Ok(doc) = parse_document::<CostTableDoc>(data) else {
        return;
    };
    assert_round_trip(&doc);
    let _ = validate_cost_table(&doc, None);
    if let Some(held) = fixtures::held() {
        let _ = check_cost_map("peer", &held.network_map, &doc.meta);
        let _ = validate_cost_table(&doc, Some(&held.network_map));
    }
    let _ = doc.to_doc();
}

/// A peer's property map (RFC 9240).
pub fn property_map(data: &[u8]) {
    let Ok(doc) = parse_document::<PropertyMapDoc>(data) else {
        return;
    };
    assert_round_trip(&doc);
    let _ = validate_property_map(&doc);
}

/// A peer's IRD, and the choice of resources the client makes from it.
pub fn ird(data: &[u8]) {
    let Ok(doc) = parse_document::<DirectoryDoc>(data) else {
        return;
    };
    let _ = altofed_model::validate_ird(&doc);
    let Ok(base) = Url::parse("http://peer.example/alto/directory") else {
        return;
    };
    let _ = choose_from_ird(&doc, &base, &HttpOptions::default());
}

/// The raw bytes of a peer's RFC 8895 update stream, applied to ISP A's
/// maps. The first byte chooses how the bytes arrive: bit 0 puts the
/// property map in the stream, the other bits give the chunk size (1 to
/// 127 bytes; 127 means all at once); the rest is the stream.
pub fn update_stream_events(data: &[u8]) {
    let (Some((&control, stream)), Some(held)) = (data.split_first(), fixtures::held()) else {
        return;
    };
    let with_prop = control & 1 == 1;
    let chunk = match usize::from(control >> 1) {
        127 => stream.len().max(1),
        n => n + 1,
    };
    let _ = replay_update_stream(held, with_prop, stream.chunks(chunk), STREAM_EVENT_LIMIT);
}
