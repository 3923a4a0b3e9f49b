//! What a connection is doing, as its watchdog needs to know it: requests
//! in flight, when bytes last moved, whether the next request's head has
//! begun, and since when a write has been blocked. Updated by the socket
//! wrapper [`Tracked`] and by the service (one [`InFlight`] guard per
//! request, held by the response body until it is sent); read by the
//! watchdog a few times a second. Plain atomics: no lock, no wake-up per
//! request. Stamped from the coarse monotonic clock ([`coarse_ms`]): a
//! request stamps three times, and the watchdog needs no finer steps than
//! the kernel's tick.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Why a watchdog closed a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// A request head (or the TLS handshake) took too long to arrive.
    Header,
    /// No request for the idle time.
    Idle,
    /// The client did not take the response's bytes for the write timeout.
    Write,
}

impl Expiry {
    pub fn as_str(self) -> &'static str {
        match self {
            Expiry::Header => "header",
            Expiry::Idle => "idle",
            Expiry::Write => "write",
        }
    }
}

/// Timestamps are milliseconds since `epoch` ([`coarse_ms`]), plus one
/// (0: unset).
#[derive(Debug)]
pub struct Activity {
    epoch: u64,
    in_flight: AtomicUsize,
    last_io: AtomicU64,
    /// When the first byte of a request head arrived while idle.
    head_started: AtomicU64,
    /// When a write first returned `Pending` without progress since.
    write_blocked: AtomicU64,
}

impl Activity {
    pub fn new() -> Arc<Self> {
        let epoch = coarse_ms();
        Arc::new(Self {
            epoch,
            in_flight: AtomicUsize::new(0),
            last_io: AtomicU64::new(1),
            // A new connection owes its first request head from now on.
            head_started: AtomicU64::new(1),
            write_blocked: AtomicU64::new(0),
        })
    }

    fn now(&self) -> u64 {
        coarse_ms().saturating_sub(self.epoch).saturating_add(1)
    }

    fn elapsed_since(&self, stamp: u64, now: u64) -> Option<Duration> {
        (stamp != 0).then(|| Duration::from_millis(now.saturating_sub(stamp)))
    }

    /// A request was handed to the service; the guard ends it.
    pub fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        self.head_started.store(0, Ordering::Relaxed);
        InFlight(self.clone())
    }

    fn read(&self, bytes: usize) {
        if bytes == 0 {
            return;
        }
        let now = self.now();
        self.last_io.store(now, Ordering::Relaxed);
        if self.in_flight.load(Ordering::Relaxed) == 0 {
            // Bytes while idle: the next request's head has begun.
            let _ =
                self.head_started
                    .compare_exchange(0, now, Ordering::Relaxed, Ordering::Relaxed);
        }
    }

    fn wrote(&self, progress: bool) {
        if progress {
            self.last_io.store(self.now(), Ordering::Relaxed);
            self.write_blocked.store(0, Ordering::Relaxed);
        } else {
            let now = self.now();
            let _ =
                self.write_blocked
                    .compare_exchange(0, now, Ordering::Relaxed, Ordering::Relaxed);
        }
    }

    /// Whether the connection has outlived one of its limits.
    pub fn expired(&self, limits: &super::ConnectionLimits) -> Option<Expiry> {
        let now = self.now();
        let over = |stamp: &AtomicU64, limit: Duration| {
            self.elapsed_since(stamp.load(Ordering::Relaxed), now)
                .is_some_and(|d| d >= limit)
        };
        if over(&self.write_blocked, limits.write_timeout) {
            return Some(Expiry::Write);
        }
        if self.in_flight.load(Ordering::Relaxed) > 0 {
            return None;
        }
        if over(&self.head_started, limits.header_read_timeout) {
            return Some(Expiry::Header);
        }
        if self.head_started.load(Ordering::Relaxed) == 0
            && over(&self.last_io, limits.idle_timeout)
        {
            return Some(Expiry::Idle);
        }
        None
    }
}

/// Milliseconds of `CLOCK_MONOTONIC_COARSE`: the monotonic clock as of
/// the kernel's last timer tick (1-10 ms steps), read from the vDSO
/// without reading the TSC: ~4 ns a read here, where the precise clock
/// costs ~23 ns. An elapsed time is then off by at most one kernel tick,
/// against a watchdog tick of at least 50 ms.
#[cfg(target_os = "linux")]
fn coarse_ms() -> u64 {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::MonotonicCoarse);
    let secs = u64::try_from(now.tv_sec).unwrap_or(0);
    let millis = u64::try_from(now.tv_nsec).unwrap_or(0) / 1_000_000;
    secs.saturating_mul(1000).saturating_add(millis)
}

/// Elsewhere (no coarse clock of that name): milliseconds of the precise
/// monotonic clock since the first read.
#[cfg(not(target_os = "linux"))]
fn coarse_ms() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let elapsed = START.get_or_init(std::time::Instant::now).elapsed();
    u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
}

/// One request in flight, until its response has been sent (the response
/// body holds it).
#[derive(Debug)]
pub struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let a = &self.0;
        if a.in_flight.fetch_sub(1, Ordering::Relaxed) == 1 {
            // The idle time counts from the end of the last response.
            a.last_io.store(a.now(), Ordering::Relaxed);
        }
    }
}

pin_project_lite::pin_project! {
    /// A socket that reports its reads and writes to an [`Activity`].
    #[derive(Debug)]
    pub struct Tracked<T> {
        #[pin]
        io: T,
        activity: Arc<Activity>,
    }
}

impl<T> Tracked<T> {
    pub fn new(io: T, activity: Arc<Activity>) -> Self {
        Self { io, activity }
    }
}

impl<T: AsyncRead> AsyncRead for Tracked<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.project();
        let before = buf.filled().len();
        let result = this.io.poll_read(cx, buf);
        if result.is_ready() {
            this.activity.read(buf.filled().len() - before);
        }
        result
    }
}

impl<T: AsyncWrite> AsyncWrite for Tracked<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.project();
        let result = this.io.poll_write(cx, buf);
        this.activity.wrote(result.is_ready());
        result
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.project();
        let result = this.io.poll_write_vectored(cx, bufs);
        this.activity.wrote(result.is_ready());
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().io.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().io.poll_shutdown(cx)
    }
}
