//! Generated network map texts: random PIDs and prefixes of both families
//! in the forms servers write and the ones a liberal reader must take
//! (bare addresses, host bits, spaces inside the string, leading zeros),
//! escapes in names and prefixes, unknown members at every level, members
//! in either order, every kind of JSON whitespace, now and then a repeated
//! PID or a string that is no prefix.

use std::net::{Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;

/// A generated document and whether it is in the plain form that the
/// scanner must read by itself: no escape, no repeated PID, every prefix
/// valid and read by the shortcut or the liberal parser.
#[derive(Debug, Clone)]
pub struct Text {
    pub json: String,
    pub plain: bool,
}

/// One piece of JSON text and whether it is plain (see [`Text`]).
type Piece = (String, bool);

const WHITESPACE: [&str; 7] = ["", "", " ", "\n    ", "\t", "\r\n", "  "];

/// Values of unknown members: every JSON type, nested, one with an escape.
const UNKNOWN: [(&str, bool); 9] = [
    ("[64496]", true),
    ("null", true),
    ("true", true),
    ("false", true),
    ("\"generated\"", true),
    ("-1.5E+2", true),
    ("{\"a\": [1, 2.5e3, -0, \"x\", {}], \"b\": [[[]]]}", true),
    ("{}", true),
    ("\"esc\\\"aped\"", false),
];

/// Forms below this one are plain; only a document with quirks has others.
const PLAIN_IPV4: u8 = 15;
const PLAIN_IPV6: u8 = 8;
const PLAIN_UNKNOWN: usize = 8;

fn ipv4(quirks: bool) -> impl Strategy<Value = Piece> {
    let forms = if quirks { 20 } else { PLAIN_IPV4 };
    (any::<u32>(), 0u8..=32, 0u8..forms).prop_map(|(addr, len, form)| {
        let addr = Ipv4Addr::from(addr);
        match form {
            0..=9 => (format!("{addr}/{len}"), true),
            10..=13 => (format!("{addr}"), true),
            14 => (format!(" {addr}/{len} "), true),
            15 => (format!("{addr}/{len}").replacen('.', "\\u002e", 1), false),
            16 => (format!("{addr}/{len}").replacen('/', "\\/", 1), false),
            17 => (format!("{addr}/0{len}"), false),
            18 => (format!("{addr}/{}", len + 1), len < 32),
            _ => ("not a prefix".to_owned(), false),
        }
    })
}

fn ipv6(quirks: bool) -> impl Strategy<Value = Piece> {
    let forms = if quirks { 10 } else { PLAIN_IPV6 };
    (any::<u128>(), 0u8..=128, 0u8..forms).prop_map(|(addr, len, form)| {
        let addr = Ipv6Addr::from(addr);
        match form {
            0..=5 => (format!("{addr}/{len}"), true),
            6 => (format!("{addr}"), true),
            7 => (format!("{addr}/{len}").to_uppercase(), true),
            8 => (format!("{addr}/{len}").replacen(':', "\\u003a", 1), false),
            _ => (format!("{addr}/129"), false),
        }
    })
}

/// A PID name as JSON string content: often from a small pool, so that
/// some documents repeat one; sometimes escaped or not ASCII.
fn name(quirks: bool) -> impl Strategy<Value = Piece> {
    let pool = if quirks {
        "[a-c]{1,2}"
    } else {
        "pid[0-9]{1,5}"
    };
    let raw = prop_oneof![pool, "pid[0-9]{1,5}", "[a-zA-Z0-9._é-]{0,8}"];
    (raw, if quirks { 0u8..4 } else { 1u8..4 }).prop_map(|(name, form)| match form {
        0 => match name.chars().next() {
            Some(c) => (
                format!("\\u{:04x}{}", u32::from(c), &name[c.len_utf8()..]),
                false,
            ),
            None => (name, true),
        },
        _ => (name, true),
    })
}

#[derive(Debug, Clone)]
struct Pid {
    name: Piece,
    ipv4: Option<Vec<Piece>>,
    ipv6: Option<Vec<Piece>>,
    unknown: Option<usize>,
    ipv6_first: bool,
}

fn pid(quirks: bool) -> impl Strategy<Value = Pid> {
    let v4 = proptest::option::weighted(0.9, prop::collection::vec(ipv4(quirks), 0..12));
    let v6 = proptest::option::weighted(0.3, prop::collection::vec(ipv6(quirks), 0..4));
    let unknown = proptest::option::weighted(0.2, 0..unknowns(quirks));
    (name(quirks), v4, v6, unknown, any::<bool>()).prop_map(
        |(name, ipv4, ipv6, unknown, ipv6_first)| Pid {
            name,
            ipv4,
            ipv6,
            unknown,
            ipv6_first,
        },
    )
}

/// Writes one member's value.
type Value<'a> = Box<dyn FnOnce(&mut Writer) + 'a>;

fn value<'a>(write: impl FnOnce(&mut Writer) + 'a) -> Value<'a> {
    Box::new(write)
}

/// Writes JSON text, with whitespace from a generated list between tokens.
struct Writer {
    out: String,
    plain: bool,
    spaces: Vec<usize>,
    next: usize,
}

impl Writer {
    fn ws(&mut self) {
        let pick = self.spaces[self.next % self.spaces.len()];
        self.next += 1;
        self.out.push_str(WHITESPACE[pick]);
    }

    fn token(&mut self, token: &str) {
        self.ws();
        self.out.push_str(token);
    }

    fn string(&mut self, (content, plain): &Piece) {
        self.ws();
        self.out.push('"');
        self.out.push_str(content);
        self.out.push('"');
        self.plain &= plain;
    }

    /// `{` members `}` where each member writes its value.
    fn object(&mut self, members: Vec<(Piece, Value<'_>)>) {
        self.token("{");
        for (i, (key, value)) in members.into_iter().enumerate() {
            if i > 0 {
                self.token(",");
            }
            self.string(&key);
            self.token(":");
            value(self);
        }
        self.token("}");
    }

    fn strings(&mut self, items: &[Piece]) {
        self.token("[");
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.token(",");
            }
            self.string(item);
        }
        self.token("]");
    }

    fn unknown(&mut self, which: usize) {
        let (value, plain) = UNKNOWN[which];
        self.token(value);
        self.plain &= plain;
    }
}

fn key(k: &str) -> Piece {
    (k.to_owned(), true)
}

fn write_pid(w: &mut Writer, pid: &Pid) {
    let mut members = Vec::new();
    if let Some(v4) = &pid.ipv4 {
        members.push((key("ipv4"), value(move |w| w.strings(v4))));
    }
    if let Some(v6) = &pid.ipv6 {
        let at = if pid.ipv6_first { 0 } else { members.len() };
        members.insert(at, (key("ipv6"), value(move |w| w.strings(v6))));
    }
    if let Some(u) = pid.unknown {
        members.push((key("x-asn"), value(move |w| w.unknown(u))));
    }
    w.object(members);
}

fn unknowns(quirks: bool) -> usize {
    if quirks {
        UNKNOWN.len()
    } else {
        PLAIN_UNKNOWN
    }
}

/// A whole network map text; half of them plain.
pub fn network_map() -> impl Strategy<Value = Text> {
    any::<bool>().prop_flat_map(network_map_with)
}

fn network_map_with(quirks: bool) -> impl Strategy<Value = Text> {
    let pids = prop::collection::vec(pid(quirks), 0..24);
    // Without quirks, no `"` or `\` in the tag: JSON escapes them.
    let tag = if quirks {
        "[!-~]{1,16}"
    } else {
        "[!#-\\[\\]-~]{1,16}"
    };
    let vtag = ("[a-z0-9-]{1,12}", tag);
    let spaces = prop::collection::vec(0..WHITESPACE.len(), 1..16);
    let unknown = proptest::option::weighted(0.5, 0..unknowns(quirks));
    (pids, vtag, spaces, unknown, any::<bool>()).prop_map(
        |(pids, vtag, spaces, unknown, meta_first)| {
            render(&pids, &vtag, spaces, unknown, meta_first)
        },
    )
}

fn render(
    pids: &[Pid],
    vtag: &(String, String),
    spaces: Vec<usize>,
    unknown: Option<usize>,
    meta_first: bool,
) -> Text {
    let mut w = Writer {
        out: String::new(),
        plain: true,
        spaces,
        next: 0,
    };
    // The tag may hold `"` or `\`, which JSON writes escaped.
    let tag = serde_json::to_string(&vtag.1).expect("a string");
    let tag: Piece = (tag[1..tag.len() - 1].to_owned(), !tag.contains('\\'));
    let rid = key(&vtag.0);
    let meta = value(move |w| {
        let vtag = value(move |w| {
            w.object(vec![
                (key("resource-id"), value(move |w| w.string(&rid))),
                (key("tag"), value(move |w| w.string(&tag))),
            ])
        });
        let mut members = vec![(key("vtag"), vtag)];
        if let Some(u) = unknown {
            members.push((key("x-generated-by"), value(move |w| w.unknown(u))));
        }
        w.object(members)
    });
    let map = value(|w| {
        let members = pids
            .iter()
            .map(|p| (p.name.clone(), value(move |w| write_pid(w, p))));
        w.object(members.collect())
    });
    let mut top = vec![(key("network-map"), map)];
    top.insert(usize::from(!meta_first), (key("meta"), meta));
    w.object(top);
    w.ws();
    let mut names: Vec<&str> = pids.iter().map(|p| p.name.0.as_str()).collect();
    names.sort_unstable();
    let repeated = names.windows(2).any(|n| n[0] == n[1]);
    Text {
        json: w.out,
        plain: w.plain && !repeated,
    }
}
