//! The text of a document's patches, written directly rather than through
//! a `serde_json::Value` of the document: an RFC 7396 merge patch and an
//! RFC 6902 JSON patch, built row by row. A *row* is one member of the
//! document's map member (a cost map source, a PID, a property map
//! entity), so rows can be compared in parallel and an unchanged row costs
//! nothing. Values arrive as JSON text written by the same code that writes
//! the GET body, so a patch carries exactly the body's numbers.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use super::super::frame::DataLines;
use super::super::patch::merge_diff;

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
/// the JSON patch operations, comma-separated, without brackets.
#[derive(Debug, Default)]
pub(super) struct Frag {
    pub merge: Vec<u8>,
    pub json: Vec<u8>,
    /// The row writes a `null` member, which a merge patch cannot say.
    pub merge_failed: bool,
    pub changed: bool,
}

impl Frag {
    /// The row is new: `value` (its whole JSON text) is added;
    /// `writable`: it holds no `null` member (see [`RowPatch::set`]).
    pub fn added(want: Want, member: &str, key: &str, value: &[u8], writable: bool) -> Self {
        let mut frag = Frag {
            changed: true,
            merge_failed: want.merge && !writable,
            ..Frag::default()
        };
        if want.merge && writable {
            write_str(&mut frag.merge, key);
            frag.merge.push(b':');
            frag.merge.extend_from_slice(value);
        }
        if want.json {
            json_op(&mut frag.json, "add", &pointer(member, key), Some(value));
        }
        frag
    }

    /// The row is gone.
    pub fn removed(want: Want, member: &str, key: &str) -> Self {
        let mut frag = Frag {
            changed: true,
            ..Frag::default()
        };
        if want.merge {
            write_str(&mut frag.merge, key);
            frag.merge.extend_from_slice(b":null");
        }
        if want.json {
            json_op(&mut frag.json, "remove", &pointer(member, key), None);
        }
        frag
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
    frag: Frag,
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
            frag: Frag::default(),
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
        if self.want.json {
            let op = if existed { "replace" } else { "add" };
            self.entry_path(inner);
            json_op(&mut self.frag.json, op, &self.path, Some(value));
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

    /// Whether any entry changed so far.
    pub fn changed(&self) -> bool {
        self.frag.changed
    }

    pub fn finish(mut self) -> Frag {
        if !self.frag.merge.is_empty() {
            self.frag.merge.push(b'}');
        }
        self.frag
    }

    /// Opens the row's object on its first entry, then `"inner":`.
    fn merge_entry(&mut self, inner: &str) {
        let merge = &mut self.frag.merge;
        if merge.is_empty() {
            write_str(merge, self.key);
            merge.extend_from_slice(b":{");
        } else {
            merge.push(b',');
        }
        write_str(merge, inner);
        merge.push(b':');
    }

    fn entry_path(&mut self, inner: &str) {
        self.path.clear();
        self.path.push_str(&self.prefix);
        push_token(&mut self.path, inner);
    }
}

/// A whole document's patches: the meta's, then the rows'.
#[derive(Debug)]
pub(super) struct DocPatch {
    /// The document's map member, e.g. `cost-map`.
    pub member: &'static str,
    /// The meta's merge patch, `None` when the meta is unchanged.
    pub meta_merge: Option<Value>,
    /// The meta's JSON patch operations (paths under `/meta`).
    pub meta_json: json_patch::Patch,
    pub rows: Vec<Frag>,
}

impl DocPatch {
    /// `meta` is small: it is diffed as values.
    pub fn new(member: &'static str, old_meta: &impl Serialize, new_meta: &impl Serialize) -> Self {
        let (old, new) = (meta_value(old_meta), meta_value(new_meta));
        let meta_merge =
            merge_diff(&old, &new).filter(|p| p.as_object().is_some_and(|m| !m.is_empty()));
        let meta_json = json_patch::diff(
            &serde_json::json!({ "meta": old }),
            &serde_json::json!({ "meta": new }),
        );
        Self {
            member,
            meta_merge,
            meta_json,
            rows: Vec::new(),
        }
    }

    pub fn changed(&self) -> bool {
        self.meta_merge.is_some()
            || !self.meta_json.0.is_empty()
            || self.rows.iter().any(|r| r.changed)
    }

    pub fn merge_failed(&self) -> bool {
        self.rows.iter().any(|r| r.merge_failed)
    }

    /// `data:` lines of the merge patch:
    /// `{"meta":{…},"<member>":{"<row>":…,…}}`.
    pub fn merge_lines(&self, max_line: Option<usize>) -> Bytes {
        let rows = || self.rows.iter().filter(|r| !r.merge.is_empty());
        let len = rows().map(|r| r.merge.len() + 1).sum::<usize>() + 64;
        let mut lines = DataLines::new(len, max_line);
        lines.push(b"{");
        if let Some(meta) = &self.meta_merge {
            lines.push(b"\"meta\":");
            lines.push(&serde_json::to_vec(meta).unwrap_or_default());
        }
        for (i, row) in rows().enumerate() {
            if i == 0 {
                let mut open = Vec::new();
                if self.meta_merge.is_some() {
                    open.push(b',');
                }
                write_str(&mut open, self.member);
                open.extend_from_slice(b":{");
                lines.push(&open);
            } else {
                lines.push(b",");
            }
            lines.push(&row.merge);
        }
        if rows().next().is_some() {
            lines.push(b"}");
        }
        lines.push(b"}");
        lines.finish()
    }

    /// `data:` lines of the JSON patch: the meta's operations, then the rows'.
    pub fn json_lines(&self, max_line: Option<usize>) -> Bytes {
        let len = self.rows.iter().map(|r| r.json.len() + 1).sum::<usize>() + 256;
        let mut lines = DataLines::new(len, max_line);
        lines.push(b"[");
        let mut first = true;
        for op in &self.meta_json.0 {
            if !std::mem::take(&mut first) {
                lines.push(b",");
            }
            lines.push(&serde_json::to_vec(op).unwrap_or_default());
        }
        for row in self.rows.iter().filter(|r| !r.json.is_empty()) {
            if !std::mem::take(&mut first) {
                lines.push(b",");
            }
            lines.push(&row.json);
        }
        lines.push(b"]");
        lines.finish()
    }
}

fn meta_value(meta: &impl Serialize) -> Value {
    // Our own meta types always serialize.
    serde_json::to_value(meta).unwrap_or(Value::Null)
}

/// A JSON string, escaped as serde_json escapes it (as in the body).
fn write_str(out: &mut Vec<u8>, s: &str) {
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
