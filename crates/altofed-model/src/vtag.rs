//! Version tags (RFC 7285 §10.3).

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::name::{validate_resource_id, NameError};

/// Longest `tag` allowed (RFC 7285 §10.3).
pub const MAX_TAG_LEN: usize = 64;

/// `{"resource-id": ..., "tag": ...}`; equal only when both members are
/// byte-for-byte equal (RFC 7285 §10.3), which is what derived `Eq` does.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VersionTag {
    #[serde(rename = "resource-id")]
    pub resource_id: String,
    pub tag: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VtagError {
    #[error("vtag resource-id: {0}")]
    ResourceId(#[from] NameError),
    #[error("vtag tag is empty (RFC 7285 §10.3)")]
    EmptyTag,
    #[error("vtag tag is {0} characters long; at most 64 are allowed (RFC 7285 §10.3)")]
    TagTooLong(usize),
    #[error("vtag tag contains {0:?}; only U+0021..U+007E are allowed (RFC 7285 §10.3)")]
    TagBadChar(char),
}

impl VersionTag {
    pub fn new(resource_id: impl Into<String>, tag: impl Into<String>) -> Self {
        Self {
            resource_id: resource_id.into(),
            tag: tag.into(),
        }
    }

    pub fn validate(&self) -> Result<(), VtagError> {
        validate_resource_id(&self.resource_id)?;
        if self.tag.is_empty() {
            return Err(VtagError::EmptyTag);
        }
        if let Some(c) = self
            .tag
            .chars()
            .find(|c| !('\u{21}'..='\u{7e}').contains(c))
        {
            return Err(VtagError::TagBadChar(c));
        }
        if self.tag.len() > MAX_TAG_LEN {
            return Err(VtagError::TagTooLong(self.tag.len()));
        }
        Ok(())
    }
}

/// `resource-id`/`tag`, for messages; not a wire format.
impl fmt::Display for VersionTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` tag `{}`", self.resource_id, self.tag)
    }
}

/// A low-collision tag derived from content (RFC 7285 §10.3 recommends one):
/// the first 128 bits of SHA-256, as 32 lower-case hex digits.
pub fn content_tag(bytes: &[u8]) -> String {
    tag_of_digest(&Sha256::digest(bytes))
}

/// A content tag from a SHA-256 digest: its first 128 bits in hex.
pub(crate) fn tag_of_digest(digest: &[u8]) -> String {
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}
