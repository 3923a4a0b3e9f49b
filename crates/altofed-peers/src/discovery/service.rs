//! U-NAPTR service parameters (`ALTO:https`), RFC 3958 §6.5 / RFC 4848 §4.5.

use std::fmt;
use std::str::FromStr;

/// A U-NAPTR service parameter to look for: an application service and the
/// application protocols the client speaks, e.g. `ALTO:https`.
///
/// RFC 8686 §3.1: any valid service parameter is accepted, not only
/// `ALTO:https`. Comparison with records is case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceParam {
    service: String,
    protocols: Vec<String>,
}

impl ServiceParam {
    /// `ALTO:https`, the service parameter RFC 7286 §3.2 and RFC 8686 §3.1 use.
    pub fn alto_https() -> Self {
        Self {
            service: "ALTO".to_owned(),
            protocols: vec!["https".to_owned()],
        }
    }

    /// The application service tag, e.g. `ALTO`.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The application protocol tags, e.g. `["https"]`.
    pub fn protocols(&self) -> &[String] {
        &self.protocols
    }

    /// Whether a record's services field matches.
    ///
    /// A terminal record must name the same application service and at least
    /// one of our protocols; returns the protocols both sides share. A
    /// non-terminal record may also leave the field empty (RFC 3958 §6.5
    /// allows an empty `service-parms`) or name the service without protocols.
    pub(crate) fn matches(&self, field: &str, terminal: bool) -> Option<Vec<String>> {
        if field.is_empty() {
            return (!terminal).then(Vec::new);
        }
        let mut parts = field.split(':');
        let service = parts.next().unwrap_or_default();
        if !service.eq_ignore_ascii_case(&self.service) {
            return None;
        }
        let common: Vec<String> = parts
            .filter(|p| {
                self.protocols
                    .iter()
                    .any(|ours| ours.eq_ignore_ascii_case(p))
            })
            .map(str::to_ascii_lowercase)
            .collect();
        if common.is_empty() && (terminal || field.contains(':')) {
            return None;
        }
        Some(common)
    }
}

impl fmt::Display for ServiceParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.service)?;
        for protocol in &self.protocols {
            write!(f, ":{protocol}")?;
        }
        Ok(())
    }
}

/// Why a service parameter is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidServiceParam {
    /// The text given.
    pub param: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl fmt::Display for InvalidServiceParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid U-NAPTR service parameter `{}`: {}",
            self.param, self.reason
        )
    }
}

impl std::error::Error for InvalidServiceParam {}

impl FromStr for ServiceParam {
    type Err = InvalidServiceParam;

    /// Parses `service:protocol[:protocol…]` (RFC 3958 §6.5): tags of 1-32
    /// characters starting with a letter; services may also use `+ - .`,
    /// protocols only letters and digits unless experimental (`x-…`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = |reason| InvalidServiceParam {
            param: s.to_owned(),
            reason,
        };
        let mut parts = s.split(':');
        let service = parts.next().unwrap_or_default();
        if !valid_tag(service, true) {
            return Err(invalid(
                "the service tag must be 1-32 letters, digits, `+`, `-` or `.`, starting with a letter",
            ));
        }
        let protocols: Vec<String> = parts.map(str::to_owned).collect();
        if protocols.is_empty() {
            return Err(invalid(
                "at least one application protocol is needed (`ALTO:https`)",
            ));
        }
        if !protocols.iter().all(|p| valid_tag(p, false)) {
            return Err(invalid(
                "a protocol tag must be 1-32 letters or digits, starting with a letter",
            ));
        }
        Ok(Self {
            service: service.to_owned(),
            protocols,
        })
    }
}

/// RFC 3958 §6.5: `ALPHA *31ALPHANUMSYM` (services) or `ALPHA *31ALPHANUM`
/// (protocols), or experimental `x-` 1*30ALPHANUMSYM for either.
fn valid_tag(tag: &str, symbols: bool) -> bool {
    let sym = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.');
    if let Some(rest) = tag.strip_prefix("x-").or_else(|| tag.strip_prefix("X-")) {
        return (1..=30).contains(&rest.len()) && rest.chars().all(sym);
    }
    let mut chars = tag.chars();
    let first_alpha = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    first_alpha
        && tag.len() <= 32
        && chars.all(|c| {
            if symbols {
                sym(c)
            } else {
                c.is_ascii_alphanumeric()
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays() {
        let sp: ServiceParam = "ALTO:https".parse().expect("valid");
        assert_eq!(sp, ServiceParam::alto_https());
        assert_eq!(sp.to_string(), "ALTO:https");
        let sp: ServiceParam = "ALTO:http:https".parse().expect("valid");
        assert_eq!(sp.protocols(), ["http", "https"]);
        assert!("x-foo.bar:x-proto".parse::<ServiceParam>().is_ok());
    }

    #[test]
    fn rejects_invalid() {
        for bad in [
            "",
            "ALTO",
            ":https",
            "ALTO:",
            "1ALTO:https",
            "ALTO:ht-tps",
            "A LTO:https",
        ] {
            assert!(bad.parse::<ServiceParam>().is_err(), "{bad}");
        }
    }

    #[test]
    fn matching_is_case_insensitive_and_needs_a_common_protocol() {
        let sp = ServiceParam::alto_https();
        assert_eq!(
            sp.matches("alto:HTTPS", true),
            Some(vec!["https".to_owned()])
        );
        assert_eq!(
            sp.matches("ALTO:http:https", true),
            Some(vec!["https".to_owned()])
        );
        assert_eq!(sp.matches("ALTO:http", true), None);
        assert_eq!(sp.matches("ALTO", true), None);
        assert_eq!(sp.matches("", true), None);
        assert_eq!(sp.matches("E2U+sip", true), None);
        // Non-terminal: empty or protocol-less service fields delegate.
        assert_eq!(sp.matches("", false), Some(vec![]));
        assert_eq!(sp.matches("ALTO", false), Some(vec![]));
        assert_eq!(sp.matches("ALTO:http", false), None);
    }
}
