//! Ordinal costs (RFC 7285 §6.1.2.2): ranks relative to every entry of
//! the map, lower is better, ties share a rank.

use rayon::slice::ParallelSliceMut;

use super::CostTable;

impl CostTable {
    /// The same pairs with dense ranks from 1 for costs: the lowest cost
    /// gets 1, equal costs share a rank. One sort of (value, position)
    /// pairs, then one pass: no per-pair search.
    pub fn dense_ranks(&self) -> CostTable {
        let mut order: Vec<(u64, u32)> = (self.costs())
            .zip(0u32..)
            .map(|(c, i)| (order_key(c), i))
            .collect();
        order.par_sort_unstable();
        let mut ranks = vec![0.0; order.len()];
        let mut rank = 0.0;
        let mut last = None;
        for (key, i) in order {
            if last != Some(key) {
                rank += 1.0;
                last = Some(key);
            }
            ranks[i as usize] = rank;
        }
        // One cost per pair, in the order of `costs()`.
        self.with_costs(ranks).unwrap_or_default()
    }
}

/// A u64 that orders like the f64 (`-0.0` equal to `0.0`, as `==` has it).
fn order_key(c: f64) -> u64 {
    let bits = (c + 0.0).to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}
