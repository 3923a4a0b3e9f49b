//! A radix heap (Ahuja, Mehlhorn, Orlin, Tarjan 1990) over `u64` keys: a
//! min-priority queue for *monotone* use, where no key pushed is below the
//! last key popped — exactly Dijkstra's access pattern. Entry `i` of
//! `buckets` holds keys whose highest bit differing from `last` is bit
//! `i - 1` (bucket 0: equal to `last`), so a push is a `Vec::push` and a
//! pop only moves entries towards bucket 0, each at most 64 times; in
//! practice far fewer comparisons than a binary heap's sift-down.

/// Min-queue of `(key, node)` for monotone keys.
#[derive(Debug)]
pub(super) struct RadixHeap {
    last: u64,
    buckets: [Vec<(u64, u32)>; 65],
}

impl RadixHeap {
    pub(super) fn new() -> Self {
        RadixHeap {
            last: 0,
            buckets: std::array::from_fn(|_| Vec::new()),
        }
    }

    /// Empties the heap, keeping its allocations, and resets `last`.
    pub(super) fn clear(&mut self) {
        self.last = 0;
        self.buckets.iter_mut().for_each(Vec::clear);
    }

    fn bucket(&self, key: u64) -> usize {
        64 - (key ^ self.last).leading_zeros() as usize
    }

    /// Adds an entry; `key` must not be below the last key popped.
    pub(super) fn push(&mut self, key: u64, node: u32) {
        debug_assert!(key >= self.last, "radix heap keys must be monotone");
        let b = self.bucket(key);
        self.buckets[b].push((key, node));
    }

    /// Removes an entry with the smallest key (ties in any order).
    pub(super) fn pop(&mut self) -> Option<(u64, u32)> {
        if self.buckets[0].is_empty() {
            let i = self.buckets.iter().position(|b| !b.is_empty())?;
            let moved = std::mem::take(&mut self.buckets[i]);
            self.last = moved.iter().map(|e| e.0).min()?;
            // Every entry of bucket i now differs from `last` in a lower
            // bit than i - 1, so it lands in a lower bucket.
            for &(key, node) in &moved {
                let b = self.bucket(key);
                self.buckets[b].push((key, node));
            }
            // Hand the allocation back for reuse.
            self.buckets[i] = moved;
            self.buckets[i].clear();
        }
        self.buckets[0].pop()
    }
}
