//! Reading one ALTO document from a file: bounded in size, parsed straight
//! into its typed form, and every error naming the file and the JSON key.

use std::any::Any;
use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use altofed_model::NetworkMapDoc;
use serde::de::DeserializeOwned;

use crate::SourceError;

/// The largest document accepted from a peer (a production cost map is
/// about 50 MB).
pub const MAX_DOCUMENT_BYTES: u64 = 256 * 1024 * 1024;

/// Reads and parses `path` as `what` (e.g. "network map").
pub fn read_document<T: DeserializeOwned + 'static>(
    path: &Path,
    what: &'static str,
    limit: u64,
) -> Result<T, SourceError> {
    let io = |error| SourceError::Io {
        path: path.to_owned(),
        error,
    };
    let file = open_regular(path).map_err(io)?;
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

/// Opens `path` for reading if it is a regular file (after symlinks). The
/// open itself never blocks: `O_NONBLOCK` makes opening a FIFO with no
/// writer return at once (it has no effect on regular files), and the
/// type is checked on the opened file, so a file swapped for a FIFO or a
/// device between a check and the open is still refused.
fn open_regular(path: &Path) -> io::Result<File> {
    let nonblock = rustix::fs::OFlags::NONBLOCK.bits();
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(i32::try_from(nonblock).unwrap_or(0))
        .open(path)?;
    let kind = file.metadata()?.file_type();
    if kind.is_file() {
        return Ok(file);
    }
    let what = if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    };
    Err(io::Error::other(format!(
        "it is {what}; only regular files are read"
    )))
}

/// Parses a document, returning on failure the JSON path of the offending
/// key (`.` for the top level) and serde's reason with line and column.
///
/// `serde_path_to_error` copies every key it passes into a `String`, over a
/// million of them in a production cost map, so the document is parsed
/// without it first; only when that fails is it parsed again, with it, to
/// name the key. The same bytes fail at the same place with the same
/// reason. Anything but whitespace after the JSON value is an error (key
/// `.`): a document with trailing bytes was cut or glued, not sent.
///
/// A network map is first read by its own scanner ([`NetworkMapDoc::scan`],
/// several times faster); what that does not read, serde does as above.
/// (`'static` is for telling the document types apart.)
pub fn parse_document<T: DeserializeOwned + 'static>(bytes: &[u8]) -> Result<T, (String, String)> {
    if let Some(doc) = scanned(bytes) {
        return Ok(doc);
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    match T::deserialize(&mut *de).and_then(|doc| de.end().map(|()| doc)) {
        Ok(doc) => Ok(doc),
        Err(_) => parse_with_path(bytes),
    }
}

/// The document read by a scanner of its own, where its type has one and
/// the scanner is sure of the text.
fn scanned<T: 'static>(bytes: &[u8]) -> Option<T> {
    let mut doc: Option<T> = None;
    if let Some(net) = (&mut doc as &mut dyn Any).downcast_mut::<Option<NetworkMapDoc>>() {
        *net = NetworkMapDoc::scan(bytes);
    }
    doc
}

fn parse_with_path<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, (String, String)> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let doc = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let key = e.path().to_string();
        (key, e.into_inner().to_string())
    })?;
    de.end().map_err(|e| (".".to_owned(), e.to_string()))?;
    Ok(doc)
}
