//! A whole document's patches: its meta's (diffed as small JSON values),
//! then its rows' ([`Frag`]s), framed as `data:` lines part by part, so
//! the rows' texts are never joined into one buffer: the lines share them.

use serde::Serialize;
use serde_json::Value;

use super::super::frame::DataLines;
use super::super::patch::merge_diff;
use super::text::{write_str, Frag};
use crate::snapshot::Rope;

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
    pub fn merge_lines(&self, max_line: Option<usize>) -> Rope {
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
            lines.push_shared(&row.merge);
        }
        if rows().next().is_some() {
            lines.push(b"}");
        }
        lines.push(b"}");
        lines.finish()
    }

    /// `data:` lines of the JSON patch: the meta's operations, then the rows'.
    pub fn json_lines(&self, max_line: Option<usize>) -> Rope {
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
            lines.push_shared(&row.json);
        }
        lines.push(b"]");
        lines.finish()
    }
}

fn meta_value(meta: &impl Serialize) -> Value {
    // Our own meta types always serialize.
    serde_json::to_value(meta).unwrap_or(Value::Null)
}
