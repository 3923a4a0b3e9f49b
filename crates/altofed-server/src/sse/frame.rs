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

use crate::snapshot::Rope;

/// The comment sent when a stream has been idle for the keep-alive time.
pub const KEEP_ALIVE: &[u8] = b": keep-alive\n\n";

/// `event: <media-type>,<substream-id>` (RFC 8895 §5.1, §5.2). The
/// substream id has ResourceID syntax, so it holds no line break.
pub fn event_line(media_type: &str, substream_id: &str) -> Bytes {
    Bytes::from(format!("event: {media_type},{substream_id}\n"))
}

/// `data:` lines for a compact JSON text, then the blank line that ends the
/// event (see [`DataLines`]), in one buffer.
pub fn data_lines(json: &[u8], max_line: Option<usize>) -> Bytes {
    let mut lines = DataLines::new(json.len(), max_line);
    lines.push(json);
    lines.finish().to_bytes()
}

/// Spans of a shared part at least this long are sent as slices of it
/// rather than copied.
const SHARE_MIN: usize = 1024;

/// `data:` lines built from a JSON text given in parts (a rope's parts,
/// a patch's per-row fragments), so the text is never joined first: the
/// lines are a [`Rope`] of slices of the shared parts (see
/// [`DataLines::push_shared`]) and of the short text between them.
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
    /// What is finished, in order.
    parts: Vec<Bytes>,
    /// Copied text after the last part.
    buf: Vec<u8>,
    max_line: Option<usize>,
    line_len: usize,
    in_string: bool,
    escaped: bool,
}

impl DataLines {
    /// For a text of about `len` bytes (the copy buffer's first size).
    pub fn new(len: usize, max_line: Option<usize>) -> Self {
        let mut buf = Vec::with_capacity(len.min(64 * 1024) + 8);
        buf.extend_from_slice(b"data: ");
        Self {
            parts: Vec::new(),
            buf,
            max_line,
            line_len: 0,
            in_string: false,
            escaped: false,
        }
    }

    /// The next part of the text, copied.
    pub fn push(&mut self, json: &[u8]) {
        self.frame(json, None);
    }

    /// The next part of the text, which the lines may share: its long
    /// spans between line breaks go out as slices of it.
    pub fn push_shared(&mut self, json: &Bytes) {
        self.frame(json, Some(json));
    }

    /// Bytes that cannot end a line (the line is shorter than `max_line`)
    /// are taken in bulk, the string state carried by counting quotes;
    /// byte by byte only once a line is due to break, in a span that holds
    /// a backslash (an escape), or in a part with raw line breaks.
    fn frame(&mut self, json: &[u8], shared: Option<&Bytes>) {
        if memchr::memchr2(b'\n', b'\r', json).is_some() {
            json.iter().for_each(|&b| self.step(b));
            return;
        }
        let mut at = 0;
        while let Some(&first) = json.get(at) {
            // Bytes that leave the line below max_line - 1 cannot break it.
            let room = self
                .max_line
                .map_or(usize::MAX, |m| m.saturating_sub(self.line_len + 1));
            if room == 0 {
                self.step(first);
                at += 1;
                continue;
            }
            let end = at + room.min(json.len() - at);
            self.bulk(&json[at..end]);
            match shared {
                Some(part) if end - at >= SHARE_MIN => {
                    let copied = std::mem::take(&mut self.buf);
                    self.parts.push(Bytes::from(copied));
                    self.parts.push(part.slice(at..end));
                }
                _ => self.buf.extend_from_slice(&json[at..end]),
            }
            at = end;
        }
    }

    /// The string state and line length after `bulk`, in which no line
    /// break falls; the caller takes its bytes.
    fn bulk(&mut self, bulk: &[u8]) {
        self.line_len += bulk.len();
        if self.escaped || memchr::memchr(b'\\', bulk).is_some() {
            bulk.iter().for_each(|&b| self.track(b));
        } else if bytecount::count(bulk, b'"') % 2 == 1 {
            self.in_string = !self.in_string;
        }
    }

    /// One byte, the line broken after it if it is due.
    fn step(&mut self, b: u8) {
        if b == b'\n' || b == b'\r' {
            return;
        }
        self.buf.push(b);
        self.line_len += 1;
        let outside = !self.in_string;
        self.track(b);
        if outside
            && matches!(b, b',' | b':' | b'{' | b'[')
            && self.max_line.is_some_and(|m| self.line_len >= m)
        {
            self.buf.extend_from_slice(b"\ndata: ");
            self.line_len = 0;
        }
    }

    /// The string state after byte `b`.
    fn track(&mut self, b: u8) {
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
        }
    }

    /// The lines and the blank line that ends the event.
    pub fn finish(mut self) -> Rope {
        self.buf.extend_from_slice(b"\n\n");
        self.parts.push(Bytes::from(self.buf));
        Rope::from_parts(self.parts)
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
#[path = "frame_tests.rs"]
mod tests;
