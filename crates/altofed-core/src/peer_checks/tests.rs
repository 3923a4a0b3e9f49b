#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use altofed_model::{Cost, CostRows, CostTable, EndpointAddrGroup};
use ipnet::IpNet;

use super::*;

fn group(prefixes: &[&str]) -> EndpointAddrGroup {
    let mut g = EndpointAddrGroup::default();
    for p in prefixes {
        match p.parse::<IpNet>().unwrap() {
            IpNet::V4(n) => g.ipv4.push(n),
            IpNet::V6(n) => g.ipv6.push(n),
        }
    }
    g
}

fn cdn_pid(name: &str, prefixes: &[&str]) -> CdnPid {
    CdnPid {
        name: name.to_owned(),
        prefixes: group(prefixes),
        attachments: Vec::new(),
    }
}

fn table(pairs: &[(&str, &str, f64)]) -> CostTable {
    let mut rows = CostRows::new();
    for (src, dst, cost) in pairs {
        rows.entry((*src).to_owned())
            .or_default()
            .insert((*dst).to_owned(), Cost(*cost));
    }
    CostTable::from(&rows)
}

#[test]
fn costs_must_be_finite_and_non_negative_and_the_error_names_the_pair() {
    let good = table(&[("a", "b", 0.0), ("a", "c", 5.5), ("b", "a", 1e300)]);
    assert_eq!(check_costs("isp", &good), Ok(()));
    let negative = table(&[("a", "b", 1.0), ("b", "c", -1000.0)]);
    let err = check_costs("isp", &negative).unwrap_err();
    assert_eq!(
        err.to_string(),
        "peer `isp`: cost -1000 for `b` -> `c` is negative; the peer's costs are added into the published routingcost and must be non-negative"
    );
    let infinite = table(&[("a", "b", f64::INFINITY)]);
    assert!(matches!(
        check_costs("isp", &infinite),
        Err(PeerCheckError::NonFiniteCost { .. })
    ));
}

#[test]
fn a_sixty_character_pid_is_too_long_once_prefixed() {
    let pid = "p".repeat(60);
    let err =
        check_published_names("isp-a", std::slice::from_ref(&pid), &[], "default").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("peer `isp-a`: PID `{pid}` cannot be published as `isp-a:{pid}`: name `isp-a:{pid}` is 66 characters long; at most 64 are allowed (RFC 7285 §10.1)")
    );
    let fits = "p".repeat(58);
    assert_eq!(
        check_published_names("isp-a", &[fits], &[], "default"),
        Ok(())
    );
}

#[test]
fn a_published_name_must_not_be_a_cdn_pid_or_the_catch_all() {
    let cdn = [cdn_pid("isp-a:x", &["192.0.2.0/24"])];
    let err = check_published_names("isp-a", &["x".to_owned()], &cdn, "default").unwrap_err();
    assert!(err.to_string().contains("already a CDN PID"), "{err}");
    let err = check_published_names("isp-a", &["y".to_owned()], &[], "isp-a:y").unwrap_err();
    assert!(err.to_string().contains("the catch-all PID"), "{err}");
    let bad = check_published_names("isp-a", &["a.b".to_owned()], &[], "default");
    assert!(matches!(bad, Err(PeerCheckError::PidName { .. })));
}

#[test]
fn prefixes_inside_or_equal_to_cdn_prefixes_are_dropped_wider_ones_kept() {
    let space = CdnSpace::new(&[
        cdn_pid("pid8", &["203.0.113.0/24", "2001:db8:8::/48"]),
        cdn_pid("cdn-catch", &["0.0.0.0/0"]),
    ]);
    let net = |s: &str| s.parse::<IpNet>().unwrap();
    assert_eq!(space.holder(net("203.0.113.0/27")), Some("pid8"));
    assert_eq!(space.holder(net("203.0.113.7/32")), Some("pid8"));
    assert_eq!(space.holder(net("203.0.113.0/24")), Some("pid8"));
    assert_eq!(space.holder(net("2001:db8:8::/49")), Some("pid8"));
    // Wider than a CDN prefix: the CDN's longer prefix wins by itself.
    assert_eq!(space.holder(net("203.0.0.0/16")), None);
    // A CDN catch-all is not the CDN's space.
    assert_eq!(space.holder(net("198.51.100.0/24")), None);

    let mine = group(&["198.51.100.0/24", "203.0.113.0/27", "2001:db8:8::/49"]);
    let (kept, dropped) = space.trim(&mine).unwrap();
    assert_eq!(kept, group(&["198.51.100.0/24"]));
    assert_eq!(dropped, vec![net("203.0.113.0/27"), net("2001:db8:8::/49")]);
    assert!(space.trim(&group(&["198.51.100.0/24"])).is_none());
}

#[test]
fn trimming_subscribers_warns_once_naming_peer_and_prefixes() {
    let space = CdnSpace::new(&[cdn_pid("pid8", &["203.0.113.0/24"])]);
    let map: BTreeMap<String, EndpointAddrGroup> = [
        ("pid1".to_owned(), group(&["198.51.100.0/24"])),
        (
            "pid2".to_owned(),
            group(&["203.0.113.0/27", "192.0.2.0/24"]),
        ),
    ]
    .into();
    let subscribers = ["pid1".to_owned(), "pid2".to_owned()];
    let (trimmed, warning) = trim_subscribers("isp-a", &space, &subscribers, &map);
    assert_eq!(
        trimmed,
        [("pid2".to_owned(), group(&["192.0.2.0/24"]))].into()
    );
    assert_eq!(
        warning.unwrap(),
        "peer `isp-a`: 1 prefix(es) inside the CDN's own PIDs dropped (the CDN's addresses stay with its PIDs): 203.0.113.0/27 (PID `pid2`, inside CDN PID `pid8`)"
    );
    let (trimmed, warning) = trim_subscribers("isp-a", &space, &subscribers[..1], &map);
    assert!(trimmed.is_empty() && warning.is_none());
}

#[test]
fn maps_over_the_size_limits_are_refused_naming_the_count_and_the_key() {
    use altofed_model::{NetworkMapDoc, NetworkMapMeta, VersionTag};
    let network_map = NetworkMapDoc {
        meta: NetworkMapMeta {
            vtag: VersionTag {
                resource_id: "n".to_owned(),
                tag: "1".to_owned(),
            },
        },
        network_map: [
            ("a".to_owned(), group(&["192.0.2.0/25", "2001:db8::/48"])),
            ("b".to_owned(), group(&["192.0.2.128/25"])),
        ]
        .into(),
    };
    let costs = table(&[("a", "b", 1.0), ("a", "c", 1.0)]);
    let limits = |max_pids, max_prefixes| SizeLimits {
        max_pids,
        max_prefixes,
    };
    let check = |l| check_size("isp", &network_map, &costs, l).map_err(|e| e.to_string());
    assert_eq!(check(limits(3, 3)), Ok(()));
    assert_eq!(
        check(limits(1, 3)),
        Err("peer `isp`: 2 network map PIDs, more than the limit of 1 (peer.max-pids)".to_owned())
    );
    assert_eq!(
        check(limits(2, 3)),
        Err("peer `isp`: 3 cost map PIDs, more than the limit of 2 (peer.max-pids)".to_owned())
    );
    assert_eq!(
        check(limits(3, 2)),
        Err(
            "peer `isp`: 3 network map prefixes, more than the limit of 2 (peer.max-prefixes)"
                .to_owned()
        )
    );
}
