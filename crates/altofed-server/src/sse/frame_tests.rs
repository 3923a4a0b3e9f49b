//! Tests of the SSE framing: data lines rejoin to the same JSON, parts
//! and shared parts frame like the whole, the bulk path is the byte rule.

use super::*;

fn rejoin(data: &[u8]) -> String {
    let text = std::str::from_utf8(data).unwrap_or_default();
    let body = text.strip_suffix("\n\n").unwrap_or(text);
    body.split('\n')
        .map(|l| l.strip_prefix("data: ").unwrap_or("<bad>"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn one_line_without_bound() {
    assert_eq!(
        &data_lines(br#"{"a":[1,2]}"#, None)[..],
        b"data: {\"a\":[1,2]}\n\n"
    );
}

#[test]
fn split_lines_rejoin_to_the_same_json() {
    let value =
        serde_json::json!({"a,b": "x,{y}:[z]\"", "c": [1, 2, {"d": "e\\\","}], "f": {"g": null}});
    let json = serde_json::to_vec(&value).unwrap_or_default();
    for max in 1..12 {
        let data = data_lines(&json, Some(max));
        let back: serde_json::Value = serde_json::from_str(&rejoin(&data)).unwrap_or_default();
        assert_eq!(back, value, "max {max}");
    }
}

#[test]
fn parts_give_the_same_lines_as_the_whole() {
    let json = br#"{"a,b":"x,{y}:[z]\"","c":[1,2,{"d":"e\\\","}]}"#;
    for max in 1..12 {
        for cut in 0..json.len() {
            let mut lines = DataLines::new(json.len(), Some(max));
            lines.push(&json[..cut]);
            lines.push(&json[cut..]);
            assert_eq!(
                lines.finish().to_bytes(),
                data_lines(json, Some(max)),
                "max {max} cut {cut}"
            );
        }
    }
}

/// The framing rule byte by byte, as first written: what the bulk
/// path must reproduce exactly.
fn reference(parts: &[&[u8]], max_line: Option<usize>) -> Vec<u8> {
    let mut out = b"data: ".to_vec();
    let (mut line_len, mut in_string, mut escaped) = (0, false, false);
    for &b in parts.iter().flat_map(|p| p.iter()) {
        if b == b'\n' || b == b'\r' {
            continue;
        }
        out.push(b);
        line_len += 1;
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        } else if matches!(b, b',' | b':' | b'{' | b'[') && max_line.is_some_and(|m| line_len >= m)
        {
            out.extend_from_slice(b"\ndata: ");
            line_len = 0;
        }
    }
    out.extend_from_slice(b"\n\n");
    out
}

proptest::proptest! {
    #[test]
    fn bulk_framing_is_the_byte_by_byte_rule(
        text in proptest::collection::vec(proptest::sample::select(
            b"ab1:,{}[]\"\\ \n\r".to_vec()), 0..3000),
        cuts in proptest::collection::vec(0usize..3000, 0..6),
        max_line in proptest::option::of(proptest::prop_oneof![1usize..40, 1000usize..1500]),
        raw_breaks: bool,
        shared: bool,
    ) {
        // Raw CR/LF take the byte path: most texts must have none.
        let text: Vec<u8> = text.into_iter().filter(|b| raw_breaks || !b"\r\n".contains(b)).collect();
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(text.len())).collect();
        cuts.sort_unstable();
        let mut parts = Vec::new();
        let mut at = 0;
        for c in cuts.into_iter().chain([text.len()]) {
            parts.push(&text[at..c]);
            at = c;
        }
        let mut lines = DataLines::new(text.len(), max_line);
        for (i, part) in parts.iter().enumerate() {
            if shared && i % 2 == 0 {
                lines.push_shared(&Bytes::copy_from_slice(part));
            } else {
                lines.push(part);
            }
        }
        proptest::prop_assert_eq!(&lines.finish().to_bytes()[..], &reference(&parts, max_line)[..]);
    }
}

#[test]
fn raw_newlines_never_reach_the_wire() {
    let data = data_lines(b"{\"a\":\n1,\r\n\"event: x\":2}", Some(4));
    let text = std::str::from_utf8(&data).unwrap_or_default();
    assert!(text
        .strip_suffix("\n\n")
        .unwrap_or_default()
        .lines()
        .all(|l| l.starts_with("data: ")));
}
