//! Writes `topologies/realdata/` from the real data in `../shared/data`
//! (see `params` for every choice made, `docs` for the README).

mod cdn;
mod docs;
mod ipasn;
mod isp;
mod json;
pub mod params;
mod rocketfuel;

use std::path::{Path, PathBuf};

use anyhow::{ensure, Context, Result};
use ipnet::Ipv4Net;

use params::{
    DUPLICATE_FROM, DUPLICATE_TO, IPASN_FILE, ISPS, MAX_PREFIXES, PYASN_LICENSE, ZOO_FILE,
    ZOO_LICENSE,
};

pub use isp::{pid_name, CATCH_ALL};

/// How the aggregator finds an ISP's border PIDs (`border-by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BorderBy {
    Address,
    Attribute,
    Both,
}

impl BorderBy {
    pub fn as_str(self) -> &'static str {
        match self {
            BorderBy::Address => "address",
            BorderBy::Attribute => "attribute",
            BorderBy::Both => "both",
        }
    }
}

/// What was generated, for the README and the binary's report.
#[derive(Debug)]
pub struct Summary {
    pub isps: Vec<IspSummary>,
    /// The prefix listed by both ISPs on purpose.
    pub duplicate: Ipv4Net,
    pub files: Vec<(PathBuf, usize)>,
}

#[derive(Debug)]
pub struct IspSummary {
    pub asn: u32,
    pub originated: usize,
    pub prefixes: usize,
    pub locations: usize,
    pub routers: usize,
    pub cost_entries: usize,
    pub hub: String,
    pub border_addresses: Vec<std::net::Ipv4Addr>,
}

/// `<repo>/../shared/data`, where the project keeps its real data.
pub fn default_data_dir() -> PathBuf {
    crate::fixtures::repo_root()
        .join("..")
        .join("shared")
        .join("data")
}

/// Regenerates the scenario in `out` from the data in `data`.
pub fn generate(data: &Path, out: &Path) -> Result<Summary> {
    let asns: Vec<u32> = ISPS.iter().map(|i| i.asn).collect();
    let originated = ipasn::prefixes_by_origin(&data.join("prefixes").join(IPASN_FILE), &asns)?;
    let mut lists: Vec<Vec<Ipv4Net>> = ISPS
        .iter()
        .map(|i| {
            originated[&i.asn]
                .iter()
                .take(MAX_PREFIXES)
                .copied()
                .collect()
        })
        .collect();
    let doc_range: Ipv4Net = "203.0.113.0/24".parse()?;
    for net in lists.iter().flatten() {
        ensure!(
            !net.contains(&doc_range) && !doc_range.contains(net),
            "{net} overlaps the CDN prefixes"
        );
    }
    let own: Vec<usize> = lists.iter().map(Vec::len).collect();
    let duplicate = *lists[DUPLICATE_FROM]
        .last()
        .context("the ISP has no prefix")?;
    ensure!(
        !lists[DUPLICATE_TO].contains(&duplicate),
        "{duplicate} is already listed twice"
    );
    lists[DUPLICATE_TO].push(duplicate);

    let mut files = Vec::new();
    let mut write = |rel: &str, bytes: &[u8]| -> Result<()> {
        let path = out.join(rel);
        std::fs::create_dir_all(path.parent().context("parent")?)?;
        std::fs::write(&path, bytes)
            .with_context(|| format!("{}: cannot write", path.display()))?;
        files.push((PathBuf::from(rel), bytes.len()));
        Ok(())
    };
    let mut isps = Vec::new();
    let mut addresses = Vec::new();
    for (i, params) in ISPS.iter().enumerate() {
        let weights = data
            .join("topologies")
            .join("rocketfuel")
            .join(format!("{}.weights.intra", params.asn));
        let text = std::fs::read_to_string(&weights)
            .with_context(|| format!("{}: cannot read", weights.display()))?;
        let backbone =
            rocketfuel::Backbone::parse(&text).with_context(|| weights.display().to_string())?;
        let maps = isp::build(params, &lists[i], own[i], &backbone)?;
        write(
            &format!("{}/networkmap.json", params.peer),
            maps.networkmap.as_bytes(),
        )?;
        write(
            &format!("{}/costmap.json", params.peer),
            maps.costmap.as_bytes(),
        )?;
        match &maps.propmap {
            Some(text) => write(&format!("{}/propmap.json", params.peer), text.as_bytes())?,
            None => {
                let _ = std::fs::remove_file(out.join(params.peer).join("propmap.json"));
            }
        }
        addresses.push(maps.border_addresses.clone());
        isps.push(IspSummary {
            asn: params.asn,
            originated: originated[&params.asn].len(),
            prefixes: maps.prefixes,
            locations: maps.locations,
            routers: maps.routers,
            cost_entries: maps.cost_entries,
            hub: maps.hub,
            border_addresses: maps.border_addresses,
        });
    }
    let zoo = data.join("topologies").join("zoo");
    let graphml = std::fs::read(zoo.join(ZOO_FILE))
        .with_context(|| format!("{}", zoo.join(ZOO_FILE).display()))?;
    let labels = altofed_core::topology::graphml_labels(std::str::from_utf8(&graphml)?)?;
    write(ZOO_FILE, &graphml)?;
    write(ZOO_LICENSE, &std::fs::read(zoo.join(ZOO_LICENSE))?)?;
    write(
        PYASN_LICENSE,
        &std::fs::read(data.join("prefixes").join(PYASN_LICENSE))?,
    )?;
    write("cdn.toml", cdn::cdn_toml(&labels).as_bytes())?;
    write(
        "altofed.toml",
        cdn::config_toml(false, &addresses).as_bytes(),
    )?;
    write(
        "altofed-single.toml",
        cdn::config_toml(true, &addresses).as_bytes(),
    )?;
    let mut summary = Summary {
        isps,
        duplicate,
        files: Vec::new(),
    };
    write("ATTRIBUTION.md", docs::ATTRIBUTION.as_bytes())?;
    write("README.md", docs::readme(&summary).as_bytes())?;
    summary.files = files;
    Ok(summary)
}
