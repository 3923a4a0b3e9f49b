//! Running the `altofed` binary from a test: a child process that is
//! killed when dropped (a failing test leaves nothing behind), started
//! once it has announced where it listens.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

/// A running child process; killed on drop.
#[derive(Debug)]
pub struct Running {
    pub child: Child,
    /// Where its standard error (the log) goes.
    pub log: PathBuf,
}

impl Running {
    /// Sends signal `name` (`"TERM"`, `"HUP"`) to the process.
    pub fn signal(&self, name: &str) {
        signal(&self.child, name);
    }

    /// The log so far, for failure messages.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// Sends signal `name` (`"TERM"`, `"HUP"`) to `child` with kill(1), and
/// checks that it was delivered.
pub fn signal(child: &Child, name: &str) {
    let pid = child.id().to_string();
    let sent = Command::new("kill")
        .args([&format!("-{name}"), &pid])
        .status();
    assert!(sent.unwrap().success(), "kill -{name} {pid}");
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `bin args` with its standard error (the log) in `log`; the
/// process and its standard output, for the caller to read what it
/// announces.
pub fn spawn_logged(bin: &str, args: &[&str], log: &Path) -> (Running, ChildStdout) {
    let mut child = Command::new(bin)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let running = Running {
        child,
        log: log.to_owned(),
    };
    (running, stdout)
}

/// Starts `bin args` with its log in `log` and reads its standard output
/// until a line starts with `prefix`; returns the process and the rest of
/// that line, trimmed.
pub fn start_announcing(bin: &str, args: &[&str], log: &Path, prefix: &str) -> (Running, String) {
    let (running, stdout) = spawn_logged(bin, args, log);
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix(prefix) {
            return (running, rest.trim().to_owned());
        }
    }
    panic!(
        "`{bin} {}` never printed `{prefix}`; log:\n{}",
        args.join(" "),
        running.log_text()
    );
}

/// `bin serve --config config --listen 127.0.0.1:0` plus `extra`, with its
/// log in `log`; the process and its base URL once `/readyz` answers 200
/// (at most 30 s).
pub async fn serve_ready(
    bin: &str,
    config: &Path,
    extra: &[&str],
    log: &Path,
) -> (Running, String) {
    let config = config.to_str().unwrap();
    let args = [
        &["serve", "--config", config, "--listen", "127.0.0.1:0"],
        extra,
    ]
    .concat();
    let (running, ird) = start_announcing(bin, &args, log, "serving ALTO at ");
    let base = ird.trim_end_matches("/directory").to_owned();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let ready = reqwest::get(format!("{base}/readyz")).await;
        if ready.is_ok_and(|r| r.status() == 200) {
            return (running, base);
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never ready:\n{}",
            running.log_text()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Polls `url` until its body contains `needle`: an aggregator is ready
/// once it publishes the CDN's PIDs, and publishes an ISP's after its
/// first pull.
pub async fn wait_for_text(url: &str, needle: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        if let Ok(response) = reqwest::get(url).await {
            if response.text().await.unwrap_or_default().contains(needle) {
                return;
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{url} never held {needle}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
