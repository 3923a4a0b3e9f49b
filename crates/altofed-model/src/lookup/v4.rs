//! IPv4 longest-prefix match as a flat table, for the per-query lookups of
//! the request router and the endpoint services: the prefixes are cut into
//! disjoint address ranges, each with its most specific covering prefix,
//! and a direct index by the top 16 bits of the address narrows the search
//! to the few ranges of that /16. A lookup reads two or three cache lines
//! where the trie walks one node per prefix level (a profile of the
//! router's HTTP front at 17,000 PIDs put the trie walk at about 1.4 µs of
//! cache misses per query).

/// The PID index and prefix length of a range no prefix covers.
const NONE: u32 = u32::MAX;

/// Disjoint ranges covering all of IPv4, by start address.
#[derive(Debug, Clone, Default)]
pub(super) struct V4Ranges {
    /// Start of each range, ascending; the first is 0.
    starts: Vec<u32>,
    /// Per range: the PID index (`NONE`: no prefix) and prefix length.
    values: Vec<(u32, u8)>,
    /// Per /16 (and one more): the range holding its first address.
    first: Vec<u32>,
}

impl V4Ranges {
    /// From `(network, prefix length, PID index)`, sorted, each prefix
    /// once (the caller has refused one in two PIDs).
    pub fn build(prefixes: &[(u32, u8, u32)]) -> V4Ranges {
        let mut ranges = Ranges::default();
        // Prefixes that contain the current position, innermost last.
        let mut open: Vec<(u64, (u32, u8))> = Vec::new();
        for &(net, len, idx) in prefixes {
            let start = u64::from(net);
            while let Some(&(end, value)) = open.last().filter(|o| o.0 <= start) {
                ranges.cover(end, value);
                open.pop();
            }
            ranges.cover(start, open.last().map_or((NONE, 0), |o| o.1));
            open.push((start + (1u64 << (32 - u32::from(len))), (idx, len)));
        }
        while let Some((end, value)) = open.pop() {
            ranges.cover(end, value);
        }
        ranges.cover(1 << 32, (NONE, 0));
        ranges.index()
    }

    /// The PID index and prefix length for `addr`.
    pub fn get(&self, addr: u32) -> Option<(usize, u8)> {
        if self.first.is_empty() {
            return None;
        }
        self.value(self.range_in(self.span(addr), addr))
    }

    /// [`V4Ranges::get`] of each address into `out` (as long), in stages:
    /// every address's /16 entry, then every range search, then every
    /// value. Each lookup is a chain of cache misses where a server thread
    /// finds its caches cold; the stages let the misses of different
    /// addresses overlap instead of following one another.
    pub fn get_each(&self, addrs: &[u32], out: &mut [Option<(usize, u8)>]) {
        const STAGE: usize = 16;
        if self.first.is_empty() {
            return out.fill(None);
        }
        for (addrs, out) in addrs.chunks(STAGE).zip(out.chunks_mut(STAGE)) {
            let mut spans = [(0usize, 0usize); STAGE];
            for (span, &addr) in spans.iter_mut().zip(addrs) {
                *span = self.span(addr);
            }
            let mut at = [0usize; STAGE];
            for ((at, &span), &addr) in at.iter_mut().zip(&spans).zip(addrs) {
                *at = self.range_in(span, addr);
            }
            for (out, &at) in out.iter_mut().zip(&at) {
                *out = self.value(at);
            }
        }
    }

    /// The first and last range that `addr`'s /16 overlaps (the index is
    /// not empty).
    fn span(&self, addr: u32) -> (usize, usize) {
        let top = (addr >> 16) as usize;
        (self.first[top] as usize, self.first[top + 1] as usize)
    }

    /// The range of `span` that holds `addr`.
    fn range_in(&self, (lo, hi): (usize, usize), addr: u32) -> usize {
        lo + self.starts[lo..=hi].partition_point(|&s| s <= addr) - 1
    }

    /// The PID index and prefix length of range `at`.
    fn value(&self, at: usize) -> Option<(usize, u8)> {
        let (idx, len) = self.values[at];
        (idx != NONE).then_some((idx as usize, len))
    }
}

/// Ranges being laid down, left to right.
#[derive(Default)]
struct Ranges {
    /// Where the next range starts.
    cursor: u64,
    starts: Vec<u32>,
    values: Vec<(u32, u8)>,
}

impl Ranges {
    /// Covers `cursor..end` with `value` (nothing if empty), merged with
    /// the range before when that has the same value.
    fn cover(&mut self, end: u64, value: (u32, u8)) {
        if end <= self.cursor {
            return;
        }
        if self.values.last() != Some(&value) {
            // The cursor is below 2^32 here: `end` is at most 2^32.
            self.starts.push(self.cursor as u32);
            self.values.push(value);
        }
        self.cursor = end;
    }

    /// The /16 index over the ranges.
    fn index(self) -> V4Ranges {
        let mut first = Vec::with_capacity((1 << 16) + 1);
        let mut at = 0usize;
        for top in 0u64..(1 << 16) {
            let addr = (top << 16) as u32;
            while at + 1 < self.starts.len() && self.starts[at + 1] <= addr {
                at += 1;
            }
            first.push(at as u32);
        }
        // Past the last /16: the last range.
        first.push(self.starts.len().saturating_sub(1) as u32);
        V4Ranges {
            starts: self.starts,
            values: self.values,
            first,
        }
    }
}

#[cfg(test)]
#[path = "v4_tests.rs"]
mod tests;
