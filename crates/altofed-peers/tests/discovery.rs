#![allow(clippy::unwrap_used, clippy::expect_used)]
//! RFC 8686 discovery against a real DNS server on loopback: hickory-server
//! with authoritative in-memory `in-addr.arpa.` / `ip6.arpa.` zones, bound to
//! 127.0.0.1 (UDP and TCP on one port), queried through `discover`.

use std::future::Future;
use std::net::IpAddr;
use std::time::Duration;

use altofed_peers::discovery::{
    discover, discover_prefix, DiscoveryError, NameOutcome, Resolver, ServiceParam,
};
use altofed_tests::dns::{alto, naptr, zone, TestDns};

/// Every test finishes within this, whatever the network does.
const BOUND: Duration = Duration::from_secs(60);

fn bounded<F: Future>(test: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(async {
            tokio::time::timeout(BOUND, test)
                .await
                .expect("test exceeded its time bound")
        })
}

fn resolver(dns: &TestDns) -> Resolver {
    Resolver::with_nameserver(dns.addr).expect("resolver")
}

fn ip(s: &str) -> IpAddr {
    s.parse().expect("address")
}

const V4_R32: &str = "10.2.0.192.in-addr.arpa.";
const V4_R24: &str = "2.0.192.in-addr.arpa.";
const V4_R16: &str = "0.192.in-addr.arpa.";
const V4_R8: &str = "192.in-addr.arpa.";

// 2001:db8:1:2:3:4:5:6
const V6_ADDR: &str = "2001:db8:1:2:3:4:5:6";
const V6_R128: &str = "6.0.0.0.5.0.0.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";
const V6_R64: &str = "2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";
const V6_R56: &str = "0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";
const V6_R48: &str = "1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";
const V6_R40: &str = "0.0.8.b.d.0.1.0.0.2.ip6.arpa.";
const V6_R32: &str = "8.b.d.0.1.0.0.2.ip6.arpa.";

fn strip(name: &str) -> String {
    name.trim_end_matches('.').to_owned()
}

#[test]
fn ipv4_exact_name() {
    bounded(async {
        let dns = TestDns::start(
            &[
                alto(V4_R32, 100, 10, "https://host.isp.example/ird"),
                alto(V4_R24, 100, 10, "https://net.isp.example/ird"),
            ],
            vec![],
            &[],
        )
        .await;
        let found = discover(ip("192.0.2.10"), &resolver(&dns)).await.unwrap();
        assert_eq!(found.ird_uri(), "https://host.isp.example/ird");
        assert_eq!(found.name, strip(V4_R32));
        assert!(!found.is_fallback());
        assert!(found.tried.is_empty() && found.rejected.is_empty());
        assert_eq!(dns.queried(), [strip(V4_R32)]);
    });
}

#[test]
fn ipv4_falls_back_to_shorter_names() {
    bounded(async {
        let dns = TestDns::start(
            &[
                alto(
                    "11.2.0.192.in-addr.arpa.",
                    100,
                    10,
                    "https://other-host.example/ird",
                ),
                alto(V4_R24, 100, 10, "https://r24.isp.example/ird"),
                alto(V4_R16, 100, 10, "https://r16.isp.example/ird"),
                alto(V4_R8, 100, 10, "https://r8.isp.example/ird"),
            ],
            vec![],
            &[],
        )
        .await;
        let resolver = resolver(&dns);

        let found = discover(ip("192.0.2.10"), &resolver).await.unwrap();
        assert_eq!(found.ird_uri(), "https://r24.isp.example/ird");
        assert_eq!(found.name, strip(V4_R24));
        assert!(found.is_fallback());
        assert_eq!(found.tried.len(), 1);
        assert_eq!(found.tried[0].name, strip(V4_R32));
        assert_eq!(found.tried[0].outcome, NameOutcome::NxDomain);

        let found = discover(ip("192.0.3.1"), &resolver).await.unwrap();
        assert_eq!(found.ird_uri(), "https://r16.isp.example/ird");
        assert_eq!(found.tried.len(), 2);

        let found = discover(ip("192.7.7.7"), &resolver).await.unwrap();
        assert_eq!(found.ird_uri(), "https://r8.isp.example/ird");
        assert_eq!(found.name, strip(V4_R8));
        let tried: Vec<&str> = found.tried.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            tried,
            [
                "7.7.7.192.in-addr.arpa",
                "7.7.192.in-addr.arpa",
                "7.192.in-addr.arpa"
            ]
        );
    });
}

#[test]
fn ipv4_no_records_anywhere() {
    bounded(async {
        let dns = TestDns::start(
            &[alto(
                "1.1.1.198.in-addr.arpa.",
                100,
                10,
                "https://x.example/ird",
            )],
            vec![],
            &[],
        )
        .await;
        let err = discover(ip("192.0.2.10"), &resolver(&dns))
            .await
            .unwrap_err();
        assert!(matches!(err, DiscoveryError::NotFound { .. }), "{err:?}");
        assert!(!err.is_temporary());
        assert_eq!(
            err.to_string(),
            "no ALTO server found for 192.0.2.10 (ALTO:https): tried 10.2.0.192.in-addr.arpa, \
             2.0.192.in-addr.arpa, 0.192.in-addr.arpa, 192.in-addr.arpa (NXDOMAIN)"
        );
        assert_eq!(
            dns.queried(),
            [V4_R32, V4_R24, V4_R16, V4_R8].map(strip),
            "each name exactly once, longest first"
        );
    });
}

#[test]
fn ipv4_prefix_starts_at_its_length_and_short_prefixes_are_refused() {
    bounded(async {
        let dns = TestDns::start(
            &[
                alto(V4_R32, 100, 10, "https://host.isp.example/ird"),
                alto(V4_R16, 100, 10, "https://r16.isp.example/ird"),
            ],
            vec![],
            &[],
        )
        .await;
        let resolver = resolver(&dns);
        let sp = ServiceParam::alto_https();
        let found = discover_prefix("192.0.2.0/24".parse().unwrap(), &sp, &resolver)
            .await
            .unwrap();
        assert_eq!(found.ird_uri(), "https://r16.isp.example/ird");
        assert_eq!(found.tried.len(), 1, "R24 only, never R32");
        assert_eq!(found.tried[0].name, strip(V4_R24));

        let err = discover_prefix("192.0.0.0/7".parse().unwrap(), &sp, &resolver)
            .await
            .unwrap_err();
        assert!(
            matches!(err, DiscoveryError::UnsupportedPrefixLength { min: 8, .. }),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "cannot discover an ALTO server for 192.0.0.0/7: unsupported prefix length \
             (at least /8 is needed, RFC 8686 §3.2)"
        );
        let err = discover_prefix("2001:d00::/31".parse().unwrap(), &sp, &resolver)
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            DiscoveryError::UnsupportedPrefixLength { min: 32, .. }
        ));
        assert_eq!(dns.queried().len(), 2, "refused prefixes query nothing");
    });
}

#[test]
fn ipv6_exact_name() {
    bounded(async {
        let dns = TestDns::start(
            &[
                alto(V6_R128, 100, 10, "https://host.isp.example/ird"),
                alto(V6_R64, 100, 10, "https://r64.isp.example/ird"),
            ],
            vec![],
            &[],
        )
        .await;
        let found = discover(ip(V6_ADDR), &resolver(&dns)).await.unwrap();
        assert_eq!(found.ird_uri(), "https://host.isp.example/ird");
        assert_eq!(found.name, strip(V6_R128));
        assert!(found.tried.is_empty());
    });
}

#[test]
fn ipv6_falls_back_in_rfc_steps_only() {
    bounded(async {
        let dns = TestDns::start(
            &[
                // /124 and /60 names are not RFC 8686 steps: never consulted.
                alto(&V6_R128[2..], 100, 10, "https://wrong-124.example/ird"),
                alto(&V6_R64[2..], 100, 10, "https://wrong-60.example/ird"),
                alto(V6_R48, 100, 10, "https://r48.isp.example/ird"),
                alto(V6_R32, 100, 10, "https://r32.isp.example/ird"),
            ],
            vec![],
            &[],
        )
        .await;
        let resolver = resolver(&dns);
        let found = discover(ip(V6_ADDR), &resolver).await.unwrap();
        assert_eq!(found.ird_uri(), "https://r48.isp.example/ird");
        assert_eq!(found.name, strip(V6_R48));
        let tried: Vec<String> = found.tried.iter().map(|a| a.name.clone()).collect();
        assert_eq!(tried, [V6_R128, V6_R64, V6_R56].map(strip));
        assert_eq!(dns.queried(), [V6_R128, V6_R64, V6_R56, V6_R48].map(strip));

        // Another /48 of the same /32: R40 has nothing, R32 answers.
        let found = discover(ip("2001:db8:ff00::1"), &resolver).await.unwrap();
        assert_eq!(found.ird_uri(), "https://r32.isp.example/ird");
        assert_eq!(found.tried.len(), 5);
    });
}

#[test]
fn ipv6_no_records_anywhere() {
    bounded(async {
        let dns = TestDns::start(&[], vec![], &[]).await;
        let err = discover(ip(V6_ADDR), &resolver(&dns)).await.unwrap_err();
        let names = [V6_R128, V6_R64, V6_R56, V6_R48, V6_R40, V6_R32].map(strip);
        assert_eq!(
            err.to_string(),
            format!(
                "no ALTO server found for {V6_ADDR} (ALTO:https): tried {} (NXDOMAIN)",
                names.join(", ")
            )
        );
        assert_eq!(dns.queried(), names);
    });
}

#[test]
fn other_services_and_malformed_records_are_skipped_and_reported() {
    bounded(async {
        let dns = TestDns::start(
            &[
                // R32: only other services, and a malformed ALTO record.
                naptr(
                    V4_R32,
                    10,
                    10,
                    "U",
                    "E2U+sip",
                    "!.*!sip:info@example.com!",
                    ".",
                ),
                naptr(
                    V4_R32,
                    10,
                    20,
                    "U",
                    "ALTO:http",
                    "!.*!http://plain.example/ird!",
                    ".",
                ),
                naptr(
                    V4_R32,
                    20,
                    10,
                    "U",
                    "ALTO:https",
                    "!^.*$!https://bad.example/ird!",
                    ".",
                ),
                // R24: a malformed record ahead of a good one.
                naptr(
                    V4_R24,
                    10,
                    10,
                    "U",
                    "ALTO:https",
                    "!.*!https://bad.example/\\1!",
                    ".",
                ),
                naptr(
                    V4_R24,
                    10,
                    20,
                    "U",
                    "ALTO:https",
                    "!.*!http://downgrade.example/!",
                    ".",
                ),
                alto(V4_R24, 20, 10, "https://good.example/ird"),
                // 192.0.3.x: other services only. (0.192 and 192 are empty
                // non-terminals here: NOERROR without data, not NXDOMAIN.)
                naptr(
                    "3.0.192.in-addr.arpa.",
                    10,
                    10,
                    "U",
                    "E2U+sip",
                    "!.*!sip:a@b!",
                    ".",
                ),
            ],
            vec![],
            &[],
        )
        .await;
        let resolver = resolver(&dns);
        let found = discover(ip("192.0.2.10"), &resolver).await.unwrap();
        assert_eq!(found.ird_uri(), "https://good.example/ird");
        assert_eq!(found.uris.len(), 1);
        let NameOutcome::Unusable { rejected } = &found.tried[0].outcome else {
            panic!("R32 should be unusable: {:?}", found.tried[0]);
        };
        assert_eq!(rejected.len(), 1, "{rejected:?}");
        assert_eq!(rejected[0].name, strip(V4_R32));
        assert!(
            rejected[0].reason.contains("must be exactly `.*`"),
            "{}",
            rejected[0]
        );
        assert_eq!(found.rejected.len(), 2, "{:?}", found.rejected);
        assert!(found.rejected[0].reason.contains("back-reference"));
        assert!(found.rejected[1]
            .reason
            .contains("does not match the protocol https"));

        let err = discover(ip("192.0.3.1"), &resolver).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "no ALTO server found for 192.0.3.1 (ALTO:https): tried \
             1.3.0.192.in-addr.arpa (NXDOMAIN), \
             3.0.192.in-addr.arpa (1 NAPTR record(s), none for the service), \
             0.192.in-addr.arpa (no NAPTR records), 192.in-addr.arpa (no NAPTR records)"
        );
    });
}

#[test]
fn order_then_preference_over_tcp() {
    bounded(async {
        // Enough records that the answer does not fit a UDP datagram: the
        // resolver must retry over TCP. Inserted in a scrambled order.
        let mut records = Vec::new();
        let long = "x".repeat(60);
        for i in 0..48u16 {
            let (order, preference) = (100 + (i * 7) % 4, 10 + (i * 5) % 12);
            let uri = format!("https://o{order}-p{preference}-{i}.{long}.example/ird");
            records.push(alto(V4_R32, order, preference, &uri));
        }
        // Another service at the best order/preference is not a candidate.
        records.push(naptr(
            V4_R32,
            1,
            1,
            "U",
            "x-other:https",
            "!.*!https://other.example/!",
            ".",
        ));
        let dns = TestDns::start(&records, vec![], &[]).await;
        let found = discover(ip("192.0.2.10"), &resolver(&dns)).await.unwrap();
        assert!(dns.used_tcp(), "a large answer comes over TCP");
        assert_eq!(found.uris.len(), 48);
        let keys: Vec<(u16, u16)> = found.uris.iter().map(|u| (u.order, u.preference)).collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(keys, sorted, "sorted by order, then preference");
        assert_eq!((found.uris[0].order, found.uris[0].preference), (100, 10));
        assert!(found.ird_uri().starts_with("https://o100-p10-"));
    });
}

#[test]
fn servfail_moves_on_and_is_reported() {
    bounded(async {
        let dns = TestDns::start(
            &[alto(V4_R24, 100, 10, "https://r24.isp.example/ird")],
            vec![],
            &[V4_R32, "7.7.7.192.in-addr.arpa.", "7.192.in-addr.arpa."],
        )
        .await;
        let resolver = resolver(&dns);
        let found = discover(ip("192.0.2.10"), &resolver).await.unwrap();
        assert_eq!(found.ird_uri(), "https://r24.isp.example/ird");
        let failures: Vec<_> = found.failures().collect();
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].name, strip(V4_R32));
        assert_eq!(
            failures[0].outcome,
            NameOutcome::Failed {
                reason: "SERVFAIL".to_owned()
            }
        );
        // Moved on at once: one query per name, no retry before the next.
        assert_eq!(dns.queried(), [V4_R32, V4_R24].map(strip));

        let err = discover(ip("192.7.7.7"), &resolver).await.unwrap_err();
        assert!(err.is_temporary(), "{err:?}");
        assert_eq!(
            err.to_string(),
            "no ALTO server found for 192.7.7.7 (ALTO:https), but some lookups failed \
             temporarily (retry later): tried \
             7.7.7.192.in-addr.arpa (SERVFAIL, temporary failure), \
             7.7.192.in-addr.arpa (NXDOMAIN), \
             7.192.in-addr.arpa (SERVFAIL, temporary failure), \
             192.in-addr.arpa (no NAPTR records)"
        );
    });
}

#[test]
fn non_terminal_records_delegate_to_another_name() {
    bounded(async {
        let isp = zone(
            "isp.example.",
            &[
                alto(
                    "alto.isp.example.",
                    100,
                    20,
                    "https://backup.isp.example/ird",
                ),
                alto("alto.isp.example.", 100, 10, "https://alto.isp.example/ird"),
                naptr(
                    "loop.isp.example.",
                    100,
                    10,
                    "",
                    "ALTO:https",
                    "",
                    "loop2.isp.example.",
                ),
                naptr(
                    "loop2.isp.example.",
                    100,
                    10,
                    "",
                    "",
                    "",
                    "loop.isp.example.",
                ),
            ],
        );
        let dns = TestDns::start(
            &[
                naptr(V4_R32, 100, 10, "", "ALTO:https", "", "alto.isp.example."),
                alto(V4_R32, 200, 10, "https://later.isp.example/ird"),
                naptr(
                    "11.2.0.192.in-addr.arpa.",
                    100,
                    10,
                    "",
                    "ALTO",
                    "",
                    "loop.isp.example.",
                ),
                naptr(
                    "11.2.0.192.in-addr.arpa.",
                    100,
                    20,
                    "",
                    "",
                    "",
                    "nowhere.isp.example.",
                ),
            ],
            vec![isp],
            &[],
        )
        .await;
        let resolver = resolver(&dns);
        let found = discover(ip("192.0.2.10"), &resolver).await.unwrap();
        let uris: Vec<&str> = found.uris.iter().map(|u| u.uri.as_str()).collect();
        assert_eq!(
            uris,
            [
                "https://alto.isp.example/ird",
                "https://backup.isp.example/ird",
                "https://later.isp.example/ird"
            ]
        );
        assert_eq!(found.uris[0].record_name, "alto.isp.example");
        assert_eq!((found.uris[1].order, found.uris[1].preference), (100, 10));
        assert_eq!(found.uris[2].record_name, strip(V4_R32));

        let err = discover(ip("192.0.2.11"), &resolver).await.unwrap_err();
        let DiscoveryError::NotFound { tried, .. } = &err else {
            panic!("{err:?}");
        };
        let NameOutcome::Unusable { rejected } = &tried.0[0].outcome else {
            panic!("{:?}", tried.0[0]);
        };
        let reasons: Vec<&str> = rejected.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "delegation loop back to loop.isp.example",
                "delegates to nowhere.isp.example: NXDOMAIN"
            ]
        );
    });
}

#[test]
fn silent_nameserver_is_a_temporary_failure() {
    bounded(async {
        // A socket that never answers: every query times out.
        let silent = tokio::net::UdpSocket::bind("127.0.0.1:0")
            .await
            .expect("bind udp");
        let addr = silent.local_addr().expect("udp address");
        let resolver =
            Resolver::with_nameserver_timeout(addr, Duration::from_millis(300)).expect("resolver");
        let sp = ServiceParam::alto_https();
        let err = discover_prefix("192.0.0.0/8".parse().unwrap(), &sp, &resolver)
            .await
            .unwrap_err();
        assert!(err.is_temporary(), "{err:?}");
        let DiscoveryError::Incomplete { tried, .. } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(tried.0.len(), 1);
        assert_eq!(tried.0[0].name, "192.in-addr.arpa");
        assert!(tried.0[0].outcome.is_failure(), "{:?}", tried.0[0]);
        drop(silent);
    });
}
