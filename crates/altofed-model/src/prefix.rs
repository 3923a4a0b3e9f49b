//! Liberal parsing of address prefixes from peer documents (RFC 7285
//! §10.4.4, §10.4.5).
//!
//! Prefixes are parsed semantically (never compared as strings, RFC 7285
//! §10.4). Real servers write bare addresses where a prefix is expected and
//! leave host bits set, so a bare address becomes a host prefix (/32, /128,
//! which RFC 9240 §6.1.1.2 treats as the same entity) and host bits are
//! cleared. Everything else that is not a prefix is an error naming the
//! string.

use std::fmt;
use std::marker::PhantomData;
use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use thiserror::Error;

/// A string that is neither a prefix nor an address of the expected family.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("`{input}` is not an {family} prefix or address (RFC 7285 §10.4.4)")]
pub struct PrefixError {
    /// `IPv4` or `IPv6`.
    pub family: &'static str,
    /// The offending string, as received.
    pub input: String,
}

/// Parses `a.b.c.d/len` or a bare `a.b.c.d` (as /32); host bits are cleared.
pub fn parse_ipv4_prefix(s: &str) -> Result<Ipv4Net, PrefixError> {
    if let Some(net) = canonical_ipv4(s.as_bytes()) {
        return Ok(net);
    }
    general_ipv4(s)
}

/// The way every IPv4 prefix or address is read (trimmed, then the
/// parsers of `ipnet` and `std`); see [`canonical_ipv4`] for the shortcut.
fn general_ipv4(s: &str) -> Result<Ipv4Net, PrefixError> {
    let t = s.trim();
    let net = if t.contains('/') {
        t.parse::<Ipv4Net>().ok().map(|n| n.trunc())
    } else {
        t.parse::<Ipv4Addr>().ok().map(Ipv4Net::from)
    };
    net.ok_or_else(|| PrefixError {
        family: "IPv4",
        input: s.to_owned(),
    })
}

/// The form servers write, `a.b.c.d/len` or `a.b.c.d` with decimal numbers
/// without leading zeros, read by hand: a production network map has a
/// quarter of a million prefixes, and the general parser is most of the
/// time spent reading it. `None` for any other form; those go the general
/// way, which reads every form accepted here to the same prefix.
fn canonical_ipv4(s: &[u8]) -> Option<Ipv4Net> {
    let (net, used) = canonical_ipv4_head(s)?;
    (used == s.len()).then_some(net)
}

/// The canonical prefix at the start of `s` and how many bytes it takes;
/// the caller checks what follows. The network map scanner reads prefixes
/// with it straight from the document, up to the closing quote: the string
/// is `s[..used]` exactly when `s[used]` is that quote, and then this is
/// [`canonical_ipv4`] of it.
#[inline]
pub(crate) fn canonical_ipv4_head(s: &[u8]) -> Option<(Ipv4Net, usize)> {
    let mut addr = 0u32;
    let mut i = 0;
    for octet in 0..4 {
        if octet > 0 {
            (s.get(i) == Some(&b'.')).then_some(())?;
            i += 1;
        }
        let (value, digits) = decimal(s.get(i..)?, 255)?;
        addr = addr << 8 | value;
        i += digits;
    }
    let len = match s.get(i) {
        Some(b'/') => {
            let (len, digits) = decimal(&s[i + 1..], 32)?;
            i += 1 + digits;
            len
        }
        // A digit here is a fourth digit of the last octet.
        Some(b'0'..=b'9') => return None,
        _ => 32,
    };
    // Host bits cleared here rather than by `trunc`, which recomputes
    // the mask through the generic netmask code.
    let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
    let net = Ipv4Net::new(Ipv4Addr::from(addr & mask), u8::try_from(len).ok()?).ok()?;
    Some((net, i))
}

/// The decimal number of 1 to 3 digits at the start of `s`, without a
/// leading zero and at most `max`, and how many digits it has. Unrolled:
/// it runs four or five times per prefix.
#[inline]
fn decimal(s: &[u8], max: u32) -> Option<(u32, usize)> {
    let first = digit(s.first())?;
    let Some(second) = digit(s.get(1)) else {
        return (first <= max).then_some((first, 1));
    };
    if first == 0 {
        return None;
    }
    let value = first * 10 + second;
    let Some(third) = digit(s.get(2)) else {
        return (value <= max).then_some((value, 2));
    };
    let value = value * 10 + third;
    (value <= max).then_some((value, 3))
}

#[inline]
fn digit(b: Option<&u8>) -> Option<u32> {
    let d = b?.wrapping_sub(b'0');
    (d < 10).then_some(u32::from(d))
}

/// Parses `x::/len` or a bare `x::` (as /128); host bits are cleared.
pub fn parse_ipv6_prefix(s: &str) -> Result<Ipv6Net, PrefixError> {
    let t = s.trim();
    let net = if t.contains('/') {
        t.parse::<Ipv6Net>().ok().map(|n| n.trunc())
    } else {
        t.parse::<Ipv6Addr>().ok().map(Ipv6Net::from)
    };
    net.ok_or_else(|| PrefixError {
        family: "IPv6",
        input: s.to_owned(),
    })
}

/// Serde helper for `#[serde(deserialize_with)]`: a JSON array of IPv4
/// prefixes, parsed with [`parse_ipv4_prefix`] straight from the input
/// buffer (no intermediate `String` per element).
pub fn deserialize_ipv4_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Ipv4Net>, D::Error> {
    d.deserialize_seq(ListVisitor::<Ipv4Net>(PhantomData))
}

/// Serde helper: a JSON array of IPv6 prefixes, see [`parse_ipv6_prefix`].
pub fn deserialize_ipv6_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Ipv6Net>, D::Error> {
    d.deserialize_seq(ListVisitor::<Ipv6Net>(PhantomData))
}

trait LiberalParse: Sized {
    const WHAT: &'static str;
    fn parse_liberal(s: &str) -> Result<Self, PrefixError>;
}

impl LiberalParse for Ipv4Net {
    const WHAT: &'static str = "an array of IPv4 prefixes";
    fn parse_liberal(s: &str) -> Result<Self, PrefixError> {
        parse_ipv4_prefix(s)
    }
}

impl LiberalParse for Ipv6Net {
    const WHAT: &'static str = "an array of IPv6 prefixes";
    fn parse_liberal(s: &str) -> Result<Self, PrefixError> {
        parse_ipv6_prefix(s)
    }
}

struct ListVisitor<N>(PhantomData<N>);

impl<'de, N: LiberalParse> Visitor<'de> for ListVisitor<N> {
    type Value = Vec<N>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(N::WHAT)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<N>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(Elem(net)) = seq.next_element::<Elem<N>>()? {
            out.push(net);
        }
        Ok(out)
    }
}

/// One array element, deserialized from a borrowed or transient `&str`.
struct Elem<N>(N);

impl<'de, N: LiberalParse> de::Deserialize<'de> for Elem<N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(ElemVisitor::<N>(PhantomData))
    }
}

struct ElemVisitor<N>(PhantomData<N>);

impl<N: LiberalParse> Visitor<'_> for ElemVisitor<N> {
    type Value = Elem<N>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a prefix string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Elem<N>, E> {
        N::parse_liberal(v).map(Elem).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut reads what it accepts exactly as the general parser.
    #[test]
    fn canonical_ipv4_agrees_with_the_general_parser() {
        let cases = [
            "0.0.0.0/0",
            "1.0.0.0/24",
            "10.1.2.3/8",
            "255.255.255.255",
            "192.0.2.7",
            "192.0.2.77/24",
            "9.9.9.9/32",
            "1.2.3.4/33",
            "256.1.1.1/8",
            "01.2.3.4/8",
            "1.2.3.4/08",
            "1.2.3/24",
            "1.2.3.4.5",
            "1.2.3.4/",
            "1.2.3.4/24 ",
            " 1.2.3.4",
            "1.2.3.4x",
            "1.2.3.4/2x",
            "1.2.3.1000",
            "",
            "1..2.3",
            "1.2.3.4/-1",
        ];
        for case in cases {
            if let Some(net) = canonical_ipv4(case.as_bytes()) {
                assert_eq!(Ok(net), general_ipv4(case), "{case}");
            }
            assert_eq!(parse_ipv4_prefix(case), general_ipv4(case), "{case}");
        }
        for (addr, len) in [
            (0xc000_0207u32, 24u8),
            (0x0100_0000, 8),
            (u32::MAX, 32),
            (7, 0),
        ] {
            let text = format!("{}/{len}", Ipv4Addr::from(addr));
            let want = Ipv4Net::new(Ipv4Addr::from(addr), len)
                .expect("len <= 32")
                .trunc();
            assert_eq!(canonical_ipv4(text.as_bytes()), Some(want), "{text}");
        }
    }
}
