//! `altofed discover IP --nameserver ADDR` against a real DNS server on
//! loopback (hickory-server in the test process) holding RFC 8686 NAPTR
//! records: the URI on stdout for IPv4 and IPv6 (each found at a shorter
//! reverse name than the address's own), and the exit codes an operator's
//! script relies on: 0 found, 1 none, 75 (EX_TEMPFAIL) when a lookup
//! failed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use altofed_tests::dns::{alto, TestDns};

const BIN: &str = env!("CARGO_BIN_EXE_altofed");

/// Runs `altofed discover` off the runtime that serves DNS.
async fn discover(dns: &TestDns, address: &str) -> Output {
    let args = [
        "discover".to_owned(),
        address.to_owned(),
        "--nameserver".to_owned(),
        dns.addr.to_string(),
    ];
    tokio::task::spawn_blocking(move || Command::new(BIN).args(args).output().unwrap())
        .await
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ipv4_found_at_the_slash_24_name() {
    let dns = TestDns::start(
        &[
            alto(
                "2.0.192.in-addr.arpa.",
                100,
                10,
                "https://alto.isp-a.example/ird",
            ),
            alto("198.in-addr.arpa.", 100, 10, "https://wrong.example/ird"),
        ],
        vec![],
        &[],
    )
    .await;
    let out = discover(&dns, "192.0.2.10").await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "https://alto.isp-a.example/ird\n");
    assert!(
        text(&out.stderr).contains("192.0.2.10: found at 2.0.192.in-addr.arpa"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        dns.queried(),
        ["10.2.0.192.in-addr.arpa", "2.0.192.in-addr.arpa"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ipv6_found_at_the_slash_48_name_best_first() {
    let slash48 = "1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";
    let dns = TestDns::start(
        &[
            alto(slash48, 100, 20, "https://second.isp-b.example/ird"),
            alto(slash48, 100, 10, "https://alto.isp-b.example/ird"),
        ],
        vec![],
        &[],
    )
    .await;
    let out = discover(&dns, "2001:db8:1:2:3:4:5:6").await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "https://alto.isp-b.example/ird\nhttps://second.isp-b.example/ird\n"
    );
    assert!(text(&out.stderr).contains(&format!("found at {}", slash48.trim_end_matches('.'))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_found_exits_1_and_a_failed_lookup_exits_75() {
    let dns = TestDns::start(&[], vec![], &["10.2.0.192.in-addr.arpa."]).await;
    let out = discover(&dns, "198.51.100.7").await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    assert_eq!(
        text(&out.stderr),
        "error: no ALTO server found for 198.51.100.7 (ALTO:https): tried \
         7.100.51.198.in-addr.arpa, 100.51.198.in-addr.arpa, 51.198.in-addr.arpa, \
         198.in-addr.arpa (NXDOMAIN)\n"
    );

    let out = discover(&dns, "192.0.2.10").await;
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    assert_eq!(
        text(&out.stderr),
        "error: no ALTO server found for 192.0.2.10 (ALTO:https), but some lookups \
         failed temporarily (retry later): tried 10.2.0.192.in-addr.arpa (SERVFAIL, \
         temporary failure), 2.0.192.in-addr.arpa (NXDOMAIN), 0.192.in-addr.arpa \
         (NXDOMAIN), 192.in-addr.arpa (NXDOMAIN)\n"
    );
}
