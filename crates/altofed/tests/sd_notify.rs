//! `altofed serve` under systemd's `Type=notify` (packaging/debian): READY=1
//! only once `/readyz` answers 200, and RELOADING=1 then READY=1 around a
//! SIGHUP reload. The test plays the service manager: a datagram socket
//! named by NOTIFY_SOCKET.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::os::unix::net::UnixDatagram;
use std::process::{Command, Stdio};
use std::time::Duration;

use altofed_tests::fixtures::scenario;
use altofed_tests::process::Running;

const BIN: &str = env!("CARGO_BIN_EXE_altofed");
/// Bounds every wait for a message: a hang fails, it does not block.
const GUARD: Duration = Duration::from_secs(30);

/// The next notification, as text.
fn next_message(socket: &UnixDatagram, server: &Running) -> String {
    let mut buffer = [0u8; 4096];
    match socket.recv(&mut buffer) {
        Ok(n) => String::from_utf8_lossy(&buffer[..n]).into_owned(),
        Err(e) => panic!("no notification: {e}; log:\n{}", server.log_text()),
    }
}

#[tokio::test]
async fn ready_once_readyz_answers_and_reloading_around_sighup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&path).unwrap();
    socket.set_read_timeout(Some(GUARD)).unwrap();
    let config = scenario("figure5").join("altofed.toml");
    let log = dir.path().join("altofed.log");
    let mut child = Command::new(BIN)
        .args(["serve", "--config", config.to_str().unwrap()])
        .args(["--listen", "127.0.0.1:0"])
        .env("NOTIFY_SOCKET", &path)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Running { child, log };
    let line = BufReader::new(stdout).lines().next().unwrap().unwrap();
    let ird = line.strip_prefix("serving ALTO at ").expect(&line);
    let base = ird.trim_end_matches("/directory");

    assert_eq!(next_message(&socket, &server), "READY=1\n");
    // Sent only once a snapshot is served: no polling needed here.
    let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(ready.status(), 200);

    server.signal("HUP");
    let reloading = next_message(&socket, &server);
    assert!(reloading.starts_with("RELOADING=1\n"), "{reloading}");
    assert!(reloading.contains("MONOTONIC_USEC="), "{reloading}");
    assert_eq!(next_message(&socket, &server), "READY=1\n");
}
