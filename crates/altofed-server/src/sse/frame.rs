//! SSE framing of ALTO updates (RFC 8895 §5): an `event:` line carrying
//! `media-type[,substream-id]`, the JSON body on `data:` lines, a blank
//! line; comments (`: ...`) for keep-alive (RFC 8895 §6.8). No `id:` lines.
//!
//! The data part of an event does not depend on the substream id, so it is
//! encoded once per body and shared (as [`Bytes`]) by every stream that
//! sends it; only the short `event:` line is per stream.

use altofed_model::media;
use bytes::Bytes;
use serde::Serialize;

/// The comment sent when a stream has been idle for the keep-alive time.
pub const KEEP_ALIVE: &[u8] = b": keep-alive\n\n";

/// `event: <media-type>,<substream-id>` (RFC 8895 §5.1, §5.2). The
/// substream id has ResourceID syntax, so it holds no line break.
pub fn event_line(media_type: &str, substream_id: &str) -> Bytes {
    Bytes::from(format!("event: {media_type},{substream_id}\n"))
}

/// `data:` lines for a compact JSON text, then the blank line that ends the
/// event (see [`DataLines`]).
pub fn data_lines(json: &[u8], max_line: Option<usize>) -> Bytes {
    let mut lines = DataLines::new(json.len(), max_line);
    lines.push(json);
    lines.finish()
}

/// `data:` lines built from a JSON text given in parts (a rope's parts,
/// a patch's per-row fragments), so the text is never joined first.
///
/// With `max_line`, a line is broken after the first structural character
/// (`,` `:` `{` `[`) outside a string once it holds `max_line` bytes; the
/// receiver joins `data:` lines with a line feed, which JSON reads as
/// whitespace, so the document is unchanged (RFC 8895 §9.5). Raw CR/LF
/// bytes, which valid JSON has only as whitespace, are dropped, so no line
/// of the body can be mistaken for an `event:` or `data:` line (RFC 8895
/// §11).
#[derive(Debug)]
pub struct DataLines {
    out: Vec<u8>,
    max_line: Option<usize>,
    line_len: usize,
    in_string: bool,
    escaped: bool,
}

impl DataLines {
    /// For a text of about `len` bytes.
    pub fn new(len: usize, max_line: Option<usize>) -> Self {
        let breaks = max_line.map_or(0, |m| len / m.max(1));
        let mut out = Vec::with_capacity(len + 8 + breaks * 7);
        out.extend_from_slice(b"data: ");
        Self {
            out,
            max_line,
            line_len: 0,
            in_string: false,
            escaped: false,
        }
    }

    /// The next part of the text.
    pub fn push(&mut self, json: &[u8]) {
        for &b in json {
            if b == b'\n' || b == b'\r' {
                continue;
            }
            self.out.push(b);
            self.line_len += 1;
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
            } else if b == b'"' {
                self.in_string = true;
            } else if matches!(b, b',' | b':' | b'{' | b'[')
                && self.max_line.is_some_and(|m| self.line_len >= m)
            {
                self.out.extend_from_slice(b"\ndata: ");
                self.line_len = 0;
            }
        }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.out.len()
    }

    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    /// The lines and the blank line that ends the event.
    pub fn finish(mut self) -> Bytes {
        self.out.extend_from_slice(b"\n\n");
        Bytes::from(self.out)
    }
}

/// The data part for a serializable value (a patch or a control object).
pub fn data_for<T: Serialize>(value: &T, max_line: Option<usize>) -> Bytes {
    // Serializing a serde_json::Value or our own types cannot fail.
    let json = serde_json::to_vec(value).unwrap_or_default();
    data_lines(&json, max_line)
}

/// A whole control event (RFC 8895 §5.3). The RFC's examples give control
/// events no data id.
pub fn control_event(control: &Control, max_line: Option<usize>) -> Bytes {
    let mut out = format!("event: {}\n", media::UPDATE_STREAM_CONTROL).into_bytes();
    out.extend_from_slice(&data_for(control, max_line));
    Bytes::from(out)
}

/// The data of a control event (RFC 8895 §5.3); absent members are omitted.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Control {
    #[serde(rename = "control-uri", skip_serializing_if = "Option::is_none")]
    pub control_uri: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub started: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stopped: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Control {
    pub fn uri(uri: String) -> Self {
        Self {
            control_uri: Some(uri),
            ..Self::default()
        }
    }

    pub fn started(ids: Vec<String>) -> Self {
        Self {
            started: ids,
            ..Self::default()
        }
    }

    pub fn stopped(ids: Vec<String>, why: &str) -> Self {
        Self {
            stopped: ids,
            description: Some(why.to_owned()),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
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
        let value = serde_json::json!({"a,b": "x,{y}:[z]\"", "c": [1, 2, {"d": "e\\\","}], "f": {"g": null}});
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
                    lines.finish(),
                    data_lines(json, Some(max)),
                    "max {max} cut {cut}"
                );
            }
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
}
