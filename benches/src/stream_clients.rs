//! RFC 8895 stream subscribers for the update stream benches: each reads
//! its stream as raw bytes, line by line (keeping only the start of each
//! line: its length is counted, the rest of a 16 kB `data:` line is not
//! copied), and reports every event of the cost map substream with the time its last
//! byte arrived and the vtag its first line names. Nothing is parsed as
//! JSON: the bench measures the server, not a client's parser.

use std::time::Instant;

use altofed_tests::sse_client;
use tokio::sync::mpsc;

/// The substream id of the cost map in every bench stream.
pub const COST_SUBSTREAM: &str = "c";

/// One cost map event received in full.
#[derive(Debug, Clone)]
pub struct Received {
    /// The stream (index given at open).
    pub stream: usize,
    pub at: Instant,
    /// `application/merge-patch+json`, `application/json-patch+json` or the
    /// cost map media type (a full replacement).
    pub media_type: String,
    /// The cost map vtag the event brings (`meta.vtag.tag`).
    pub tag: Option<String>,
    pub bytes: usize,
}

/// Opens a stream on `base` with the network map, `cost_map` (as
/// substream [`COST_SUBSTREAM`]) and `property_map`, no tags (so the
/// client first gets each whole), and spawns its reader.
pub async fn open(
    client: &reqwest::Client,
    base: &str,
    stream: usize,
    ids: [&str; 3],
    events: mpsc::UnboundedSender<Received>,
) -> tokio::task::JoinHandle<()> {
    let [net, cost_map, props] = ids;
    let body = serde_json::json!({"add": {
        "n": {"resource-id": net},
        COST_SUBSTREAM: {"resource-id": cost_map},
        "p": {"resource-id": props},
    }});
    let response = sse_client::open(client, base, &body.to_string()).await;
    assert_eq!(response.status(), 200, "the stream opens");
    tokio::spawn(read(response, stream, events))
}

async fn read(
    mut response: reqwest::Response,
    stream: usize,
    events: mpsc::UnboundedSender<Received>,
) {
    // The start of the current line (enough for an `event:` line and the
    // meta of a first `data:` line) and its full length: the rest of a
    // 16 kB data line is counted, not copied.
    let mut line = Vec::new();
    let mut line_len = 0;
    let mut event = Event::default();
    let take = |part: &[u8], line: &mut Vec<u8>, line_len: &mut usize| {
        let keep = LINE_START.saturating_sub(line.len()).min(part.len());
        line.extend_from_slice(&part[..keep]);
        *line_len += part.len();
    };
    while let Ok(Some(chunk)) = response.chunk().await {
        let mut rest = &chunk[..];
        while let Some(pos) = memchr::memchr(b'\n', rest) {
            take(&rest[..pos], &mut line, &mut line_len);
            rest = &rest[pos + 1..];
            if let Some(done) = event.line(&line, line_len) {
                if done.substream == COST_SUBSTREAM {
                    let received = Received {
                        stream,
                        at: Instant::now(),
                        media_type: done.media_type,
                        tag: done.tag,
                        bytes: done.bytes,
                    };
                    if events.send(received).is_err() {
                        return;
                    }
                }
            }
            line.clear();
            line_len = 0;
        }
        take(rest, &mut line, &mut line_len);
    }
}

/// How much of a line the reader keeps: the cost map meta (vtag) is at
/// the start of the first data line.
const LINE_START: usize = 4096;

/// The event being read.
#[derive(Debug, Default)]
struct Event {
    media_type: String,
    substream: String,
    tag: Option<String>,
    bytes: usize,
    first_data: bool,
}

impl Event {
    /// Takes one line (its start, and its length); returns the event it
    /// ends, if any.
    fn line(&mut self, line: &[u8], len: usize) -> Option<Event> {
        if len == 0 {
            return (!self.media_type.is_empty()).then(|| std::mem::take(self));
        }
        self.bytes += len + 1;
        if let Some(name) = line.strip_prefix(b"event: ") {
            let name = String::from_utf8_lossy(name);
            let (media_type, substream) = name.split_once(',').unwrap_or((&name, ""));
            self.media_type = media_type.to_owned();
            self.substream = substream.to_owned();
            self.first_data = true;
        } else if let Some(data) = line.strip_prefix(b"data: ") {
            if std::mem::take(&mut self.first_data) {
                self.tag = vtag(data);
            }
        }
        None
    }
}

/// `meta.vtag.tag` from the start of a cost map body or merge patch (the
/// meta comes first and is far shorter than one line).
fn vtag(data: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(data).ok()?;
    let after = &text[text.find("\"vtag\":{")?..];
    let tag = &after[after.find("\"tag\":\"")? + 7..];
    Some(tag[..tag.find('"')?].to_owned())
}

/// Process CPU time (user + system, all threads) in seconds, from
/// `/proc/self/stat` (clock ticks of 1/100 s, Linux's fixed `USER_HZ`).
pub fn process_cpu() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split(' ').collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    // utime and stime are fields 14 and 15 of the line: 11 and 12 after
    // the state (field 3).
    Some((ticks(11)? + ticks(12)?) as f64 / 100.0)
}

/// A `kB` line of `/proc/self/status`, in bytes.
pub fn status_bytes(field: &str) -> Option<usize> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    let kb: usize = line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// Sets VmHWM to the current RSS (Linux >= 4.0).
pub fn reset_peak() -> std::io::Result<()> {
    std::fs::write("/proc/self/clear_refs", "5")
}
