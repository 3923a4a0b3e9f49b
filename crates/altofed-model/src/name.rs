//! Identifier syntax: PIDName and ResourceID (RFC 7285 §10.1, §10.2; RFC 9240
//! §5.1.2), cost metrics (RFC 7285 §10.6, RFC 9439 §3.2) and property types
//! (RFC 7285 §10.8.2, RFC 9240 §5.2.1).

use std::fmt;

use thiserror::Error;

/// Longest PIDName or ResourceID allowed (RFC 7285 §10.1).
pub const MAX_NAME_LEN: usize = 64;

/// Longest cost metric or property type allowed (RFC 7285 §10.6, §10.8.2).
pub const MAX_SHORT_NAME_LEN: usize = 32;

/// Why a string is not a valid PIDName or ResourceID.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NameError {
    #[error("name is empty (RFC 7285 §10.1)")]
    Empty,
    #[error("name `{name}` is {len} characters long; at most 64 are allowed (RFC 7285 §10.1)")]
    TooLong { name: String, len: usize },
    #[error("name `{name}` contains `.`, which is reserved (RFC 7285 §10.1)")]
    ReservedDot { name: String },
    #[error("name `{name}` contains {ch:?}; only ASCII letters, digits, `-`, `:`, `@` and `_` are allowed (RFC 7285 §10.1)")]
    BadChar { name: String, ch: char },
}

/// Checks a PIDName: 1..=64 characters from `[A-Za-z0-9-:@_]`. The `.` is
/// reserved by RFC 7285 §10.1 and no specification we implement allows it.
pub fn validate_pid_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if let Some(ch) = name.chars().find(|c| !is_name_char(*c)) {
        return Err(if ch == '.' {
            NameError::ReservedDot {
                name: name.to_owned(),
            }
        } else {
            NameError::BadChar {
                name: name.to_owned(),
                ch,
            }
        });
    }
    if name.len() > MAX_NAME_LEN {
        return Err(NameError::TooLong {
            name: name.to_owned(),
            len: name.len(),
        });
    }
    Ok(())
}

/// ResourceIDs share the PIDName syntax (RFC 7285 §10.2), and RFC 9240
/// §5.1.2 relies on them never containing `.`.
pub fn validate_resource_id(id: &str) -> Result<(), NameError> {
    validate_pid_name(id)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '@' | '_')
}

/// Which kind of short identifier a [`ShortNameError`] is about; the two
/// share one syntax but are specified in different sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShortNameKind {
    /// A cost metric (RFC 7285 §10.6).
    CostMetric,
    /// An endpoint / entity property type (RFC 7285 §10.8.2, RFC 9240 §5.2.1).
    PropertyType,
}

impl ShortNameKind {
    /// Where the rules for this kind are written down.
    pub fn rfc(self) -> &'static str {
        match self {
            Self::CostMetric => "RFC 7285 §10.6",
            Self::PropertyType => "RFC 7285 §10.8.2, RFC 9240 §5.2.1",
        }
    }
}

impl fmt::Display for ShortNameKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::CostMetric => "cost metric",
            Self::PropertyType => "property type",
        })
    }
}

/// Why a string is not a valid cost metric or property type.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ShortNameError {
    #[error("{kind} is empty ({})", .kind.rfc())]
    Empty { kind: ShortNameKind },
    #[error("{kind} `{name}` is {len} characters long; at most 32 are allowed ({})", .kind.rfc())]
    TooLong {
        kind: ShortNameKind,
        name: String,
        len: usize,
    },
    #[error("{kind} `{name}` contains {ch:?}; only ASCII letters, digits, `-`, `:` and `_` are allowed ({})", .kind.rfc())]
    BadChar {
        kind: ShortNameKind,
        name: String,
        ch: char,
    },
    #[error("{kind} `priv:` needs a suffix after the private-use prefix ({})", .kind.rfc())]
    BarePriv { kind: ShortNameKind },
}

/// Checks a cost metric: 1..=32 characters from `[A-Za-z0-9-:_]`, and not a
/// bare `priv:` (RFC 7285 §10.6). The reserved `.` is accepted only where
/// RFC 9439 §3.2 allows it: in a percentile operator such as `delay-ow:p99.9`.
pub fn validate_cost_metric(metric: &str) -> Result<(), ShortNameError> {
    let kind = ShortNameKind::CostMetric;
    let dot_ok = is_percentile_metric(metric);
    check_short_name(kind, metric, |c| is_short_char(c) || (dot_ok && c == '.'))
}

/// Checks a global property type: 1..=32 characters from `[A-Za-z0-9-:_]`,
/// and not a bare `priv:` (RFC 7285 §10.8.2, RFC 9240 §5.2.1).
pub fn validate_property_type(ty: &str) -> Result<(), ShortNameError> {
    check_short_name(ShortNameKind::PropertyType, ty, is_short_char)
}

fn check_short_name(
    kind: ShortNameKind,
    name: &str,
    allowed: impl Fn(char) -> bool,
) -> Result<(), ShortNameError> {
    if name.is_empty() {
        return Err(ShortNameError::Empty { kind });
    }
    if let Some(ch) = name.chars().find(|c| !allowed(*c)) {
        let name = name.to_owned();
        return Err(ShortNameError::BadChar { kind, name, ch });
    }
    if name.len() > MAX_SHORT_NAME_LEN {
        let (name, len) = (name.to_owned(), name.len());
        return Err(ShortNameError::TooLong { kind, name, len });
    }
    if name == "priv:" {
        return Err(ShortNameError::BarePriv { kind });
    }
    Ok(())
}

fn is_short_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '_')
}

/// `<base>:p<digits>.<digits>` (RFC 9439 §3.2 percentile operator).
fn is_percentile_metric(metric: &str) -> bool {
    let Some((_, op)) = metric.rsplit_once(':') else {
        return false;
    };
    let Some((int, frac)) = op.strip_prefix('p').and_then(|p| p.split_once('.')) else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(int) && digits(frac)
}
