//! The retry schedule: exponential from retry-min, capped at retry-max,
//! equal jitter within [ceiling / 2, ceiling].

use std::time::Duration;

use altofed_peers::http::backoff::{jitter, retry_delay};

const MIN: Duration = Duration::from_millis(100);
const MAX: Duration = Duration::from_secs(5);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn grows_from_min_and_is_capped_at_max() {
    // Lowest and highest draws give the bounds of each step.
    let low: Vec<Duration> = (0..10).map(|f| retry_delay(f, MIN, MAX, 0.0)).collect();
    let high: Vec<Duration> = (0..10).map(|f| retry_delay(f, MIN, MAX, 1.0)).collect();
    assert_eq!(
        high,
        [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000].map(ms)
    );
    assert_eq!(
        low,
        [50, 100, 200, 400, 800, 1600, 2500, 2500, 2500, 2500].map(ms)
    );
    // A middle draw lands in between.
    assert_eq!(retry_delay(3, MIN, MAX, 0.5), ms(600));
}

#[test]
fn never_exceeds_max_even_after_very_many_failures() {
    for failures in [30, 31, 32, 63, 64, 1000, u32::MAX] {
        for unit in [0.0, 0.25, 0.999_999, 1.0, 7.0, -1.0, f64::NAN] {
            let d = retry_delay(failures, MIN, MAX, unit);
            assert!(d <= MAX && d >= MAX / 2, "{failures} {unit}: {d:?}");
        }
    }
}

#[test]
fn a_seeded_schedule_is_reproducible_and_within_bounds() {
    // A tiny deterministic generator stands in for the OS one.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut draw = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let schedule: Vec<Duration> = (0..12).map(|f| retry_delay(f, MIN, MAX, draw())).collect();
    for (f, d) in schedule.iter().enumerate() {
        let ceiling = (MIN * 2u32.pow(f as u32)).min(MAX);
        assert!(*d >= ceiling / 2 && *d <= ceiling, "step {f}: {d:?}");
    }
    assert!(schedule[11] >= MAX / 2);
}

#[test]
fn min_above_max_is_treated_as_max() {
    assert_eq!(retry_delay(0, ms(500), ms(100), 1.0), ms(500));
    assert!(retry_delay(5, ms(500), ms(100), 1.0) <= ms(500));
}

#[test]
fn os_jitter_is_a_unit_fraction() {
    for _ in 0..100 {
        let j = jitter();
        assert!((0.0..1.0).contains(&j), "{j}");
    }
}
