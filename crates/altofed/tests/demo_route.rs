//! `altofed demo` starts Figure 5's request router too, and prints a `dig`
//! and a `curl -sI` command: run as a process, the printed commands are
//! replayed (hickory's client for the dig, reqwest without following
//! redirects for the curl) and their answers checked against design.md
//! §1's table: isp-a:pid1 -> pid8's node n8, isp-a:pid2 -> pid10's n10.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use altofed_tests::dns_client::{ask, udp_client};
use altofed_tests::process::spawn_logged;
use hickory_server::proto::rr::RecordType;

const BIN: &str = env!("CARGO_BIN_EXE_altofed");
const GUARD: Duration = Duration::from_secs(30);

/// What the printed `dig` asks: server, ECS subnet, name.
#[derive(Debug)]
struct Dig {
    server: SocketAddr,
    subnet: String,
    name: String,
}

/// `dig @IP -p PORT +norecurse +subnet=S NAME A`.
fn parse_dig(line: &str) -> Dig {
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        (words[0], words[2], words.last()),
        ("dig", "-p", Some(&"A")),
        "{line}"
    );
    let ip: IpAddr = words[1].strip_prefix('@').unwrap().parse().unwrap();
    let subnet = words
        .iter()
        .find_map(|w| w.strip_prefix("+subnet="))
        .unwrap();
    Dig {
        server: SocketAddr::new(ip, words[3].parse().unwrap()),
        subnet: subnet.to_owned(),
        name: words[words.len() - 2].to_owned(),
    }
}

/// `curl -sI -H 'X-Forwarded-For: ADDR' URL`: the address and the URL.
fn parse_curl(line: &str) -> (String, String) {
    let rest = line.strip_prefix("curl -sI -H 'X-Forwarded-For: ").unwrap();
    let (client, url) = rest.split_once("' ").unwrap();
    (client.to_owned(), url.trim().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_printed_dig_and_curl_answer_as_design_md_says() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("demo.log");
    let (mut demo, stdout) = spawn_logged(BIN, &["demo", "--listen", "127.0.0.1:0"], &log);
    let guide: Vec<String> = BufReader::new(stdout)
        .lines()
        .map(Result::unwrap)
        .take_while(|l| l != "Ctrl-C stops.")
        .collect();
    let line = |start: &str| {
        let found = guide
            .iter()
            .map(|l| l.trim())
            .find(|l| l.starts_with(start));
        found
            .unwrap_or_else(|| panic!("no `{start}` in {guide:#?}"))
            .to_owned()
    };
    let dig = parse_dig(&line("dig @"));
    let (client, url) = parse_curl(&line("curl -sI"));
    // The printed commands are for the subscribers design.md's table names.
    assert_eq!(
        (dig.subnet.as_str(), client.as_str()),
        ("198.51.100.1/32", "198.51.100.200")
    );
    assert!(
        dig.server.ip().is_loopback() && dig.server.port() != 0,
        "{dig:?}"
    );

    // The router follows the aggregator, which follows the ISP: the
    // answers settle within the guard once isp-a's maps are pulled.
    let dns = udp_client(dig.server);
    let n8: IpAddr = "203.0.113.1".parse().unwrap();
    let deadline = Instant::now() + GUARD;
    loop {
        let answer = ask(&dns, &dig.name, RecordType::A, Some(&dig.subnet)).await;
        let answer = answer.map(|a| (a.addresses, a.scope));
        if answer.as_ref().is_ok_and(|a| *a == (vec![n8], Some(25))) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "dig: {answer:?}\n{}",
            demo.log_text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    let deadline = Instant::now() + GUARD;
    loop {
        let r = http
            .head(&url)
            .header("x-forwarded-for", &client)
            .send()
            .await;
        let got = r.ok().map(|r| {
            let location = r
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap().to_owned());
            (r.status().as_u16(), location)
        });
        let expected = (302, Some("http://n10.cdn.example/video/1.mp4".to_owned()));
        if got.as_ref() == Some(&expected) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "curl: {got:?}\n{}",
            demo.log_text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    demo.signal("TERM");
    assert!(
        demo.child.wait().unwrap().success(),
        "exits 0 after SIGTERM"
    );
}
