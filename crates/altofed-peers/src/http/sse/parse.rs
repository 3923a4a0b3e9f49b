//! A server-sent events parser (the HTML "event stream" format that RFC
//! 8895 §3.4 uses): lines end with CRLF, LF or CR; `event:` sets the type,
//! `data:` lines are joined with LF, a blank line dispatches, lines
//! starting with `:` are comments (keep-alives, RFC 8895 §6.8) and are
//! ignored, as are `id:`, `retry:` and unknown fields.

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SseEvent {
    /// The `event` field (`media-type[,data-id]` in RFC 8895 §5.1).
    pub event: String,
    pub data: Vec<u8>,
}

/// An event (or a line) grew past the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooLong;

/// Feeds on chunks as they arrive; keeps the unfinished line and event.
#[derive(Debug)]
pub(crate) struct SseParser {
    line: Vec<u8>,
    event: String,
    data: Vec<u8>,
    has_data: bool,
    /// The last chunk ended with CR: a LF starting the next one belongs
    /// to that line break.
    after_cr: bool,
    limit: usize,
}

impl SseParser {
    /// A parser that refuses events whose data exceeds `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Self {
            line: Vec::new(),
            event: String::new(),
            data: Vec::new(),
            has_data: false,
            after_cr: false,
            limit,
        }
    }

    /// Parses `bytes`, appending complete events to `out`.
    pub fn feed(&mut self, mut bytes: &[u8], out: &mut Vec<SseEvent>) -> Result<(), TooLong> {
        while let Some((&first, rest)) = bytes.split_first() {
            if std::mem::take(&mut self.after_cr) && first == b'\n' {
                bytes = rest;
                continue;
            }
            match bytes.iter().position(|&b| b == b'\n' || b == b'\r') {
                Some(i) => {
                    self.push(&bytes[..i])?;
                    self.after_cr = bytes[i] == b'\r';
                    self.end_line(out);
                    bytes = &bytes[i + 1..];
                }
                None => {
                    self.push(bytes)?;
                    break;
                }
            }
        }
        Ok(())
    }

    fn push(&mut self, part: &[u8]) -> Result<(), TooLong> {
        if self.line.len() + self.data.len() + part.len() > self.limit {
            return Err(TooLong);
        }
        self.line.extend_from_slice(part);
        Ok(())
    }

    fn end_line(&mut self, out: &mut Vec<SseEvent>) {
        let line = std::mem::take(&mut self.line);
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if line[0] == b':' {
            return;
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(i) => {
                let value = &line[i + 1..];
                (&line[..i], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (&line[..], &[][..]),
        };
        match field {
            b"event" => self.event = String::from_utf8_lossy(value).into_owned(),
            b"data" => {
                self.data.extend_from_slice(value);
                self.data.push(b'\n');
                self.has_data = true;
            }
            _ => {}
        }
        // Reuse the line's allocation.
        self.line = line;
        self.line.clear();
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        let event = std::mem::take(&mut self.event);
        let mut data = std::mem::take(&mut self.data);
        if std::mem::take(&mut self.has_data) {
            data.pop();
            out.push(SseEvent { event, data });
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn parse_in_pieces(text: &[u8], piece: usize) -> Vec<SseEvent> {
        let mut parser = SseParser::new(1 << 20);
        let mut out = Vec::new();
        for chunk in text.chunks(piece) {
            assert_eq!(parser.feed(chunk, &mut out), Ok(()));
        }
        out
    }

    fn event(event: &str, data: &str) -> SseEvent {
        SseEvent {
            event: event.to_owned(),
            data: data.as_bytes().to_vec(),
        }
    }

    #[test]
    fn events_comments_and_line_endings_in_any_chunking() {
        let text = b"event: application/alto-updatestreamcontrol+json\r\n\
data: {\"control-uri\":\"/u/1\"}\r\n\r\n\
: keep-alive\n\n\
event: application/merge-patch+json,cost\r\
data: {\"a\":\r\
data: 1}\r\r\
id: ignored\nretry: 5\nevent:x\ndata\n\n\
event: dropped, no data\n\n";
        let want = vec![
            event(
                "application/alto-updatestreamcontrol+json",
                "{\"control-uri\":\"/u/1\"}",
            ),
            event("application/merge-patch+json,cost", "{\"a\":\n1}"),
            event("x", ""),
        ];
        for piece in 1..text.len() {
            assert_eq!(parse_in_pieces(text, piece), want, "chunks of {piece}");
        }
    }

    #[test]
    fn an_endless_event_is_refused() {
        let mut parser = SseParser::new(16);
        let mut out = Vec::new();
        assert_eq!(parser.feed(b"data: 0123456789\n", &mut out), Ok(()));
        assert_eq!(parser.feed(b"data: 0123456789\n", &mut out), Err(TooLong));
        assert!(out.is_empty());
    }
}
