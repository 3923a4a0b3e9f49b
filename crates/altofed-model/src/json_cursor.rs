//! A cursor over JSON text for fast paths that read a document's usual
//! form in place: the network map scanner (`netmap::scan`) and the
//! endpoint cost service's request reader (altofed-server).
//!
//! Every step answers `None` where it is not sure that `serde_json` would
//! read the text the same way: strings with escapes or control characters,
//! numbers, nesting deeper than [`MAX_SKIP_DEPTH`], anything malformed. The
//! caller then gives up and the document is read by `serde_json`, which
//! gives the error with its position and key path. So every `Some` here
//! must be text that `serde_json` accepts with the same meaning; a `None`
//! only costs time.

/// How deeply an ignored member's value may nest before the scanner leaves
/// it to `serde_json` (which has its own limit of 128 levels).
const MAX_SKIP_DEPTH: u32 = 16;

/// A position in JSON text; see the module docs.
#[derive(Debug)]
pub struct Cursor<'a> {
    bytes: &'a [u8],
    /// The same text when it is known to be UTF-8 ([`Cursor::of_str`]):
    /// strings are then sliced from it instead of checked one by one.
    text: Option<&'a str>,
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// At the start of `bytes`.
    #[inline]
    pub fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            text: None,
            pos: 0,
        }
    }

    /// At the start of `text`. For short documents with many strings (a
    /// request): checking the whole text once is cheaper than a check per
    /// string, and text that is not UTF-8 is left to `serde_json` anyway.
    #[inline]
    pub fn of_str(text: &'a str) -> Self {
        Self {
            bytes: text.as_bytes(),
            text: Some(text),
            pos: 0,
        }
    }

    /// The text from the cursor on.
    #[inline]
    pub fn rest(&self) -> &'a [u8] {
        &self.bytes[self.pos..]
    }

    /// Moves past `n` bytes of [`Cursor::rest`].
    #[inline]
    pub fn advance(&mut self, n: usize) {
        self.pos += n;
    }

    /// The next byte after JSON whitespace (RFC 8259 §2: space, tab, line
    /// feed, carriage return, exactly the set `serde_json` skips), not
    /// consumed.
    #[inline]
    pub fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.bytes.get(self.pos) {
            if !matches!(b, b' ' | b'\n' | b'\t' | b'\r') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    /// Consumes `byte` after whitespace.
    #[inline]
    pub fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// Whether nothing but whitespace is left (`serde_json`'s `end`).
    #[inline]
    pub fn at_end(&mut self) -> bool {
        self.peek().is_none()
    }

    /// A string after whitespace, if it has no escape sequence (those are
    /// left to `serde_json`) and is valid UTF-8 without control characters.
    #[inline]
    pub fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let rest = self.rest();
        let len = string_stop(rest)?;
        (rest[len] == b'"').then_some(())?;
        let start = self.pos;
        self.pos += len + 1;
        match self.text {
            // Between two '"': on character boundaries.
            Some(text) => text.get(start..start + len),
            None => std::str::from_utf8(&rest[..len]).ok(),
        }
    }

    /// Reads an object, calling `member` with the cursor on each value
    /// and its key; `member` must consume the value.
    #[inline]
    pub fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, &'a str) -> Option<()>,
    ) -> Option<()> {
        self.separated(b'{', b'}', |c| {
            let key = c.string()?;
            c.eat(b':')?;
            member(c, key)
        })
    }

    /// Reads an array, calling `element` with the cursor on each element;
    /// `element` must consume it.
    #[inline]
    pub fn array(&mut self, element: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.separated(b'[', b']', element)
    }

    /// `open`, then items read by `item` separated by commas, then
    /// `close`: an object's or an array's frame.
    #[inline]
    fn separated(
        &mut self,
        open: u8,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        self.eat(open)?;
        if self.peek()? == close {
            self.pos += 1;
            return Some(());
        }
        loop {
            item(self)?;
            match self.peek()? {
                b',' => self.pos += 1,
                b if b == close => break,
                _ => return None,
            }
        }
        self.pos += 1;
        Some(())
    }

    /// Passes over a value that is ignored (an unknown member).
    pub fn skip_value(&mut self) -> Option<()> {
        self.skip_nested(MAX_SKIP_DEPTH)
    }

    fn skip_nested(&mut self, depth: u32) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => self.object(|c, _| c.skip_nested(depth.checked_sub(1)?)),
            b'[' => self.array(|c| c.skip_nested(depth.checked_sub(1)?)),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => self.number(),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.rest()
            .starts_with(word)
            .then(|| self.pos += word.len())
    }

    /// A number as RFC 8259 §6 writes it, the grammar `serde_json` checks:
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. What comes
    /// after it is for the caller to check.
    fn number(&mut self) -> Option<()> {
        let rest = self.rest();
        let mut i = usize::from(rest.first() == Some(&b'-'));
        let int = digits(&rest[i..]);
        if int == 0 || (int > 1 && rest[i] == b'0') {
            return None;
        }
        i += int;
        if rest.get(i) == Some(&b'.') {
            let frac = digits(&rest[i + 1..]);
            (frac > 0).then_some(())?;
            i += 1 + frac;
        }
        if matches!(rest.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(rest.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let exp = digits(&rest[i..]);
            (exp > 0).then_some(())?;
            i += exp;
        }
        self.pos += i;
        Some(())
    }
}

/// Where a string's text stops: the first `"`, `\\` or control character
/// of `bytes`, looked for eight bytes at a time (a branch per word, not
/// per byte): the endpoint cost request of the load bench was read in 360
/// ns instead of 445 in a loop.
#[inline]
fn string_stop(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `w` below `n` (n <= 0x80). A borrow can
    // also mark a byte above a marked one, never below: the lowest mark is
    // exact.
    let below = |w: u64, n: u64| w.wrapping_sub(ONES * n) & !w & HIGH;
    let mut words = bytes.chunks_exact(8);
    for (at, word) in words.by_ref().enumerate() {
        let w = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
        let marks = below(w ^ (ONES * u64::from(b'"')), 1)
            | below(w ^ (ONES * u64::from(b'\\')), 1)
            | below(w, 0x20);
        if marks != 0 {
            return Some(at * 8 + (marks.trailing_zeros() / 8) as usize);
        }
    }
    let tail = words.remainder();
    let stop = tail
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
    Some(bytes.len() - tail.len() + stop)
}

/// How many ASCII digits `s` starts with.
fn digits(s: &[u8]) -> usize {
    s.iter().take_while(|b| b.is_ascii_digit()).count()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::string_stop;

    /// Bytes a string's text holds, the ones it stops at among them.
    fn byte() -> impl Strategy<Value = u8> {
        prop_oneof![
            40 => b'a'..=b'z',
            1 => Just(b'"'),
            1 => Just(b'\\'),
            1 => 0u8..0x20,
            1 => 0x1fu8..=0x22,
            1 => 0x5bu8..=0x5d,
            1 => 0x7fu8..=0xff,
        ]
    }

    proptest! {
        /// Word at a time, it stops where the plain search stops.
        #[test]
        fn string_stop_is_the_first_quote_backslash_or_control(
            bytes in prop::collection::vec(byte(), 0..64),
        ) {
            let plain = bytes.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
            prop_assert_eq!(string_stop(&bytes), plain);
        }
    }
}
