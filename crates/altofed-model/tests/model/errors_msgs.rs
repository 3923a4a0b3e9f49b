//! Exact messages of every NameError, VtagError, ShortNameError,
//! ConstraintError, EndpointAddrError, PrefixError and LookupBuildError
//! variant.

use altofed_model::{
    content_tag, parse_ipv4_prefix, parse_ipv6_prefix, validate_cost_metric, validate_pid_name,
    validate_property_type, validate_resource_id, Constraint, TypedEndpointAddr, VersionTag,
};

fn msg<E: std::fmt::Display>(r: Result<impl std::fmt::Debug, E>) -> String {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn name_errors() {
    assert_eq!(msg(validate_pid_name("")), "name is empty (RFC 7285 §10.1)");
    let long = "p".repeat(65);
    assert_eq!(
        msg(validate_pid_name(&long)),
        format!("name `{long}` is 65 characters long; at most 64 are allowed (RFC 7285 §10.1)")
    );
    assert_eq!(
        msg(validate_resource_id("agg.netmap")),
        "name `agg.netmap` contains `.`, which is reserved (RFC 7285 §10.1)"
    );
    assert_eq!(
        msg(validate_pid_name("pid metro")),
        "name `pid metro` contains ' '; only ASCII letters, digits, `-`, `:`, `@` and `_` are allowed (RFC 7285 §10.1)"
    );
    validate_pid_name(&"p".repeat(64)).unwrap();
    validate_pid_name("isp-a:pid@1_x").unwrap();
}

#[test]
fn vtag_errors() {
    let v = |rid: &str, tag: &str| msg(VersionTag::new(rid, tag).validate());
    assert_eq!(
        v("", "1"),
        "vtag resource-id: name is empty (RFC 7285 §10.1)"
    );
    assert_eq!(v("n", ""), "vtag tag is empty (RFC 7285 §10.3)");
    assert_eq!(
        v("n", &"t".repeat(65)),
        "vtag tag is 65 characters long; at most 64 are allowed (RFC 7285 §10.3)"
    );
    assert_eq!(
        v("n", "a b"),
        "vtag tag contains ' '; only U+0021..U+007E are allowed (RFC 7285 §10.3)"
    );
    VersionTag::new("n", content_tag(b"x")).validate().unwrap();
    VersionTag::new("n", "!~").validate().unwrap();
}

#[test]
fn short_name_errors() {
    assert_eq!(
        msg(validate_cost_metric("")),
        "cost metric is empty (RFC 7285 §10.6)"
    );
    let long = "m".repeat(33);
    assert_eq!(
        msg(validate_cost_metric(&long)),
        format!(
            "cost metric `{long}` is 33 characters long; at most 32 are allowed (RFC 7285 §10.6)"
        )
    );
    assert_eq!(
        msg(validate_cost_metric("hop@count")),
        "cost metric `hop@count` contains '@'; only ASCII letters, digits, `-`, `:` and `_` are allowed (RFC 7285 §10.6)"
    );
    assert_eq!(
        msg(validate_cost_metric("priv:")),
        "cost metric `priv:` needs a suffix after the private-use prefix (RFC 7285 §10.6)"
    );
    assert_eq!(
        msg(validate_property_type("priv:")),
        "property type `priv:` needs a suffix after the private-use prefix (RFC 7285 §10.8.2, RFC 9240 §5.2.1)"
    );
    assert_eq!(
        msg(validate_property_type("a.b")),
        "property type `a.b` contains '.'; only ASCII letters, digits, `-`, `:` and `_` are allowed (RFC 7285 §10.8.2, RFC 9240 §5.2.1)"
    );
    for ok in [
        "routingcost",
        "delay-ow",
        "delay-ow:p99.9",
        "bw-residual:cur",
        "priv:x",
        &"m".repeat(32),
    ] {
        validate_cost_metric(ok).unwrap();
    }
    // `.` only inside an RFC 9439 percentile operator.
    for bad in ["delay.ow", "delay-ow:p99.", "delay-ow:x9.9", "delay-ow:p.9"] {
        assert!(validate_cost_metric(bad).is_err(), "{bad}");
    }
}

#[test]
fn constraint_errors() {
    for bad in ["", "le", "le 1 2"] {
        assert_eq!(
            msg(Constraint::parse(bad)),
            format!("constraint `{bad}` is not `<operator> <value>` (RFC 7285 §11.3.2.3)")
        );
    }
    assert_eq!(
        msg(Constraint::parse("ne 5")),
        "constraint `ne 5` has unknown operator `ne`; expected gt, lt, ge, le or eq (RFC 7285 §11.3.2.3)"
    );
    assert_eq!(
        msg(Constraint::parse("le five")),
        "constraint `le five` has target value `five`, which is not a finite number (RFC 7285 §11.3.2.3)"
    );
    assert!(Constraint::parse("le inf").is_err());
}

#[test]
fn endpoint_addr_errors() {
    assert_eq!(
        msg(TypedEndpointAddr::parse("192.0.2.1")),
        "endpoint address `192.0.2.1` has no address type; expected `ipv4:<address>` or `ipv6:<address>` (RFC 7285 §10.4.1)"
    );
    assert_eq!(
        msg(TypedEndpointAddr::parse("mac:00:00:5e:00:53:01")),
        "endpoint address `mac:00:00:5e:00:53:01` has address type `mac`; only ipv4 and ipv6 are supported (RFC 7285 §10.4.2)"
    );
    assert_eq!(
        msg(TypedEndpointAddr::parse("ipv4:2001:db8::1")),
        "endpoint address `ipv4:2001:db8::1` is not a valid ipv4 address (RFC 7285 §10.4.3)"
    );
    assert_eq!(
        msg(TypedEndpointAddr::parse("ipv6:192.0.2.0/24")),
        "endpoint address `ipv6:192.0.2.0/24` is not a valid ipv6 address (RFC 7285 §10.4.3)"
    );
    let a = TypedEndpointAddr::parse("IPv6:2001:DB8:0::1").unwrap();
    assert_eq!(a.to_string(), "ipv6:2001:db8::1");
    assert_eq!(a.address_type(), "ipv6");
}

#[test]
fn prefix_errors() {
    assert_eq!(
        msg(parse_ipv4_prefix("192.0.2/24")),
        "`192.0.2/24` is not an IPv4 prefix or address (RFC 7285 §10.4.4)"
    );
    assert_eq!(
        msg(parse_ipv6_prefix("2001:db8::/129")),
        "`2001:db8::/129` is not an IPv6 prefix or address (RFC 7285 §10.4.4)"
    );
}

#[test]
fn lookup_build_error() {
    let map = serde_json::from_str(
        r#"{"b":{"ipv4":["192.0.2.0/24"]},"a":{"ipv4":["192.0.2.77/24"]},"c":{"ipv4":["0.0.0.0/0"]}}"#,
    )
    .unwrap();
    assert_eq!(
        msg(altofed_model::PidLookup::build(&map)),
        "prefix 192.0.2.0/24 is in PID `a` and in PID `b`; a prefix must not be in two PIDs (RFC 7285 §11.2.2)"
    );
}
