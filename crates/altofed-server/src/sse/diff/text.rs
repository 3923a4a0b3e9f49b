//! The text of a document's patches, written directly rather than through
//! a `serde_json::Value` of the document: an RFC 7396 merge patch and an
//! RFC 6902 JSON patch, built row by row. A *row* is one member of the
//! document's map member (a cost map source, a PID, a property map
//! entity), so rows can be compared in parallel and an unchanged row costs
//! nothing. Values arrive as JSON text written by the same code that writes
//! the GET body, so a patch carries exactly the body's numbers.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use bytes::Bytes;

/// Which patch texts to write. Neither: only find out whether anything
/// changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Want {
    pub merge: bool,
    pub json: bool,
}

impl Want {
    fn any(self) -> bool {
        self.merge || self.json
    }
}

/// What the rows of one document may still write: a patch that is not
/// smaller than the full body is replaced by the body, so writing stops
/// there; with no patch wanted, the first change found ends the search.
#[derive(Debug)]
pub(super) struct Budget {
    want: Want,
    limit: usize,
    merge: AtomicUsize,
    json: AtomicUsize,
    changed: AtomicBool,
}

impl Budget {
    /// `limit`: the full body's length.
    pub fn new(want: Want, limit: usize) -> Self {
        Self {
            want,
            limit,
            merge: AtomicUsize::new(0),
            json: AtomicUsize::new(0),
            changed: AtomicBool::new(false),
        }
    }

    /// What the next row writes: the wanted kinds still within the limit.
    pub fn want(&self) -> Want {
        let within = |used: &AtomicUsize| used.load(Ordering::Relaxed) < self.limit;
        Want {
            merge: self.want.merge && within(&self.merge),
            json: self.want.json && within(&self.json),
        }
    }

    /// Nothing more to learn from further rows.
    pub fn done(&self) -> bool {
        if self.want.any() {
            !self.want().any()
        } else {
            self.changed.load(Ordering::Relaxed)
        }
    }

    /// Counts a finished row.
    pub fn spend(&self, frag: &Frag) {
        self.merge.fetch_add(frag.merge.len(), Ordering::Relaxed);
        self.json.fetch_add(frag.json.len(), Ordering::Relaxed);
        if frag.changed {
            self.changed.store(true, Ordering::Relaxed);
        }
    }
}

/// One row's part of each patch: the merge patch member (`"key":…`) and
/// the JSON patch operations, comma-separated, without brackets. Shared,
/// not copied, by the `data:` lines of the patch.
#[derive(Debug, Default)]
pub(super) struct Frag {
    pub merge: Bytes,
    pub json: Bytes,
    /// The row writes a `null` member, which a merge patch cannot say.
    pub merge_failed: bool,
    pub changed: bool,
}

/// A [`Frag`] being written.
#[derive(Debug, Default)]
struct Text {
    merge: Vec<u8>,
    json: Vec<u8>,
    merge_failed: bool,
    changed: bool,
}

impl Text {
    fn done(self) -> Frag {
        Frag {
            merge: Bytes::from(self.merge),
            json: Bytes::from(self.json),
            merge_failed: self.merge_failed,
            changed: self.changed,
        }
    }
}

impl Frag {
    /// The row is new: `value` (its whole JSON text) is added;
    /// `writable`: it holds no `null` member (see [`RowPatch::set`]).
    pub fn added(want: Want, member: &str, key: &str, value: &[u8], writable: bool) -> Self {
        let mut text = Text {
            changed: true,
            merge_failed: want.merge && !writable,
            ..Text::default()
        };
        if want.merge && writable {
            write_str(&mut text.merge, key);
            text.merge.push(b':');
            text.merge.extend_from_slice(value);
        }
        if want.json {
            json_op(&mut text.json, "add", &pointer(member, key), Some(value));
        }
        text.done()
    }

    /// The row is gone.
    pub fn removed(want: Want, member: &str, key: &str) -> Self {
        let mut text = Text {
            changed: true,
            ..Text::default()
        };
        if want.merge {
            write_str(&mut text.merge, key);
            text.merge.extend_from_slice(b":null");
        }
        if want.json {
            json_op(&mut text.json, "remove", &pointer(member, key), None);
        }
        text.done()
    }
}

/// The changes inside a row present in both versions, entry by entry.
#[derive(Debug)]
pub(super) struct RowPatch<'a> {
    want: Want,
    key: &'a str,
    /// `/<member>/<key>/`, for the entries' paths.
    prefix: String,
    path: String,
    frag: Text,
}

impl<'a> RowPatch<'a> {
    pub fn new(want: Want, member: &str, key: &'a str) -> Self {
        let mut prefix = pointer(member, key);
        prefix.push('/');
        Self {
            want,
            key,
            path: String::with_capacity(prefix.len() + 32),
            prefix,
            frag: Text::default(),
        }
    }

    /// Entry `inner` now holds `value` (JSON text); `existed`: the old row
    /// had the entry. `merge_value` is what the merge patch writes (an
    /// object is merged, not assigned, so a changed object needs its own
    /// merge diff); `None` when a merge patch cannot express it.
    pub fn set(&mut self, inner: &str, existed: bool, merge_value: Option<&[u8]>, value: &[u8]) {
        self.frag.changed = true;
        if self.want.merge {
            match merge_value {
                Some(text) => {
                    self.merge_entry(inner);
                    self.frag.merge.extend_from_slice(text);
                }
                None => self.frag.merge_failed = true,
            }
        }
        self.set_json(inner, existed, value);
    }

    /// Entry `inner` now holds `value`, in the JSON patch only: its merge
    /// patch member went in with [`RowPatch::merge_members`].
    pub fn set_json(&mut self, inner: &str, existed: bool, value: &[u8]) {
        self.frag.changed = true;
        if self.want.json {
            let op = if existed { "replace" } else { "add" };
            self.entry_path(inner);
            json_op(&mut self.frag.json, op, &self.path, Some(value));
        }
    }

    /// Members `"inner":value,…` written elsewhere (the body's own text of
    /// a segment whose every entry changed), merged as they are: the merge
    /// patch of those entries is that text, byte for byte.
    pub fn merge_members(&mut self, members: &[u8]) {
        self.frag.changed = true;
        if self.want.merge && !members.is_empty() {
            self.open_member();
            self.frag.merge.extend_from_slice(members);
        }
    }

    /// Entry `inner` is gone.
    pub fn remove(&mut self, inner: &str) {
        self.frag.changed = true;
        if self.want.merge {
            self.merge_entry(inner);
            self.frag.merge.extend_from_slice(b"null");
        }
        if self.want.json {
            self.entry_path(inner);
            json_op(&mut self.frag.json, "remove", &self.path, None);
        }
    }

    /// Something changed, nothing is written (only whether it changed is
    /// asked).
    pub fn mark_changed(&mut self) {
        self.frag.changed = true;
    }

    /// Whether the JSON patch is written (entries must be named one by one).
    pub fn wants_json(&self) -> bool {
        self.want.json
    }

    /// Whether any entry changed so far.
    pub fn changed(&self) -> bool {
        self.frag.changed
    }

    pub fn finish(mut self) -> Frag {
        if !self.frag.merge.is_empty() {
            self.frag.merge.push(b'}');
        }
        self.frag.done()
    }

    /// Opens the row's object on its first entry, then `"inner":`.
    fn merge_entry(&mut self, inner: &str) {
        self.open_member();
        write_str(&mut self.frag.merge, inner);
        self.frag.merge.push(b':');
    }

    /// Opens the row's object before its first member, else a comma.
    fn open_member(&mut self) {
        let merge = &mut self.frag.merge;
        if merge.is_empty() {
            write_str(merge, self.key);
            merge.extend_from_slice(b":{");
        } else {
            merge.push(b',');
        }
    }

    fn entry_path(&mut self, inner: &str) {
        self.path.clear();
        self.path.push_str(&self.prefix);
        push_token(&mut self.path, inner);
    }
}

/// A JSON string, escaped as serde_json escapes it (as in the body).
pub(super) fn write_str(out: &mut Vec<u8>, s: &str) {
    // Writing a string to a Vec cannot fail.
    let _ = serde_json::to_writer(out, s);
}

/// `{"op":…,"path":…[,"value":…]}`, after a comma if `out` has operations.
fn json_op(out: &mut Vec<u8>, op: &str, path: &str, value: Option<&[u8]>) {
    if !out.is_empty() {
        out.push(b',');
    }
    out.extend_from_slice(b"{\"op\":\"");
    out.extend_from_slice(op.as_bytes());
    out.extend_from_slice(b"\",\"path\":");
    write_str(out, path);
    if let Some(value) = value {
        out.extend_from_slice(b",\"value\":");
        out.extend_from_slice(value);
    }
    out.push(b'}');
}

/// The JSON pointer `/<member>/<key>` (RFC 6901).
fn pointer(member: &str, key: &str) -> String {
    let mut out = String::with_capacity(member.len() + key.len() + 2);
    out.push('/');
    push_token(&mut out, member);
    out.push('/');
    push_token(&mut out, key);
    out
}

/// A reference token: `~` as `~0`, `/` as `~1` (RFC 6901 §3).
fn push_token(out: &mut String, token: &str) {
    if !token.contains(['~', '/']) {
        out.push_str(token);
        return;
    }
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}
