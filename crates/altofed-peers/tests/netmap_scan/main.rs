//! The network map scanner (`NetworkMapDoc::scan`) against the serde path
//! it stands in front of: on generated maps it reads exactly what
//! `serde_json` reads, or leaves the text alone; and `parse_document`,
//! scanner first, answers every text, malformed ones included, as the
//! serde path alone does: the same document, or the same key path and
//! message.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod gen;

use altofed_model::NetworkMapDoc;
use altofed_peers::parse_document;
use proptest::prelude::*;
use serde::Deserialize;

/// `parse_document` as it is without the scanner: serde, and on failure
/// serde again with the key path.
fn serde_only(bytes: &[u8]) -> Result<NetworkMapDoc, (String, String)> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    if let Ok(doc) = NetworkMapDoc::deserialize(&mut *de).and_then(|d| de.end().map(|()| d)) {
        return Ok(doc);
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let doc = serde_path_to_error::deserialize(&mut *de)
        .map_err(|e| (e.path().to_string(), e.into_inner().to_string()))?;
    de.end().map_err(|e| (".".to_owned(), e.to_string()))?;
    Ok(doc)
}

/// The scanner reads `bytes` as serde does, or not at all; and
/// `parse_document` answers as the serde path.
fn same_as_serde(bytes: &[u8]) -> Result<Option<NetworkMapDoc>, TestCaseError> {
    let want = serde_only(bytes);
    let scanned = NetworkMapDoc::scan(bytes);
    if let Some(doc) = &scanned {
        prop_assert_eq!(
            Ok(doc),
            want.as_ref(),
            "the scanner read what serde does not"
        );
    }
    prop_assert_eq!(parse_document::<NetworkMapDoc>(bytes), want);
    Ok(scanned)
}

/// Bytes a mutation may put into a document: structure, quotes, escapes,
/// whitespace, digits, a control character, a byte that is no UTF-8.
const INSERTS: &[u8] = b"\"\\,:{}[] \n0/.x\x01\xff";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn generated_maps_read_as_serde_reads_them(text in gen::network_map()) {
        let scanned = same_as_serde(text.json.as_bytes())?;
        // The scanner must not leave the usual maps to serde.
        prop_assert!(!text.plain || scanned.is_some(), "not scanned: {}", text.json);
    }

    #[test]
    fn malformed_maps_fail_as_serde_fails(
        text in gen::network_map(),
        at in any::<prop::sample::Index>(),
        byte in prop::sample::select(INSERTS),
        edit in 0u8..4,
    ) {
        let mut bytes = text.json.into_bytes();
        let at = at.index(bytes.len() + 1);
        match edit {
            0 => bytes.insert(at, byte),
            1 if at < bytes.len() => {
                bytes.remove(at);
            }
            2 => bytes.truncate(at),
            // Trailing bytes: only the end of the text is checked for them.
            _ => bytes.push(byte),
        }
        same_as_serde(&bytes)?;
    }
}

/// The usual forms all go the fast way, and mean what serde says they mean.
#[test]
fn scans_what_servers_send() {
    let text = br#" {"meta": {"vtag": {"tag": "a1", "resource-id": "net", "x": {}},
        "x-generated-by": ["a", 1, -2.5e-3, true, false, null]},
      "network-map": {
        "pid2": {"ipv6": ["2001:db8::1/32", "::1"], "ipv4": ["10.1.2.3/8", " 192.0.2.1 "]},
        "pid1": {"ipv4": [], "x-asn": [64496]},
        "pid3": {}
      }}
    "#;
    let doc = same_as_serde(text).unwrap().expect("scanned");
    assert_eq!(doc.network_map.len(), 3);
    assert_eq!(doc.network_map["pid2"].ipv4[0].to_string(), "10.0.0.0/8");
    assert_eq!(doc.network_map["pid2"].ipv6[0].to_string(), "2001:db8::/32");
}

/// What the serde path refuses is left to it, and its error stands.
#[test]
fn leaves_refusals_to_serde() {
    let cases: [&[u8]; 9] = [
        br#"{"meta": {"vtag": {"resource-id": "n", "tag": "1"}}, "network-map": {"a": {}, "a": {}}}"#,
        br#"{"meta": {"vtag": {"resource-id": "n", "tag": "1"}}, "network-map": {"a": {"ipv4": ["1.2.3.4/33"]}}}"#,
        br#"{"meta": {"vtag": {"resource-id": "n", "tag": "1"}}, "network-map": {"a": {"ipv4": [], "ipv4": []}}}"#,
        br#"{"meta": {"vtag": {"resource-id": "n", "tag": "1"}}, "network-map": {"a": {"ipv4": null}}}"#,
        br#"{"meta": {"vtag": {"resource-id": "n", "tag": "1"}}, "network-map": {}} x"#,
        br#"{"meta": {"vtag": {"resource-id": "n", "tag": "1"}}, "network-map": {"a": {"x": 01}}}"#,
        br#"{"meta": {"vtag": {"resource-id": "n"}}, "network-map": {}}"#,
        br#"{"meta": {"vtag": {"resource-id": "n", "tag": "1"}}, "network-map": {},}"#,
        br#"{"network-map": {}}"#,
    ];
    for case in cases {
        assert_eq!(
            NetworkMapDoc::scan(case),
            None,
            "{}",
            String::from_utf8_lossy(case)
        );
        assert!(same_as_serde(case).is_ok());
        assert!(parse_document::<NetworkMapDoc>(case).is_err());
    }
}
