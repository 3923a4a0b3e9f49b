//! The endpoint cost request (RFC 7285 §11.5.1.3) as the endpoint cost
//! service uses it, and a reader for its usual form that borrows the
//! addresses from the body.
//!
//! A DNS server or redirector sends many small requests of one shape:
//! `{"cost-type":{"cost-metric":..,"cost-mode":..},"endpoints":{"srcs":
//! [..],"dsts":[..]}}`. Reading those through serde costs a `String` per
//! address and a `CostType`; [`parse`] reads exactly that shape and gives
//! up (`None`) on anything else: escapes, control characters, other or
//! repeated members, `null`, `constraints`, numbers, trailing bytes.
//! The caller then parses with serde as before, so every error a client
//! can see (and every unusual but valid request) takes the one path that
//! has always produced it; [`parse`] only ever accepts bodies that serde
//! reads to the same [`EcsParams`].

use std::borrow::Cow;

use altofed_model::endpoint::EndpointCostRequest;
use altofed_model::CostMode;

/// What the endpoint cost service needs of a request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EcsParams<'a> {
    pub(crate) metric: Cow<'a, str>,
    pub(crate) mode: CostMode,
    pub(crate) constraints: Option<Vec<String>>,
    pub(crate) srcs: Option<Vec<Cow<'a, str>>>,
    pub(crate) dsts: Option<Vec<Cow<'a, str>>>,
}

impl From<EndpointCostRequest> for EcsParams<'static> {
    fn from(request: EndpointCostRequest) -> Self {
        let owned =
            |list: Option<Vec<String>>| list.map(|l| l.into_iter().map(Cow::Owned).collect());
        Self {
            metric: Cow::Owned(request.cost_type.cost_metric),
            mode: request.cost_type.cost_mode,
            constraints: request.constraints,
            srcs: owned(request.endpoints.srcs),
            dsts: owned(request.endpoints.dsts),
        }
    }
}

/// The request, if `body` is in the usual form (see the module doc);
/// `None` says only "ask serde".
pub(crate) fn parse(body: &[u8]) -> Option<EcsParams<'_>> {
    let mut r = Reader { bytes: body, at: 0 };
    let (mut cost_type, mut endpoints) = (None, None);
    r.object(|r, key| match key {
        "cost-type" if cost_type.is_none() => {
            cost_type = Some(r.cost_type()?);
            Some(())
        }
        "endpoints" if endpoints.is_none() => {
            endpoints = Some(r.endpoints()?);
            Some(())
        }
        _ => None,
    })?;
    r.skip_whitespace();
    if r.at != body.len() {
        return None;
    }
    let ((metric, mode), (srcs, dsts)) = (cost_type?, endpoints?);
    Some(EcsParams {
        metric: Cow::Borrowed(metric),
        mode,
        constraints: None,
        srcs,
        dsts,
    })
}

type List<'a> = Option<Vec<Cow<'a, str>>>;

/// A cursor over the body; every method returns `None` on anything it
/// does not expect.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// `{"cost-metric":"..","cost-mode":"numerical"|"ordinal"}`, in
    /// either order.
    fn cost_type(&mut self) -> Option<(&'a str, CostMode)> {
        let (mut metric, mut mode) = (None, None);
        self.object(|r, key| match key {
            "cost-metric" if metric.is_none() => {
                metric = Some(r.string()?);
                Some(())
            }
            "cost-mode" if mode.is_none() => {
                mode = Some(match r.string()? {
                    "numerical" => CostMode::Numerical,
                    "ordinal" => CostMode::Ordinal,
                    _ => return None,
                });
                Some(())
            }
            _ => None,
        })?;
        Some((metric?, mode?))
    }

    /// `{"srcs":[..],"dsts":[..]}`, either or both.
    fn endpoints(&mut self) -> Option<(List<'a>, List<'a>)> {
        let (mut srcs, mut dsts) = (None, None);
        self.object(|r, key| match key {
            "srcs" if srcs.is_none() => {
                srcs = Some(r.strings()?);
                Some(())
            }
            "dsts" if dsts.is_none() => {
                dsts = Some(r.strings()?);
                Some(())
            }
            _ => None,
        })?;
        Some((srcs, dsts))
    }

    /// An object whose members `member` reads (it is given the key, the
    /// cursor after the `:`).
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.expect(b'{')?;
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Some(());
        }
        loop {
            let key = self.string()?;
            self.expect(b':')?;
            member(self, key)?;
            match self.next()? {
                b',' => continue,
                b'}' => return Some(()),
                _ => return None,
            }
        }
    }

    /// An array of strings.
    fn strings(&mut self) -> Option<Vec<Cow<'a, str>>> {
        self.expect(b'[')?;
        let mut list = Vec::new();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Some(list);
        }
        loop {
            list.push(Cow::Borrowed(self.string()?));
            match self.next()? {
                b',' => continue,
                b']' => return Some(list),
                _ => return None,
            }
        }
    }

    /// A string without escapes or control characters (which serde would
    /// unescape or refuse), valid UTF-8.
    fn string(&mut self) -> Option<&'a str> {
        self.expect(b'"')?;
        let rest = &self.bytes[self.at..];
        let len = rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        if rest[len] != b'"' {
            return None;
        }
        let text = std::str::from_utf8(&rest[..len]).ok()?;
        self.at += len + 1;
        Some(text)
    }

    /// The next byte that is not JSON whitespace, consumed.
    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    /// The next byte that is not JSON whitespace, left in place.
    fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.bytes.get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }
}

#[cfg(test)]
#[path = "ecsparams_tests.rs"]
mod tests;
