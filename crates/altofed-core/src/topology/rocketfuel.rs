//! Rocketfuel `weights.intra` import: one directed edge per line,
//! `<src> <dst> <metric>`, the metric an inferred IGP weight (a float, e.g.
//! `22.5`). Both directions of a link are in the file, so lines are taken
//! as they are. Router names are the tokens as written (e.g.
//! `London,+UnitedKingdom209`): unique, and they carry the location.

use super::{Topology, TopologyError};

/// Parses a `weights.intra` (or `latencies.intra`) file. Blank lines are
/// skipped; repeated edges keep the cheapest metric; self-loops are
/// dropped. Errors give the 1-based line number.
pub fn parse_rocketfuel(text: &str) -> Result<Topology, TopologyError> {
    let mut topo = Topology::default();
    for (i, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        let [src, dst, metric] = fields[..] else {
            return Err(TopologyError::RocketfuelFields {
                line: i + 1,
                found: fields.len(),
            });
        };
        let cost = parse_metric(i + 1, metric)?;
        if src != dst {
            let (a, b) = (topo.ensure_node(src), topo.ensure_node(dst));
            topo.add_min_edge(a, b, cost);
        }
    }
    Ok(topo)
}

/// A metric must be a finite, non-negative number (`inf` and `NaN` parse
/// as floats in Rust, so they are checked separately).
fn parse_metric(line: usize, text: &str) -> Result<f64, TopologyError> {
    let value: f64 = text
        .parse()
        .map_err(|_| TopologyError::RocketfuelBadMetric {
            line,
            value: text.to_owned(),
        })?;
    if !value.is_finite() || value < 0.0 {
        return Err(TopologyError::RocketfuelMetricRange { line, value });
    }
    Ok(value)
}
