//! One NAPTR record judged by the U-NAPTR rules (RFC 4848, on RFC 3403/3958).
//!
//! - Flags: `U` is terminal, its regexp yields the URI; empty is non-terminal,
//!   its replacement is the next name to query for NAPTR. No other flag is
//!   valid in U-NAPTR.
//! - The regexp of a terminal record must be exactly `!.*!<URI>!` (RFC 4848
//!   §2.2): delimiter `!`, ERE `.*`, no back-references, no trailing flags.
//!   `\!` and `\\` are the only escapes (RFC 3402 §3.2).
//! - Regexp and replacement are mutually exclusive (RFC 3403 §4.1).

use std::fmt;

use super::service::ServiceParam;

/// The fields of one NAPTR record, decoded from the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Naptr {
    pub order: u16,
    pub preference: u16,
    pub flags: Vec<u8>,
    pub services: Vec<u8>,
    pub regexp: Vec<u8>,
    /// Without the trailing dot; empty for the root (".").
    pub replacement: String,
}

impl fmt::Display for Naptr {
    /// Zone-file form: `100 10 "U" "ALTO:https" "!.*!https://x/ird!" .`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let replacement = if self.replacement.is_empty() {
            "."
        } else {
            &self.replacement
        };
        write!(
            f,
            "{} {} \"{}\" \"{}\" \"{}\" {}",
            self.order,
            self.preference,
            self.flags.escape_ascii(),
            self.services.escape_ascii(),
            self.regexp.escape_ascii(),
            replacement
        )
    }
}

/// What a record means for the service looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// For another service (or another protocol): not ours, silently skipped.
    OtherService,
    /// Terminal: the URI.
    Uri(String),
    /// Non-terminal: look up NAPTR at this name (no trailing dot).
    Delegate(String),
    /// For our service but unusable: why.
    Rejected(String),
}

/// Judges `record` for `service`.
pub(crate) fn judge(record: &Naptr, service: &ServiceParam) -> Verdict {
    let Ok(services) = std::str::from_utf8(&record.services) else {
        return Verdict::OtherService;
    };
    let flags = record.flags.to_ascii_uppercase();
    let terminal = match flags.as_slice() {
        b"U" => true,
        b"" => false,
        _ => {
            // Only reject records that are otherwise ours; a foreign
            // application's flags are none of our business.
            return match service.matches(services, true) {
                Some(_) => Verdict::Rejected(format!(
                    "flags \"{}\" are not valid in U-NAPTR (only \"U\" or empty)",
                    record.flags.escape_ascii()
                )),
                None => Verdict::OtherService,
            };
        }
    };
    let Some(protocols) = service.matches(services, terminal) else {
        return Verdict::OtherService;
    };
    if !terminal {
        if !record.regexp.is_empty() {
            return Verdict::Rejected(
                "a non-terminal record must have an empty regexp (RFC 3403 §4.1)".to_owned(),
            );
        }
        if record.replacement.is_empty() {
            return Verdict::Rejected("a non-terminal record needs a replacement name".to_owned());
        }
        return Verdict::Delegate(record.replacement.to_ascii_lowercase());
    }
    if !record.replacement.is_empty() {
        return Verdict::Rejected(
            "both regexp and replacement are set; they are mutually exclusive (RFC 3403 §4.1)"
                .to_owned(),
        );
    }
    match parse_regexp(&record.regexp).and_then(|uri| check_uri(uri, &protocols)) {
        Ok(uri) => Verdict::Uri(uri),
        Err(reason) => Verdict::Rejected(reason),
    }
}

/// Extracts the URI from `!.*!<URI>!`.
pub(crate) fn parse_regexp(regexp: &[u8]) -> Result<String, String> {
    let text = std::str::from_utf8(regexp).map_err(|_| "regexp is not UTF-8".to_owned())?;
    if text.is_empty() {
        return Err("a terminal record needs a regexp `!.*!<URI>!`".to_owned());
    }
    if !text.starts_with('!') {
        return Err(format!(
            "regexp `{text}` must use the delimiter `!` (RFC 4848 §2.2: `!.*!<URI>!`)"
        ));
    }
    let Some(rest) = text.strip_prefix("!.*!") else {
        return Err(format!(
            "regexp `{text}`: the expression must be exactly `.*` (RFC 4848 §2.2: `!.*!<URI>!`)"
        ));
    };
    let mut uri = String::new();
    let mut chars = rest.chars();
    loop {
        match chars.next() {
            None => return Err(format!("regexp `{text}` lacks its closing `!`")),
            Some('!') => break,
            Some('\\') => match chars.next() {
                Some(c @ ('!' | '\\')) => uri.push(c),
                Some(c) if c.is_ascii_digit() => {
                    return Err(format!(
                        "regexp `{text}`: back-reference `\\{c}` is not allowed in U-NAPTR"
                    ))
                }
                Some(c) => return Err(format!("regexp `{text}`: unknown escape `\\{c}`")),
                None => return Err(format!("regexp `{text}` ends in a lone `\\`")),
            },
            Some(c) => uri.push(c),
        }
    }
    let trailing = chars.as_str();
    if !trailing.is_empty() {
        return Err(format!(
            "regexp `{text}`: `{trailing}` after the closing `!` (no flags or extra text allowed)"
        ));
    }
    if uri.is_empty() {
        return Err(format!("regexp `{text}` has an empty URI"));
    }
    Ok(uri)
}

/// Checks that `uri` is an absolute URI (RFC 3986 syntax, ASCII only); when
/// the matched protocols are `http`/`https`, its scheme must be one of them
/// and it must have a host, so `ALTO:https` never yields a plain-HTTP URI.
pub(crate) fn check_uri(uri: String, protocols: &[String]) -> Result<String, String> {
    let Some((scheme, rest)) = uri.split_once(':') else {
        return Err(format!("`{uri}` is not an absolute URI (no scheme)"));
    };
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return Err(format!("`{uri}` has an invalid scheme"));
    }
    if let Some(bad) = rest.chars().find(|&c| !uri_char(c)) {
        return Err(format!(
            "`{uri}` contains `{}`, which is not allowed in a URI",
            bad.escape_default()
        ));
    }
    if !valid_percent_escapes(rest) {
        return Err(format!("`{uri}` has a malformed %-escape"));
    }
    let web: Vec<&String> = protocols
        .iter()
        .filter(|p| *p == "http" || *p == "https")
        .collect();
    if !web.is_empty() {
        if !web.iter().any(|p| p.eq_ignore_ascii_case(scheme)) {
            let wanted: Vec<&str> = web.iter().map(|p| p.as_str()).collect();
            return Err(format!(
                "`{uri}`: scheme `{scheme}` does not match the protocol {}",
                wanted.join("/")
            ));
        }
        let authority = rest
            .strip_prefix("//")
            .map(|r| r.split(['/', '?', '#']).next().unwrap_or_default());
        let host = authority.map(|a| a.rsplit('@').next().unwrap_or_default());
        if host.is_none_or(|h| h.is_empty() || h.starts_with(':')) {
            return Err(format!("`{uri}` has no host"));
        }
    }
    Ok(uri)
}

/// RFC 3986 unreserved, reserved and `%`.
fn uri_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)
}

fn valid_percent_escapes(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(flags: &str, services: &str, regexp: &str, replacement: &str) -> Naptr {
        Naptr {
            order: 100,
            preference: 10,
            flags: flags.into(),
            services: services.into(),
            regexp: regexp.into(),
            replacement: replacement.to_owned(),
        }
    }

    fn judge_alto(r: &Naptr) -> Verdict {
        judge(r, &ServiceParam::alto_https())
    }

    #[test]
    fn terminal_record_yields_its_uri() {
        let r = record("U", "ALTO:https", "!.*!https://alto.example.net/ird!", "");
        assert_eq!(
            judge_alto(&r),
            Verdict::Uri("https://alto.example.net/ird".to_owned())
        );
        let r = record("u", "alto:https", "!.*!https://a.example/x\\!y!", "");
        assert_eq!(
            judge_alto(&r),
            Verdict::Uri("https://a.example/x!y".to_owned())
        );
    }

    #[test]
    fn other_services_are_skipped() {
        for (flags, services) in [("U", "E2U+sip"), ("U", "ALTO:http"), ("S", "x-other:tcp")] {
            let r = record(flags, services, "!.*!https://a.example/!", "");
            assert_eq!(judge_alto(&r), Verdict::OtherService, "{services}");
        }
    }

    #[test]
    fn malformed_regexps_are_rejected() {
        for regexp in [
            "",
            "/.*/https://a.example/ird/",
            "!^.*$!https://a.example/ird!",
            "!(.*)!https://a.example/\\1!",
            "!.*!https://a.example/ird!i",
            "!.*!https://a.example/ird",
            "!.*!https://a.example/i rd!",
            "!.*!!",
            "!.*!not-a-uri!",
            "!.*!http://a.example/ird!",
            "!.*!https:///ird!",
            "!.*!https://a.example/%zz!",
        ] {
            let r = record("U", "ALTO:https", regexp, "");
            assert!(
                matches!(judge_alto(&r), Verdict::Rejected(_)),
                "{regexp}: {:?}",
                judge_alto(&r)
            );
        }
    }

    #[test]
    fn field_combinations_follow_rfc_3403() {
        let both = record(
            "U",
            "ALTO:https",
            "!.*!https://a.example/!",
            "alto.example.",
        );
        assert!(matches!(judge_alto(&both), Verdict::Rejected(_)));
        let s_flag = record("S", "ALTO:https", "", "_alto._tcp.example");
        assert!(matches!(judge_alto(&s_flag), Verdict::Rejected(_)));
        let delegate = record("", "ALTO:https", "", "ALTO.Example.NET");
        assert_eq!(
            judge_alto(&delegate),
            Verdict::Delegate("alto.example.net".to_owned())
        );
        let no_target = record("", "", "", "");
        assert!(matches!(judge_alto(&no_target), Verdict::Rejected(_)));
        let regexp_on_delegation = record("", "", "!.*!https://a.example/!", "x.example");
        assert!(matches!(
            judge_alto(&regexp_on_delegation),
            Verdict::Rejected(_)
        ));
    }

    #[test]
    fn displays_in_zone_file_form() {
        let r = record("U", "ALTO:https", "!.*!https://a.example/!", "");
        assert_eq!(
            r.to_string(),
            "100 10 \"U\" \"ALTO:https\" \"!.*!https://a.example/!\" ."
        );
    }
}
