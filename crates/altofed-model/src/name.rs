//! PIDName and ResourceID syntax (RFC 7285 §10.1, §10.2; RFC 9240 §5.1.2).

use thiserror::Error;

/// Longest PIDName or ResourceID allowed (RFC 7285 §10.1).
pub const MAX_NAME_LEN: usize = 64;

/// Why a string is not a valid PIDName or ResourceID.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NameError {
    #[error("name is empty")]
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
            NameError::ReservedDot { name: name.to_owned() }
        } else {
            NameError::BadChar { name: name.to_owned(), ch }
        });
    }
    if name.len() > MAX_NAME_LEN {
        return Err(NameError::TooLong { name: name.to_owned(), len: name.len() });
    }
    Ok(())
}

/// ResourceIDs share the PIDName syntax (RFC 7285 §10.2).
pub fn validate_resource_id(id: &str) -> Result<(), NameError> {
    validate_pid_name(id)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '@' | '_')
}
