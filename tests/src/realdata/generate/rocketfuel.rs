//! A Rocketfuel `weights.intra` backbone grouped by PoP location, and the
//! shortest-path distance between locations (min over their routers).

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};

/// Routers, their locations and weighted directed edges.
#[derive(Debug, Default)]
pub struct Backbone {
    /// Router token -> index.
    routers: BTreeMap<String, usize>,
    /// Location of each router (URL-style, e.g. `New+York,+NY`).
    location: Vec<String>,
    edges: Vec<(usize, usize, f64)>,
}

/// `^(.*\D)(\d+)$`: the location is everything before the trailing digits.
fn location_of(token: &str) -> Option<&str> {
    let loc = token.trim_end_matches(|c: char| c.is_ascii_digit());
    (loc.len() < token.len() && !loc.is_empty()).then_some(loc)
}

impl Backbone {
    pub fn parse(text: &str) -> Result<Backbone> {
        let mut b = Backbone::default();
        for (n, line) in text.lines().enumerate() {
            let fields: Vec<&str> = line.split(' ').collect();
            let [src, dst, metric] = fields[..] else {
                bail!("line {}: expected `<src> <dst> <metric>`", n + 1);
            };
            let w: f64 = metric
                .parse()
                .with_context(|| format!("line {}: metric", n + 1))?;
            let (s, d) = (b.router(src)?, b.router(dst)?);
            b.edges.push((s, d, w));
        }
        Ok(b)
    }

    fn router(&mut self, token: &str) -> Result<usize> {
        if let Some(i) = self.routers.get(token) {
            return Ok(*i);
        }
        let Some(loc) = location_of(token) else {
            bail!("router `{token}` has no location")
        };
        let i = self.location.len();
        self.location.push(loc.to_owned());
        self.routers.insert(token.to_owned(), i);
        Ok(i)
    }

    /// Distinct locations, sorted.
    pub fn locations(&self) -> Vec<String> {
        let mut locs = self.location.clone();
        locs.sort();
        locs.dedup();
        locs
    }

    /// The location with the most routers (ties: the first by name).
    pub fn hub(&self) -> String {
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for loc in &self.location {
            *count.entry(loc).or_default() += 1;
        }
        let best = count.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)));
        best.map(|(l, _)| (*l).to_owned()).unwrap_or_default()
    }

    /// Shortest-path distance from location `from` to every location
    /// (min over routers at both ends); O(V²) Dijkstra from all routers of
    /// `from` at once. Unreachable locations are absent.
    pub fn distances_from(&self, from: &str) -> BTreeMap<String, f64> {
        let n = self.location.len();
        let mut dist: Vec<f64> = (0..n)
            .map(|i| {
                if self.location[i] == from {
                    0.0
                } else {
                    f64::INFINITY
                }
            })
            .collect();
        let mut done = vec![false; n];
        let mut adj: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
        for &(s, d, w) in &self.edges {
            adj[s].push((d, w));
        }
        loop {
            let next = (0..n)
                .filter(|i| !done[*i] && dist[*i].is_finite())
                .min_by(|a, b| dist[*a].total_cmp(&dist[*b]));
            let Some(u) = next else { break };
            done[u] = true;
            for &(v, w) in &adj[u] {
                if dist[u] + w < dist[v] {
                    dist[v] = dist[u] + w;
                }
            }
        }
        let mut out: BTreeMap<String, f64> = BTreeMap::new();
        for (i, d) in dist.iter().enumerate().filter(|(_, d)| d.is_finite()) {
            let e = out.entry(self.location[i].clone()).or_insert(*d);
            *e = e.min(*d);
        }
        out
    }

    pub fn router_count(&self) -> usize {
        self.location.len()
    }
}
