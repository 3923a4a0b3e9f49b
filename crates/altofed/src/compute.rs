//! `altofed compute`: one-shot computation to a directory.

use std::path::Path;
use std::process::ExitCode;

use altofed_core::pipeline::{compute, Computed};
use anyhow::{Context, Result};
use serde::Serialize;

use crate::cli::ComputeArgs;
use crate::load;

/// The files written, in the order they are written.
pub const OUTPUT_FILES: [&str; 4] = [
    "networkmap.json",
    "costmap.json",
    "costmap-ordinal.json",
    "propmap.json",
];

pub fn run(args: &ComputeArgs) -> Result<ExitCode> {
    let loaded = load::config(&args.config)?;
    let (cdn, mut warnings) = load::cdn(&loaded)?;
    let puller = crate::pull::Puller::new()?;
    let peers = loaded
        .config
        .peers
        .iter()
        .map(|peer| puller.pull(&loaded, peer))
        .collect::<Result<Vec<_>>>()?;
    let computed = compute(&loaded.config, &cdn, &peers)?;
    warnings.extend(computed.warnings.iter().cloned());
    for warning in &warnings {
        tracing::warn!("{warning}");
    }
    write_outputs(&args.out, &computed)?;
    tracing::info!(
        dir = %args.out.display(),
        pids = computed.network_map.network_map.len(),
        pairs = computed.cost_map.cost_map.len(),
        "wrote ALTO documents"
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes every document, each through a temporary file renamed into place
/// so a reader never sees half a document.
fn write_outputs(dir: &Path, computed: &Computed) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create directory", dir.display()))?;
    let [netmap, costmap, ordinal, propmap] = OUTPUT_FILES;
    write_json(&dir.join(netmap), &*computed.network_map)?;
    write_json(&dir.join(costmap), &computed.cost_map)?;
    match &computed.ordinal_cost_map {
        Some(doc) => write_json(&dir.join(ordinal), doc)?,
        // A map from an earlier run would be served as current.
        None => remove_if_there(&dir.join(ordinal))?,
    }
    write_json(&dir.join(propmap), &*computed.property_map)
}

fn remove_if_there(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("{}: cannot remove", path.display()))
        }
        _ => Ok(()),
    }
}

fn write_json<T: Serialize>(path: &Path, doc: &T) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(doc)?;
    bytes.push(b'\n');
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, &bytes).with_context(|| format!("{}: cannot write", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("{}: cannot rename into place", path.display()))
}
