//! Whether a CDN network that parsed is fit to serve with a configuration:
//! a file that was emptied, or cut before its `[[border]]` tables, still
//! parses, and would publish a map of the catch-all PID alone. Such a
//! network is refused (at start-up, on reload, by `altofed check`), and on
//! reload the one in use stays.

use super::CdnNetwork;
use crate::config::Config;

/// What makes `cdn` unfit for `config`; empty when it is fit.
pub fn problems(cdn: &CdnNetwork, config: &Config) -> Vec<String> {
    let mut found = Vec::new();
    if cdn.pids.is_empty() {
        found.push(
            "no CDN PID ([[pid]] tables): the published map would hold no CDN PID".to_owned(),
        );
    }
    if cdn.borders.is_empty() {
        found.push("no border router ([[border]] tables): no peer could be composed".to_owned());
    } else if !config.peers.is_empty() && !config.peers.iter().any(|p| linked(cdn, p)) {
        let borders: Vec<&str> = cdn.borders.iter().map(|b| b.name.as_str()).collect();
        found.push(format!(
            "no peer link's router is a border router of this topology ({}): \
             every peer would be left un-composed",
            borders.join(", ")
        ));
    }
    found
}

/// Whether one of the peer's links ends at a border router of `cdn`.
fn linked(cdn: &CdnNetwork, peer: &crate::config::PeerConfig) -> bool {
    peer.links
        .iter()
        .any(|l| cdn.border_index(&l.router).is_some())
}
