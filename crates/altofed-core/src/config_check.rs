//! Checks on a parsed [`Config`] that serde cannot express. Each error names
//! the key it is about.

use std::collections::HashSet;

use altofed_model::{validate_pid_name, validate_resource_id, CostMode};

use crate::compose::Mode;
use crate::config::{invalid, BorderMethod, Config, ConfigError, LinkConfig, PeerConfig};

pub(crate) fn check(config: &Config) -> Result<(), ConfigError> {
    check_output(config)?;
    let mut names = HashSet::new();
    for (i, peer) in config.peers.iter().enumerate() {
        check_peer(&format!("peer[{i}]"), peer)?;
        if !names.insert(peer.name.as_str()) {
            return Err(invalid(
                format!("peer[{i}].name"),
                format!("peer `{}` is defined twice", peer.name),
            ));
        }
    }
    check_pins(config)?;
    let server = &config.server;
    if server.tls_cert.is_some() != server.tls_key.is_some() {
        return Err(invalid("server", "tls-cert and tls-key go together"));
    }
    if server.watch_interval.is_zero() {
        return Err(invalid("server.watch-interval", "must be longer than 0s"));
    }
    check_limits(&server.limits)?;
    crate::config_cache::check_cache(config)
}

/// Limits of 0 would refuse everything: every one must be positive.
fn check_limits(l: &crate::config::LimitsSection) -> Result<(), ConfigError> {
    let counts = [
        (
            "max-pairs-per-request",
            l.max_pairs_per_request.map(|v| v as u128),
        ),
        ("max-request-bytes", l.max_request_bytes.map(|v| v as u128)),
        (
            "max-concurrent-requests",
            l.max_concurrent_requests.map(|v| v as u128),
        ),
        ("max-connections", l.max_connections.map(|v| v as u128)),
        (
            "max-update-streams",
            l.max_update_streams.map(|v| v as u128),
        ),
        (
            "max-update-streams-per-client",
            l.max_update_streams_per_client.map(|v| v as u128),
        ),
    ];
    for (name, value) in counts {
        if value == Some(0) {
            return Err(invalid(
                format!("server.limits.{name}"),
                "must be at least 1",
            ));
        }
    }
    let times = [
        ("request-timeout", l.request_timeout),
        ("header-read-timeout", l.header_read_timeout),
        ("idle-timeout", l.idle_timeout),
        ("write-timeout", l.write_timeout),
    ];
    for (name, value) in times {
        if value.is_some_and(|d| d.is_zero()) {
            return Err(invalid(
                format!("server.limits.{name}"),
                "must be longer than 0s",
            ));
        }
    }
    Ok(())
}

fn check_output(config: &Config) -> Result<(), ConfigError> {
    let out = &config.output;
    for id in [
        config.network_map_id(),
        config.cost_map_id(CostMode::Numerical),
        config.cost_map_id(CostMode::Ordinal),
        config.property_map_id(),
    ] {
        validate_resource_id(&id).map_err(|e| invalid("output.resource-prefix", e.to_string()))?;
    }
    if let Some(cost) = out.default_cost {
        non_negative("output.default-cost", cost)?;
    }
    validate_pid_name(&out.catch_all_pid)
        .map_err(|e| invalid("output.catch-all-pid", e.to_string()))?;
    if let Some(peer) = &out.catch_all_costs_from {
        if config.peer_index(peer).is_none() {
            return Err(invalid(
                "output.catch-all-costs-from",
                format!("no peer is called `{peer}`"),
            ));
        }
    }
    Ok(())
}

fn check_peer(key: &str, peer: &PeerConfig) -> Result<(), ConfigError> {
    // The peer name becomes the namespace of its PIDs (`<peer>:<pid>`), so it
    // must be PID-name material and must not itself contain the separator.
    validate_pid_name(&peer.name).map_err(|e| invalid(format!("{key}.name"), e.to_string()))?;
    if peer.name.contains(':') {
        return Err(invalid(
            format!("{key}.name"),
            format!(
                "peer name `{}` contains `:`, which separates peer and PID in published names",
                peer.name
            ),
        ));
    }
    if !(peer.scale.is_finite() && peer.scale > 0.0) {
        return Err(invalid(
            format!("{key}.scale"),
            format!("must be a finite number > 0, got {}", peer.scale),
        ));
    }
    if !peer.offset.is_finite() {
        return Err(invalid(
            format!("{key}.offset"),
            format!("must be a finite number, got {}", peer.offset),
        ));
    }
    check_source(key, peer)?;
    if peer.border_property.is_empty() {
        return Err(invalid(
            format!("{key}.border-property"),
            "must not be empty",
        ));
    }
    if peer.links.is_empty() {
        return Err(invalid(
            format!("{key}.link"),
            format!("peer `{}` has no peering link", peer.name),
        ));
    }
    let mut names = HashSet::new();
    for (j, link) in peer.links.iter().enumerate() {
        check_link(&format!("{key}.link[{j}]"), peer.border_by, link)?;
        if !names.insert(link.name()) {
            return Err(invalid(
                format!("{key}.link[{j}].name"),
                format!(
                    "link `{}` is defined twice for peer `{}`",
                    link.name(),
                    peer.name
                ),
            ));
        }
    }
    Ok(())
}

/// Exactly one source: a directory, an IRD URL, or discovery.
fn check_source(key: &str, peer: &PeerConfig) -> Result<(), ConfigError> {
    let given = [peer.dir.is_some(), peer.url.is_some(), peer.discover]
        .iter()
        .filter(|b| **b)
        .count();
    if given != 1 {
        return Err(invalid(
            key,
            format!(
                "peer `{}` needs exactly one of `dir`, `url` or `discover = true`",
                peer.name
            ),
        ));
    }
    if let Some(url) = &peer.url {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(invalid(
                format!("{key}.url"),
                format!("`{url}` is not an http:// or https:// URL"),
            ));
        }
    }
    if peer.discover && peer.links.first().and_then(|l| l.address).is_none() {
        return Err(invalid(
            format!("{key}.discover"),
            "discovery starts from the address of the first link, which has none",
        ));
    }
    if peer.max_age.is_zero() {
        return Err(invalid(format!("{key}.max-age"), "must be longer than 0s"));
    }
    check_http(&format!("{key}.http"), &peer.http)
}

fn check_http(key: &str, http: &crate::config::HttpOptions) -> Result<(), ConfigError> {
    for (name, value) in [
        ("poll-interval", http.poll_interval),
        ("timeout", http.timeout),
        ("connect-timeout", http.connect_timeout),
        ("retry-min", http.retry_min),
    ] {
        if value.is_zero() {
            return Err(invalid(format!("{key}.{name}"), "must be longer than 0s"));
        }
    }
    if http.retry_max < http.retry_min {
        return Err(invalid(
            format!("{key}.retry-max"),
            "must not be shorter than retry-min",
        ));
    }
    if http.basic_user.is_some() != http.basic_password.is_some() {
        return Err(invalid(key, "basic-user and basic-password go together"));
    }
    if http.basic_user.is_some() && http.bearer_token.is_some() {
        return Err(invalid(
            key,
            "use either basic-user/basic-password or bearer-token, not both",
        ));
    }
    Ok(())
}

fn check_link(key: &str, method: BorderMethod, link: &LinkConfig) -> Result<(), ConfigError> {
    non_negative(&format!("{key}.cost"), link.cost)?;
    if method != BorderMethod::Attribute && link.address.is_none() {
        return Err(invalid(
            format!("{key}.address"),
            "missing: border-by = \"address\" or \"both\" needs the address of the ISP router on every link",
        ));
    }
    Ok(())
}

fn check_pins(config: &Config) -> Result<(), ConfigError> {
    for (i, pin) in config.pins.iter().enumerate() {
        let key = format!("pin[{i}]");
        if config.output.mode != Mode::SinglePath {
            return Err(invalid(
                key,
                "an egress pin only applies with output.mode = \"single-path\"",
            ));
        }
        let Some(p) = config.peer_index(&pin.peer) else {
            return Err(invalid(
                format!("{key}.peer"),
                format!("no peer is called `{}`", pin.peer),
            ));
        };
        if !config.peers[p].links.iter().any(|l| l.name() == pin.link) {
            return Err(invalid(
                format!("{key}.link"),
                format!("peer `{}` has no link called `{}`", pin.peer, pin.link),
            ));
        }
    }
    Ok(())
}

fn non_negative(key: &str, value: f64) -> Result<(), ConfigError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(invalid(
            key,
            format!("must be a finite number ≥ 0, got {value}"),
        ))
    }
}
