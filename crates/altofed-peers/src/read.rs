//! Reading one ALTO document from a file: bounded in size, parsed straight
//! into its typed form, and every error naming the file and the JSON key.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use serde::de::DeserializeOwned;

use crate::SourceError;

/// The largest document accepted from a peer (a production cost map is
/// about 50 MB).
pub const MAX_DOCUMENT_BYTES: u64 = 256 * 1024 * 1024;

/// Reads and parses `path` as `what` (e.g. "network map").
pub fn read_document<T: DeserializeOwned>(
    path: &Path,
    what: &'static str,
    limit: u64,
) -> Result<T, SourceError> {
    let io = |error| SourceError::Io {
        path: path.to_owned(),
        error,
    };
    let file = File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > limit {
        return Err(SourceError::TooLarge {
            path: path.to_owned(),
            size,
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // Read one byte past the limit: the file may have grown since `metadata`.
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(SourceError::TooLarge {
            path: path.to_owned(),
            size: bytes.len() as u64,
            limit,
        });
    }
    parse_document(&bytes).map_err(|(key, reason)| SourceError::Malformed {
        path: path.to_owned(),
        what,
        key,
        reason,
    })
}

/// Parses a document, returning on failure the JSON path of the offending
/// key (`.` for the top level) and serde's reason with line and column.
///
/// `serde_path_to_error` copies every key it passes into a `String`, over a
/// million of them in a production cost map, so the document is parsed
/// without it first; only when that fails is it parsed again, with it, to
/// name the key. The same bytes fail at the same place with the same
/// reason. Neither parse looks past the end of the first JSON value.
pub fn parse_document<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, (String, String)> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    T::deserialize(de).or_else(|_| parse_with_path(bytes))
}

fn parse_with_path<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, (String, String)> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let key = e.path().to_string();
        (key, e.into_inner().to_string())
    })
}
