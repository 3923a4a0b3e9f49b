//! Log lines captured from the process-wide subscriber, for the tests that
//! read what the server logged (each in its own test binary: tracing caches
//! callsite interest across threads, so a thread-local subscriber misses
//! events when other tests run in parallel).

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

/// What the subscriber installed by [`capture_logs`] has written.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Everything written so far.
    pub fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        bytes.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs a plain-text subscriber at `level` as the process-wide default
/// and returns what it writes. Once per test binary.
pub fn capture_logs(level: tracing::Level) -> Captured {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the first subscriber");
    captured
}
