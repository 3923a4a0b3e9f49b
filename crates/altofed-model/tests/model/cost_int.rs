//! A cost is written as an integer exactly when it is an integral f64 of
//! magnitude below 2^53 (what `fract` said before the i64 round trip).

use altofed_model::Cost;
use proptest::prelude::*;

fn by_definition(v: f64) -> Option<i64> {
    #[allow(clippy::cast_possible_truncation)]
    (v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0).then_some(v as i64)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    fn exact_ints_are_the_integral_values_below_2_pow_53(
        v in prop_oneof![
            any::<f64>(),
            any::<i64>().prop_map(|i| i as f64),
            (-1e6f64..1e6).prop_map(f64::round),
            (-1e6f64..1e6),
        ],
    ) {
        prop_assert_eq!(Cost(v).as_exact_int(), by_definition(v), "{}", v);
    }
}

#[test]
fn exact_int_edges() {
    let limit = 9_007_199_254_740_992.0_f64;
    for v in [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -0.5,
        limit,
        -limit,
        limit - 1.0,
        1.0 - limit,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MAX,
        f64::MIN,
        f64::MIN_POSITIVE,
        9.3e18,
        -9.3e18,
        1e300,
    ] {
        assert_eq!(Cost(v).as_exact_int(), by_definition(v), "{v}");
    }
    assert_eq!(
        Cost(limit - 1.0).as_exact_int(),
        Some(9_007_199_254_740_991)
    );
    assert_eq!(Cost(limit).as_exact_int(), None);
}
