//! The BGP prefix table the ISPs' network maps are cut from: the pyasn
//! table of the RouteViews RIB of 2014-05-13 (512,621 IPv4 prefixes, MIT,
//! see /work/shared/data/README.md), read from `../shared` next to the
//! workspace. A fresh clone has no `../shared`; it gets a synthetic table of
//! the same size instead, and says so on stderr.

use std::io::{BufRead, BufReader};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use ipnet::Ipv4Net;

use crate::rng::SplitMix64;

/// One route: a prefix and the AS that originates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub prefix: Ipv4Net,
    pub origin: u32,
}

/// Where the pyasn table is expected, relative to the workspace root.
pub const PYASN_TABLE: &str = "../shared/data/prefixes/ipasn_20140513.dat.gz";
/// Prefixes in that table, and in the synthetic stand-in.
pub const TABLE_SIZE: usize = 512_621;
/// Origin ASes in that table.
const TABLE_ORIGINS: u64 = 46_823;

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_owned)
}

/// The real table if it is there, else a synthetic one from `seed`.
#[allow(clippy::print_stderr)] // a benchmark's notice, on purpose
pub fn prefix_table(seed: u64) -> Vec<Route> {
    let path = workspace_root().join(PYASN_TABLE);
    match std::fs::File::open(&path) {
        Ok(file) => read_pyasn(BufReader::new(GzDecoder::new(file)))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        Err(_) => {
            eprintln!(
                "note: {} not found; using a synthetic table of {TABLE_SIZE} prefixes",
                path.display()
            );
            synthetic_table(seed)
        }
    }
}

/// Parses pyasn IPASN lines: `;` comments, then `prefix/len<TAB>asn`.
pub fn read_pyasn(input: impl BufRead) -> Result<Vec<Route>, String> {
    let mut routes = Vec::with_capacity(TABLE_SIZE);
    for (n, line) in input.lines().enumerate() {
        let line = line.map_err(|e| e.to_string())?;
        if line.starts_with(';') || line.is_empty() {
            continue;
        }
        let bad = || format!("line {}: `{line}` is not `prefix<TAB>asn`", n + 1);
        let (prefix, origin) = line.split_once('\t').ok_or_else(bad)?;
        let (Ok(prefix), Ok(origin)) = (prefix.parse(), origin.parse()) else {
            return Err(bad());
        };
        routes.push(Route { prefix, origin });
    }
    Ok(routes)
}

/// `TABLE_SIZE` distinct prefixes, /24 for about half as in the real
/// table, the rest /16 to /23, with origins drawn from as many ASes.
pub fn synthetic_table(seed: u64) -> Vec<Route> {
    let mut rng = SplitMix64::new(seed);
    let mut seen = std::collections::HashSet::with_capacity(TABLE_SIZE);
    let mut routes = Vec::with_capacity(TABLE_SIZE);
    while routes.len() < TABLE_SIZE {
        let len = if rng.below_u64(2) == 0 {
            24
        } else {
            16 + rng.below_u64(8) as u8
        };
        #[allow(clippy::cast_possible_truncation)] // 1..=223 by construction
        let first = 1 + rng.below_u64(223) as u32;
        #[allow(clippy::cast_possible_truncation)]
        let addr = Ipv4Addr::from((first << 24) | (rng.next_u64() as u32 & 0x00ff_ffff));
        let prefix = Ipv4Net::new(addr, len).expect("length <= 32").trunc();
        if seen.insert(prefix) {
            #[allow(clippy::cast_possible_truncation)]
            let origin = 1 + rng.below_u64(TABLE_ORIGINS) as u32;
            routes.push(Route { prefix, origin });
        }
    }
    routes.sort_by_key(|r| r.prefix);
    routes
}
