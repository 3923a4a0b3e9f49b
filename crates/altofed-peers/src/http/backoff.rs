//! How long to wait before the next try after failures: exponential from
//! `retry-min`, capped at `retry-max`, with "equal jitter" so that peers
//! (and aggregators) that failed together do not retry together.

use std::time::Duration;

/// The wait after `failures` consecutive failures (0 for the first).
///
/// The ceiling is `min * 2^failures`, capped at `max`; the wait is drawn
/// uniformly from its upper half, `[ceiling / 2, ceiling]`, where `unit`
/// in `[0, 1)` is the random draw (injected so the schedule can be
/// tested). It never exceeds `max`.
pub fn retry_delay(failures: u32, min: Duration, max: Duration, unit: f64) -> Duration {
    let max = max.max(min);
    let ceiling = min
        .checked_mul(2u32.saturating_pow(failures.min(31)))
        .map_or(max, |d| d.min(max));
    let half = ceiling / 2;
    let unit = if unit.is_finite() {
        unit.clamp(0.0, 1.0)
    } else {
        0.5
    };
    (half + (ceiling - half).mul_f64(unit)).min(max)
}

/// A uniform draw from `[0, 1)` from the operating system's generator
/// (0.5 if it has none).
pub fn jitter() -> f64 {
    match getrandom::u64() {
        // 53 random bits -> an exactly representable fraction.
        #[allow(clippy::cast_precision_loss)]
        Ok(bits) => (bits >> 11) as f64 / (1u64 << 53) as f64,
        Err(_) => 0.5,
    }
}
