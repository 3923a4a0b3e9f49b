//! The network map merge policy (RFC 7285 §11.2.2: complete, no identical
//! prefix in two PIDs), one rule per test.

#![allow(clippy::unwrap_used)]

use altofed_core::output::{merge_network_map, PeerPids, PidOrigin};
use altofed_core::topology::CdnPid;
use altofed_model::EndpointAddrGroup;

fn group(v4: &[&str], v6: &[&str]) -> EndpointAddrGroup {
    EndpointAddrGroup {
        ipv4: v4.iter().map(|p| p.parse().unwrap()).collect(),
        ipv6: v6.iter().map(|p| p.parse().unwrap()).collect(),
    }
}

fn cdn_pid(name: &str, v4: &[&str]) -> CdnPid {
    CdnPid {
        name: name.into(),
        prefixes: group(v4, &[]),
        attachments: Vec::new(),
    }
}

fn prefixes_of<'a>(
    merged: &'a altofed_core::output::MergedMap,
    name: &str,
) -> &'a EndpointAddrGroup {
    &merged
        .pids
        .iter()
        .find(|p| p.name == name)
        .unwrap()
        .prefixes
}

#[test]
fn catch_alls_move_to_the_aggregators_own_pid() {
    let a = group(&["198.51.100.0/24", "0.0.0.0/0"], &["::/0"]);
    let peers = [PeerPids {
        name: "isp-a",
        priority: 0,
        pids: vec![("p1", &a)],
    }];
    let merged = merge_network_map("default", &[], &peers).unwrap();
    assert_eq!(
        prefixes_of(&merged, "default"),
        &group(&["0.0.0.0/0"], &["::/0"])
    );
    assert_eq!(
        prefixes_of(&merged, "isp-a:p1"),
        &group(&["198.51.100.0/24"], &[])
    );
    assert!(merged.warnings.is_empty(), "{:?}", merged.warnings);
}

#[test]
fn the_map_is_complete_even_when_no_peer_has_a_catch_all() {
    let merged = merge_network_map("default", &[cdn_pid("c1", &["203.0.113.0/24"])], &[]).unwrap();
    assert_eq!(
        prefixes_of(&merged, "default"),
        &group(&["0.0.0.0/0"], &["::/0"])
    );
}

#[test]
fn the_cdn_keeps_a_prefix_a_peer_also_claims() {
    let a = group(&["203.0.113.0/24", "198.51.100.0/24"], &[]);
    let peers = [PeerPids {
        name: "isp-a",
        priority: 100,
        pids: vec![("p1", &a)],
    }];
    let merged =
        merge_network_map("default", &[cdn_pid("c1", &["203.0.113.0/24"])], &peers).unwrap();
    assert_eq!(prefixes_of(&merged, "c1"), &group(&["203.0.113.0/24"], &[]));
    assert_eq!(
        prefixes_of(&merged, "isp-a:p1"),
        &group(&["198.51.100.0/24"], &[])
    );
    assert_eq!(
        merged.warnings,
        ["prefix 203.0.113.0/24 of `isp-a:p1` is also claimed by `c1`, which keeps it"]
    );
}

#[test]
fn higher_priority_peer_wins_then_the_peer_listed_first() {
    let shared = group(&["192.0.2.0/24"], &["2001:db8::/32"]);
    let peers = [
        PeerPids {
            name: "isp-a",
            priority: 0,
            pids: vec![("p", &shared)],
        },
        PeerPids {
            name: "isp-b",
            priority: 5,
            pids: vec![("p", &shared)],
        },
        PeerPids {
            name: "isp-c",
            priority: 5,
            pids: vec![("p", &shared)],
        },
    ];
    let merged = merge_network_map("default", &[], &peers).unwrap();
    assert_eq!(prefixes_of(&merged, "isp-b:p"), &shared);
    // The losers are left empty and not published; every loss is reported.
    assert_eq!(
        merged
            .pids
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["default", "isp-b:p"]
    );
    assert_eq!(merged.warnings.len(), 6, "{:#?}", merged.warnings);
    assert!(merged
        .warnings
        .contains(&"PID `isp-a:p` holds no prefix after merging and is not published".to_owned()));
}

#[test]
fn nested_prefixes_of_different_peers_both_stay() {
    let (a, b) = (group(&["10.0.0.0/8"], &[]), group(&["10.1.0.0/16"], &[]));
    let peers = [
        PeerPids {
            name: "isp-a",
            priority: 0,
            pids: vec![("p", &a)],
        },
        PeerPids {
            name: "isp-b",
            priority: 0,
            pids: vec![("p", &b)],
        },
    ];
    let merged = merge_network_map("default", &[], &peers).unwrap();
    assert_eq!(prefixes_of(&merged, "isp-a:p"), &a);
    assert_eq!(prefixes_of(&merged, "isp-b:p"), &b);
    assert!(merged.warnings.is_empty());
}

#[test]
fn a_peer_pid_named_like_a_cdn_pid_is_an_error() {
    let a = group(&["198.51.100.0/24"], &[]);
    let peers = [PeerPids {
        name: "isp-a",
        priority: 0,
        pids: vec![("p1", &a)],
    }];
    let err = merge_network_map(
        "default",
        &[cdn_pid("isp-a:p1", &["203.0.113.0/24"])],
        &peers,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "PID `isp-a:p1` would be published twice (by the CDN topology and by peer #0 PID `p1`)"
    );
}

#[test]
fn origins_are_recorded() {
    let a = group(&["198.51.100.0/24"], &[]);
    let peers = [PeerPids {
        name: "isp-a",
        priority: 0,
        pids: vec![("p1", &a)],
    }];
    let merged = merge_network_map("all", &[cdn_pid("c1", &["203.0.113.0/24"])], &peers).unwrap();
    let origins: Vec<_> = merged
        .pids
        .iter()
        .map(|p| (p.name.as_str(), p.origin.clone()))
        .collect();
    assert_eq!(
        origins,
        [
            ("all", PidOrigin::CatchAll),
            ("c1", PidOrigin::Cdn),
            (
                "isp-a:p1",
                PidOrigin::Subscriber {
                    peer: 0,
                    isp_pid: "p1".into()
                }
            )
        ]
    );
}
