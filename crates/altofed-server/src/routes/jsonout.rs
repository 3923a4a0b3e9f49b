//! Cost answers written straight into the response buffer: no tree of
//! cloned strings in between, so the memory of the largest allowed answer
//! is its JSON text (plus the growth of one `Vec`). The text is what
//! serde_json writes for the same document (compact, [`Cost`]'s number
//! form, the same string escapes), so clients see no difference.

use altofed_model::Cost;
use serde::Serialize;

/// `{"meta":<meta>,"<member>":{"<src>":{"<dst>":<cost>,...},...}}`, rows
/// without any entry left out.
#[derive(Debug)]
pub(crate) struct CostRowsWriter {
    out: Vec<u8>,
    rows: usize,
    /// Where the open row began (to take it back if it stays empty).
    row_mark: usize,
    row_entries: usize,
}

impl CostRowsWriter {
    /// Opens the document: `meta`, then the member holding the rows.
    pub(crate) fn start(meta: &impl Serialize, member: &str) -> Self {
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(b"{\"meta\":");
        write_json(&mut out, meta);
        out.push(b',');
        write_json(&mut out, member);
        out.extend_from_slice(b":{");
        Self {
            out,
            rows: 0,
            row_mark: 0,
            row_entries: 0,
        }
    }

    /// Opens the row of `src`.
    pub(crate) fn begin_row(&mut self, src: &str) {
        self.row_mark = self.out.len();
        self.row_entries = 0;
        if self.rows > 0 {
            self.out.push(b',');
        }
        write_json(&mut self.out, src);
        self.out.extend_from_slice(b":{");
    }

    /// One entry of the open row.
    pub(crate) fn entry(&mut self, dst: &str, cost: f64) {
        if self.row_entries > 0 {
            self.out.push(b',');
        }
        write_json(&mut self.out, dst);
        self.out.push(b':');
        write_json(&mut self.out, &Cost(cost));
        self.row_entries += 1;
    }

    /// Closes the open row; a row without entries is taken back.
    pub(crate) fn end_row(&mut self) {
        if self.row_entries == 0 {
            self.out.truncate(self.row_mark);
        } else {
            self.out.push(b'}');
            self.rows += 1;
        }
    }

    /// The whole document.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.out.extend_from_slice(b"}}");
        self.out
    }
}

/// Appends `value`'s compact JSON text.
fn write_json(out: &mut Vec<u8>, value: &(impl Serialize + ?Sized)) {
    // Writing into a Vec cannot fail, and the values written here (strings,
    // finite numbers, the services' meta structs) always serialize.
    let _ = serde_json::to_writer(out, value);
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn the_text_is_serde_jsons_and_empty_rows_are_left_out() {
        let meta = BTreeMap::from([("k", "v")]);
        let mut w = CostRowsWriter::start(&meta, "cost-map");
        w.begin_row("a\"b");
        w.entry("x", 1.0);
        w.entry("y\u{1}", 2.5);
        w.end_row();
        w.begin_row("empty");
        w.end_row();
        w.begin_row("c");
        w.entry("x", 1e300);
        w.end_row();
        w.begin_row("empty too");
        w.end_row();
        let text = String::from_utf8(w.finish()).unwrap_or_default();
        let rows = BTreeMap::from([
            (
                "a\"b",
                BTreeMap::from([("x", Cost(1.0)), ("y\u{1}", Cost(2.5))]),
            ),
            ("c", BTreeMap::from([("x", Cost(1e300))])),
        ]);
        #[derive(Serialize)]
        struct Doc<M, R> {
            meta: M,
            #[serde(rename = "cost-map")]
            rows: R,
        }
        let expected = serde_json::to_string(&Doc { meta, rows }).unwrap_or_default();
        assert_eq!(text, expected);
    }

    #[test]
    fn no_rows_is_an_empty_member() {
        let mut w = CostRowsWriter::start(&BTreeMap::<String, String>::new(), "m");
        w.begin_row("a");
        w.end_row();
        assert_eq!(w.finish(), br#"{"meta":{},"m":{}}"#);
    }
}
