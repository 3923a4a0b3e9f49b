//! A synthetic router graph far larger than any public ISP map, for
//! headroom: a ring (so it is connected) plus random chords.

use altofed_core::topology::Topology;

use crate::rng::SplitMix64;

/// `n` routers (`n >= 3`) on a ring, plus `n / 2` chords between random
/// pairs: mean degree 3, like a PoP-level backbone, and a small diameter.
/// Links go both ways with the same cost, uniform in [1, 100) with a
/// fractional part so that path sums exercise float rounding.
pub fn ring_with_chords(n: usize, seed: u64) -> Topology {
    let mut rng = SplitMix64::new(seed);
    let mut topo = Topology::default();
    let nodes: Vec<_> = (0..n).map(|i| topo.ensure_node(&format!("s{i}"))).collect();
    let link = |topo: &mut Topology, a: usize, b: usize, rng: &mut SplitMix64| {
        let cost = rng.range_f64(1.0, 100.0);
        topo.add_min_edge(nodes[a], nodes[b], cost);
        topo.add_min_edge(nodes[b], nodes[a], cost);
    };
    for i in 0..n {
        link(&mut topo, i, (i + 1) % n, &mut rng);
    }
    let mut chords = 0;
    while chords < n / 2 {
        let (a, b) = (rng.below(n), rng.below(n));
        if a != b {
            link(&mut topo, a, b, &mut rng);
            chords += 1;
        }
    }
    topo
}
