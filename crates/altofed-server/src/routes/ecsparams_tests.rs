use altofed_model::endpoint::EndpointCostRequest;
use proptest::prelude::*;

use super::*;
use crate::http::body::parse_body;

/// What serde makes of `body`, as [`EcsParams`] (`None`: an error).
fn by_serde(body: &[u8]) -> Option<EcsParams<'static>> {
    parse_body::<EndpointCostRequest>(body)
        .ok()
        .map(EcsParams::from)
}

/// [`parse`] may decline anything, but what it accepts serde must read
/// the same.
fn assert_agrees(body: &[u8]) {
    if let Some(fast) = parse(body) {
        let text = String::from_utf8_lossy(body);
        assert_eq!(Some(fast), by_serde(body), "{text}");
    }
}

const USUAL: &str = r#"{"cost-type":{"cost-metric":"routingcost","cost-mode":"numerical"},"endpoints":{"srcs":["ipv4:192.0.2.1","ipv6:2001:db8::1"],"dsts":["ipv4:198.51.100.2"]}}"#;

/// Bodies the reader takes: the usual forms.
const TAKEN: &[&str] = &[
    USUAL,
    " {\n\t\"endpoints\" : { \"dsts\" : [ \"ipv4:1.2.3.4\" , \"ipv4:1.2.3.4\" ] } ,\r\n \"cost-type\" : { \"cost-mode\" : \"ordinal\" , \"cost-metric\" : \"hopcount\" } } \n",
    r#"{"cost-type":{"cost-metric":"routingcost","cost-mode":"numerical"},"endpoints":{"srcs":[],"dsts":[]}}"#,
    r#"{"cost-type":{"cost-metric":"routingcost","cost-mode":"numerical"},"endpoints":{}}"#,
    r#"{"cost-type":{"cost-metric":"routingcost","cost-mode":"numerical"},"endpoints":{"dsts":["ipv4:nope","garbage","ipv6:ü"]}}"#,
    r#"{"cost-type":{"cost-metric":"","cost-mode":"numerical"},"endpoints":{"srcs":["ipv6:::ffff:1.2.3.4"]}}"#,
];

/// Bodies left to serde: errors, and valid requests of other forms.
const DECLINED: &[&str] = &[
    "",
    "[]",
    "{}",
    "null",
    r#"{"cost-type":{"cost-metric":"routingcost","cost-mode":"numerical"}}"#,
    r#"{"endpoints":{"srcs":["ipv4:1.2.3.4"]}}"#,
    r#"{"cost-type":{"cost-metric":"routingcost","cost-mode":"numerical"},"endpoints":{"srcs":["ipv4:1.2.3.4"]},"constraints":["le 5"]}"#,
    r#"{"cost-type":{"cost-metric":"routingcost","cost-mode":"numerical"},"endpoints":{"srcs":["ipv4:1.2.3.4"]},"or-constraints":[["le 5"]]}"#,
    r#"{"cost-type":{"cost-metric":"routingcost","cost-mode":"numerical","description":"x"},"endpoints":{"srcs":["ipv4:1.2.3.4"]}}"#,
    r#"{"cost-type":{"cost-metric":"routingcost","cost-mode":"numerical"},"endpoints":{"srcs":["ipv4:1.2.3.\u0034"]}}"#,
    r#"{"cost-type":{"cost-metric":"routing\"cost","cost-mode":"numerical"},"endpoints":{"srcs":["ipv4:1.2.3.4"]}}"#,
    r#"{"cost-type":{"cost-metric":"routingcost","cost-mode":"numerical"},"endpoints":{"srcs":["ipv4:1.2.3.4"],"srcs":["ipv4:1.2.3.5"]}}"#,
    r#"{"cost-type":{"cost-metric":"routingcost","cost-mode":"numerical"},"cost-type":{"cost-metric":"routingcost","cost-mode":"numerical"},"endpoints":{"srcs":["ipv4:1.2.3.4"]}}"#,
    r#"{"cost-type":{"cost-metric":"routingcost","cost-mode":"numerical"},"endpoints":{"srcs":null}}"#,
    r#"{"cost-type":{"cost-metric":"routingcost","cost-mode":"numerical"},"endpoints":{"srcs":[1]}}"#,
    r#"{"cost-type":{"cost-metric":"routingcost","cost-mode":"Numerical"},"endpoints":{"srcs":["ipv4:1.2.3.4"]}}"#,
    r#"{"cost-type":{"cost-metric":"routingcost","cost-mode":"numerical"},"endpoints":{"srcs":["ipv4:1.2.3.4"]}} x"#,
    r#"{"cost-type":{"cost-metric":"routingcost","cost-mode":"numerical"},"endpoints":{"srcs":["ipv4:1.2.3.4",]}}"#,
    r#"{"cost-type":{"cost-metric":"routingcost","cost-mode":"numerical"},"endpoints":{"srcs":["ipv4:1.2.3.4"]},}"#,
    r#"{"cost-type":{"cost-metric":"routingcost","cost-mode":"numerical"},"endpoints":{"srcs":["ipv4:1.2.3.4"]}"#,
    "{\"cost-type\":{\"cost-metric\":\"routingcost\",\"cost-mode\":\"numerical\"},\"endpoints\":{\"srcs\":[\"ipv4:1.2.3.4\u{1}\"]}}",
    "\u{feff}{\"cost-type\":{\"cost-metric\":\"routingcost\",\"cost-mode\":\"numerical\"},\"endpoints\":{}}",
    "{\"cost-type\":{\"cost-metric\":\"routingcost\",\"cost-mode\":\"numerical\"},\"endpoints\":{}}\u{a0}",
];

#[test]
fn the_usual_forms_are_read_as_serde_reads_them() {
    for body in TAKEN {
        assert!(parse(body.as_bytes()).is_some(), "declined: {body}");
        assert_agrees(body.as_bytes());
    }
    let usual = parse(USUAL.as_bytes()).unwrap_or_else(|| unreachable!());
    assert!(matches!(usual.metric, Cow::Borrowed("routingcost")));
    let srcs = usual.srcs.unwrap_or_default();
    assert_eq!(srcs, ["ipv4:192.0.2.1", "ipv6:2001:db8::1"]);
    assert!(srcs.iter().all(|s| matches!(s, Cow::Borrowed(_))));
}

#[test]
fn anything_else_is_left_to_serde() {
    for body in DECLINED {
        assert!(parse(body.as_bytes()).is_none(), "taken: {body}");
    }
}

#[test]
fn invalid_utf8_in_a_string_is_left_to_serde() {
    let body = USUAL.replace("ipv4:192.0.2.1", "ipv4:192.0.2.1\u{e9}");
    let mut bytes = body.into_bytes();
    let at = bytes.iter().position(|&b| b == 0xc3).unwrap_or_default();
    bytes.remove(at);
    assert!(parse(&bytes).is_none());
}

/// Bytes that matter to JSON's structure, for mutations.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    " ",
    "\n",
    "null",
    "1",
    "\"srcs\"",
    "\"dsts\"",
    "\"cost-type\"",
    "\"endpoints\"",
    "\u{1}",
    "\u{e9}",
    "\\u0041",
    "\"ipv4:1.2.3.4\"",
];

proptest! {
    /// A valid body with one piece cut out and one token put in, at
    /// random: whatever the reader accepts, serde reads the same.
    #[test]
    fn accepted_bodies_agree_with_serde(
        base in proptest::sample::select(TAKEN),
        cut_at in 0usize..200,
        cut_len in 0usize..4,
        token in proptest::sample::select(TOKENS),
        put_at in 0usize..200,
    ) {
        let mut bytes = base.as_bytes().to_vec();
        let at = cut_at.min(bytes.len());
        let end = (at + cut_len).min(bytes.len());
        bytes.drain(at..end);
        let at = put_at.min(bytes.len());
        bytes.splice(at..at, token.bytes());
        assert_agrees(&bytes);
    }
}
