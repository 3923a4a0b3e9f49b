//! Reading what a computation needs from disk: the configuration, the CDN
//! topology (and the graph it imports) and every peer's maps. Each error
//! names the file it is about.

use std::path::{Path, PathBuf};

use altofed_core::config::{env_overrides, Config};
use altofed_core::topology::build::{build_network, import_topology};
use altofed_core::topology::spec::CdnSpec;
use altofed_core::topology::CdnNetwork;
use anyhow::{Context, Result};

/// The configuration and the directory its relative paths start from.
#[derive(Debug)]
pub struct LoadedConfig {
    pub config: Config,
    pub base: PathBuf,
    /// The file it was read from.
    pub path: PathBuf,
}

/// Reads the configuration file with the process's `ALTOFED_*` overrides.
pub fn config(path: &Path) -> Result<LoadedConfig> {
    let text = read(path)?;
    let overrides = env_overrides(std::env::vars());
    let config = Config::from_toml_with_env(&text, &overrides)
        .with_context(|| path.display().to_string())?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(LoadedConfig {
        config,
        base,
        path: path.to_owned(),
    })
}

/// The top-level sections that differ between two configurations.
pub fn changed_sections(running: &Config, now: &Config) -> Vec<&'static str> {
    // The configuration types hold no floats that differ in their
    // formatting only, so their debug text compares content.
    let sections = [
        (
            "[cdn]",
            format!("{:?}", running.cdn) != format!("{:?}", now.cdn),
        ),
        (
            "[output]",
            format!("{:?}", running.output) != format!("{:?}", now.output),
        ),
        (
            "[[peer]]",
            format!("{:?}", running.peers) != format!("{:?}", now.peers),
        ),
        (
            "[[pin]]",
            format!("{:?}", running.pins) != format!("{:?}", now.pins),
        ),
        (
            "[server]",
            format!("{:?}", running.server) != format!("{:?}", now.server),
        ),
    ];
    sections
        .into_iter()
        .filter(|(_, differ)| *differ)
        .map(|(name, _)| name)
        .collect()
}

/// The CDN network and the warnings its files gave; a network unfit for
/// the configuration (no CDN PID, no border router, no peer link on one)
/// is an error.
pub fn cdn(loaded: &LoadedConfig) -> Result<(CdnNetwork, Vec<String>)> {
    let path = loaded.base.join(&loaded.config.cdn.topology);
    let spec = CdnSpec::from_toml(&read(&path)?).with_context(|| path.display().to_string())?;
    let mut warnings = Vec::new();
    let imported = match &spec.import {
        None => None,
        Some(import) => {
            let import_path = import.path_from(path.parent().unwrap_or(Path::new("")));
            let (topology, import_warnings) = import_topology(import, &read(&import_path)?)
                .with_context(|| import_path.display().to_string())?;
            warnings.extend(
                import_warnings
                    .iter()
                    .map(|w| format!("{}: {w}", import_path.display())),
            );
            Some(topology)
        }
    };
    let (network, build_warnings) =
        build_network(&spec, imported).with_context(|| path.display().to_string())?;
    let problems = altofed_core::topology::sanity::problems(&network, &loaded.config);
    if !problems.is_empty() {
        anyhow::bail!("{}: {}", path.display(), problems.join("; "));
    }
    warnings.extend(
        build_warnings
            .iter()
            .map(|w| format!("{}: {w}", path.display())),
    );
    Ok((network, warnings))
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("{}: cannot read", path.display()))
}

/// The files the CDN network is read from: the topology and what it imports.
pub fn topology_files(loaded: &LoadedConfig) -> Vec<PathBuf> {
    let path = loaded.base.join(&loaded.config.cdn.topology);
    let mut files = vec![path.clone()];
    let imported = std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| CdnSpec::from_toml(&text).ok())
        .and_then(|spec| {
            spec.import
                .map(|i| i.path_from(path.parent().unwrap_or(Path::new(""))))
        });
    files.extend(imported);
    files
}
