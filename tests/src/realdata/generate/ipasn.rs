//! Reading the pyasn IPASN table (`<prefix>/<len>\t<asn>` lines, `;`
//! header lines, gzipped).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;

use anyhow::{bail, Context, Result};
use flate2::read::GzDecoder;
use ipnet::Ipv4Net;

/// The IPv4 prefixes originated by each AS of `asns`, sorted, each once.
pub fn prefixes_by_origin(path: &Path, asns: &[u32]) -> Result<BTreeMap<u32, Vec<Ipv4Net>>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    let mut out: BTreeMap<u32, Vec<Ipv4Net>> = asns.iter().map(|a| (*a, Vec::new())).collect();
    for (n, line) in BufReader::new(GzDecoder::new(file)).lines().enumerate() {
        let line = line.with_context(|| format!("{}: line {}", path.display(), n + 1))?;
        if line.starts_with(';') || line.is_empty() {
            continue;
        }
        let Some((prefix, asn)) = line.split_once('\t') else {
            bail!(
                "{}: line {}: expected `<prefix>\\t<asn>`",
                path.display(),
                n + 1
            );
        };
        let Some(list) = asn.parse::<u32>().ok().and_then(|a| out.get_mut(&a)) else {
            continue;
        };
        if prefix.contains(':') {
            continue;
        }
        let net: Ipv4Net = prefix
            .parse()
            .with_context(|| format!("{}: line {}", path.display(), n + 1))?;
        list.push(net);
    }
    for list in out.values_mut() {
        list.sort();
        list.dedup();
    }
    Ok(out)
}
