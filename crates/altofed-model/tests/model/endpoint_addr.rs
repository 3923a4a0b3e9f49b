//! The hand-read dotted quad takes exactly what std's parser takes.

use std::net::Ipv4Addr;

use altofed_model::endpoint::{dotted_quad, TypedEndpointAddr};
use proptest::prelude::*;

fn std_parse(text: &str) -> Option<Ipv4Addr> {
    text.parse().ok()
}

/// Text near a dotted quad: digits, dots, and a few other characters.
fn near_quad() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9.]{0,20}",
        "[0-9]{1,4}\\.[0-9]{1,4}\\.[0-9]{1,4}\\.[0-9]{1,4}",
        "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}[.: a/+-]?[0-9]?",
        "[+ -]?[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
        any::<u32>().prop_map(|a| Ipv4Addr::from(a).to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    fn dotted_quad_takes_what_std_takes(text in near_quad()) {
        prop_assert_eq!(dotted_quad(text.as_bytes()), std_parse(&text), "{:?}", text);
        let typed = TypedEndpointAddr::parse(&format!("ipv4:{text}")).ok();
        prop_assert_eq!(typed.map(|t| t.0), std_parse(&text).map(Into::into));
    }
}

#[test]
fn dotted_quad_edges() {
    for text in ["0.0.0.0", "255.255.255.255", "10.0.0.1", "192.0.2.1"] {
        assert_eq!(dotted_quad(text.as_bytes()), std_parse(text), "{text}");
        assert!(dotted_quad(text.as_bytes()).is_some(), "{text}");
    }
    for text in [
        "",
        ".",
        "1.2.3",
        "1.2.3.4.",
        ".1.2.3.4",
        "1..2.3",
        "256.0.0.1",
        "01.2.3.4",
        "1.2.3.004",
        "1.2.3.4 ",
        "1.2.3.+4",
        "0x1.2.3.4",
        "1.2.3.1000",
    ] {
        assert_eq!(dotted_quad(text.as_bytes()), None, "{text:?}");
        assert_eq!(std_parse(text), None, "{text:?}");
    }
}
