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
    /// Opens the document: `meta`, then the member holding the rows;
    /// `expected` bytes of rows are reserved beforehand (a guess: the
    /// buffer grows past it if need be).
    pub(crate) fn start(meta: &impl Serialize, member: &str, expected: usize) -> Self {
        let mut text = Vec::new();
        write_json(&mut text, meta);
        Self::start_with_meta_text(&text, member, expected)
    }

    /// [`CostRowsWriter::start`] with `meta` written beforehand (its
    /// compact JSON text).
    pub(crate) fn start_with_meta_text(meta: &[u8], member: &str, expected: usize) -> Self {
        let mut out = Vec::with_capacity(256 + expected);
        out.extend_from_slice(b"{\"meta\":");
        out.extend_from_slice(meta);
        out.push(b',');
        write_str(&mut out, member);
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
        write_str(&mut self.out, src);
        self.out.extend_from_slice(b":{");
    }

    /// One entry of the open row.
    pub(crate) fn entry(&mut self, dst: &str, cost: f64) {
        if self.row_entries > 0 {
            self.out.push(b',');
        }
        write_str(&mut self.out, dst);
        self.out.push(b':');
        write_cost(&mut self.out, cost);
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

/// Appends `text` as a JSON string. Keys here are mostly addresses and
/// PID names, which need no escape: those are copied as they are, the
/// rest left to serde_json (the same text either way).
fn write_str(out: &mut Vec<u8>, text: &str) {
    let plain = !text.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20);
    if plain {
        out.reserve(text.len() + 2);
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else {
        write_json(out, text);
    }
}

/// Appends `cost` as [`Cost`] serializes it through serde_json: an
/// integral value below 2^53 (the usual cost) as an integer, formatted
/// here with itoa as serde_json does; any other by serde_json itself,
/// whose shortest float form is its own to choose.
fn write_cost(out: &mut Vec<u8>, cost: f64) {
    match Cost(cost).as_exact_int() {
        Some(int) => out.extend_from_slice(itoa::Buffer::new().format(int).as_bytes()),
        None => write_json(out, &Cost(cost)),
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
        let mut w = CostRowsWriter::start(&meta, "cost-map", 0);
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
    fn costs_and_keys_are_written_as_serde_json_writes_them() {
        let exact = 9_007_199_254_740_992.0;
        let costs = [
            0.0,
            -0.0,
            1.0,
            -5.0,
            0.1,
            2.5,
            1e-7,
            1e300,
            -1e300,
            123_456_789.125,
            exact,
            exact - 1.0,
            -exact,
            -(exact - 1.0),
            f64::MAX,
            f64::MIN_POSITIVE,
        ];
        for cost in costs {
            let mut out = Vec::new();
            write_cost(&mut out, cost);
            let expected = serde_json::to_vec(&Cost(cost)).unwrap_or_default();
            assert_eq!(out, expected, "{cost}");
        }
        for key in [
            "ipv4:192.0.2.1",
            "",
            "a\"b",
            "back\\slash",
            "\u{1}\u{1f}",
            "é\u{7f}",
        ] {
            let mut out = Vec::new();
            write_str(&mut out, key);
            assert_eq!(out, serde_json::to_vec(key).unwrap_or_default(), "{key:?}");
        }
    }

    #[test]
    fn no_rows_is_an_empty_member() {
        let mut w = CostRowsWriter::start(&BTreeMap::<String, String>::new(), "m", 0);
        w.begin_row("a");
        w.end_row();
        assert_eq!(w.finish(), br#"{"meta":{},"m":{}}"#);
    }
}
