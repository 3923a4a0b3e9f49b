//! Where an ISP's PIDs sit and what it costs to go between them: the PoP
//! locations of a Rocketfuel backbone and the shortest-path latency
//! between them (`<AS>.latencies.intra`, ms), or, without `../shared`, a
//! seeded set of points in a 60 x 30 ms plane.

use std::collections::BTreeMap;

use super::prefixes::workspace_root;
use crate::rng::SplitMix64;

/// Rocketfuel backbones, used in turn by the ISPs of a scenario.
pub const ROCKETFUEL_ASES: [u32; 6] = [1239, 3257, 1221, 1755, 3967, 6461];
const ROCKETFUEL_DIR: &str = "../shared/data/topologies/rocketfuel";

/// PoP locations and the latency between every two of them.
#[derive(Debug, Clone)]
pub struct PopGraph {
    /// Location slugs, e.g. `new-york-ny`.
    pub locations: Vec<String>,
    /// `latency[a][b]`, ms; 0 on the diagonal.
    pub latency: Vec<Vec<f64>>,
}

/// The PoP graph of Rocketfuel AS `asn`, or a seeded stand-in.
#[allow(clippy::print_stderr)] // a benchmark's notice, on purpose
pub fn pop_graph(asn: u32, seed: u64) -> PopGraph {
    let path = workspace_root()
        .join(ROCKETFUEL_DIR)
        .join(format!("{asn}.latencies.intra"));
    match std::fs::read_to_string(&path) {
        Ok(text) => rocketfuel(&text),
        Err(_) => {
            eprintln!("note: {} not found; using seeded PoPs", path.display());
            seeded(seed, 40)
        }
    }
}

/// Locations of a Rocketfuel edge list (router tokens without their
/// trailing router id), and all-pairs shortest latencies between them
/// (moving inside a location is free).
pub fn rocketfuel(text: &str) -> PopGraph {
    let mut edges = Vec::new();
    let mut index = BTreeMap::new();
    for line in text.lines() {
        let mut fields = line.split(' ');
        let (Some(a), Some(b), Some(ms)) = (fields.next(), fields.next(), fields.next()) else {
            continue;
        };
        let Ok(ms) = ms.parse::<f64>() else { continue };
        edges.push((location(a), location(b), ms));
        index.insert(location(a), 0);
        index.insert(location(b), 0);
    }
    for (i, v) in index.values_mut().enumerate() {
        *v = i;
    }
    let n = index.len();
    let mut latency = vec![vec![f64::INFINITY; n]; n];
    for (i, row) in latency.iter_mut().enumerate() {
        row[i] = 0.0;
    }
    for (a, b, ms) in edges {
        let (a, b) = (index[&a], index[&b]);
        latency[a][b] = latency[a][b].min(ms);
    }
    floyd_warshall(&mut latency);
    // A location in another component than the rest: as far as the farthest.
    let far = latency
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    latency
        .iter_mut()
        .flatten()
        .filter(|v| v.is_infinite())
        .for_each(|v| *v = far);
    PopGraph {
        locations: index.into_keys().collect(),
        latency,
    }
}

/// `San+Jose,+CA4062` -> `san-jose-ca`.
fn location(token: &str) -> String {
    let name = token.trim_end_matches(|c: char| c.is_ascii_digit());
    let slug: String = name
        .chars()
        .filter(|c| *c != ',')
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    slug.trim_matches('-').to_owned()
}

fn floyd_warshall(d: &mut [Vec<f64>]) {
    let n = d.len();
    for k in 0..n {
        for i in 0..n {
            for j in 0..n {
                let via = d[i][k] + d[k][j];
                if via < d[i][j] {
                    d[i][j] = via;
                }
            }
        }
    }
}

/// `n` PoPs at seeded points; latency is the straight-line distance.
pub fn seeded(seed: u64, n: usize) -> PopGraph {
    let mut rng = SplitMix64::new(seed ^ 0x706f_7073);
    #[allow(clippy::cast_precision_loss)]
    let points: Vec<(f64, f64)> = (0..n)
        .map(|_| {
            (
                rng.below_u64(6000) as f64 / 100.0,
                rng.below_u64(3000) as f64 / 100.0,
            )
        })
        .collect();
    let latency = points
        .iter()
        .map(|a| {
            points
                .iter()
                .map(|b| (a.0 - b.0).hypot(a.1 - b.1))
                .collect()
        })
        .collect();
    PopGraph {
        locations: (0..n).map(|i| format!("pop{i}")).collect(),
        latency,
    }
}
