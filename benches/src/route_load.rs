//! Load for the `route` bench's fronts over real loopback sockets: servers
//! on one thread each (a current-thread tokio runtime, named so that its
//! CPU time can be read from /proc), and closed-loop clients on the
//! caller's thread: DNS queries over UDP with a window of queries in
//! flight, HTTP/1.1 GETs on keep-alive connections, one request at a time
//! per connection (no pipelining, which would share reads and writes
//! between requests and flatter the server).
//!
//! The clients check every answer (NOERROR with an answer record; a
//! `302` without a body) and otherwise stop the bench: a server that
//! answers errors fast must not look fast.

use std::future::Future;
use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use memchr::memmem;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::runtime::Runtime;

/// CPU time in ns that the thread of this process named `name` has run
/// (the scheduler's account in `/proc/self/task/<tid>/schedstat`).
pub fn thread_cpu_ns(name: &str) -> u64 {
    let dirs = std::fs::read_dir("/proc/self/task")
        .unwrap_or_else(|e| panic!("/proc/self/task: {e} (the bench needs Linux /proc)"));
    dirs.filter_map(|task| Some(task.ok()?.path()))
        .find(|dir| std::fs::read_to_string(dir.join("comm")).is_ok_and(|c| c.trim() == name))
        .and_then(|dir| std::fs::read_to_string(dir.join("schedstat")).ok())
        .and_then(|stat| stat.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no thread named {name}"))
}

/// Pins the calling thread to CPU `cpu` (`taskset`, util-linux), so that
/// a server and its client do not trade places on the two cores between
/// runs (which moved the per-request cost of the kernel's wake-ups);
/// false where that cannot be done.
pub fn pin_to_cpu(cpu: usize) -> bool {
    let Ok(me) = std::fs::read_link("/proc/thread-self") else {
        return false;
    };
    let Some(tid) = me.file_name().and_then(|t| t.to_str()).map(str::to_owned) else {
        return false;
    };
    let pinned = std::process::Command::new("taskset")
        .args(["-p", "-c", &cpu.to_string(), &tid])
        .stdout(std::process::Stdio::null())
        .status();
    pinned.is_ok_and(|s| s.success())
}

/// Runs `serve` on a new thread named `name` (at most 15 bytes: Linux's
/// `comm`) in a current-thread runtime, forever. Everything the server
/// spawns runs on that one thread, so its CPU time is the server's.
pub fn on_one_thread<F, Fut>(name: &str, serve: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    let thread = std::thread::Builder::new().name(name.to_owned());
    let spawned = thread.spawn(move || {
        // The servers on the second core, the client (the bench's main
        // thread) on the first.
        pin_to_cpu(1);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("server runtime: {e}"));
        rt.block_on(serve());
    });
    spawned.unwrap_or_else(|e| panic!("server thread: {e}"));
}

/// A DNS client over UDP: `window` queries in flight, each answer sends
/// the next query.
#[derive(Debug)]
pub struct DnsLoad {
    socket: UdpSocket,
    queries: Vec<Vec<u8>>,
    next: usize,
    window: u64,
    /// Queries given up on (no answer within the read timeout).
    pub lost: u64,
}

impl DnsLoad {
    /// `queries`: encoded DNS messages, sent in turn (their ids are
    /// rewritten).
    pub fn new(server: SocketAddr, queries: Vec<Vec<u8>>, window: u64) -> DnsLoad {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
        socket
            .connect(server)
            .unwrap_or_else(|e| panic!("connect: {e}"));
        // Bounds the wait for a lost datagram; loopback loses none unless
        // a socket buffer overflows.
        let timeout = Some(Duration::from_millis(500));
        socket
            .set_read_timeout(timeout)
            .unwrap_or_else(|e| panic!("timeout: {e}"));
        DnsLoad {
            socket,
            queries,
            next: 0,
            window,
            lost: 0,
        }
    }

    fn send(&mut self) {
        let i = self.next % self.queries.len();
        self.next += 1;
        let query = &mut self.queries[i];
        let id = (self.next as u16).to_be_bytes();
        query[..2].copy_from_slice(&id);
        self.socket
            .send(query)
            .unwrap_or_else(|e| panic!("send: {e}"));
    }

    /// Runs until `n` good answers came back.
    pub fn run(&mut self, n: u64) {
        let (mut answered, mut outstanding) = (0, 0);
        let mut buf = [0u8; 2048];
        while answered < n {
            while outstanding < self.window && answered + outstanding < n {
                self.send();
                outstanding += 1;
            }
            match self.socket.recv(&mut buf) {
                Ok(len) => {
                    check_dns(&buf[..len]);
                    answered += 1;
                    outstanding = outstanding.saturating_sub(1);
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    self.lost += outstanding;
                    outstanding = 0;
                }
                Err(e) => panic!("recv: {e}"),
            }
        }
    }

    /// One query, its answer (for checking what is answered).
    pub fn ask(&mut self, query: &[u8]) -> Vec<u8> {
        self.socket.send(query).unwrap_or_else(|e| panic!("{e}"));
        let mut buf = [0u8; 2048];
        let len = self.socket.recv(&mut buf).unwrap_or_else(|e| panic!("{e}"));
        buf[..len].to_vec()
    }
}

/// A response, NOERROR, with at least one answer record.
fn check_dns(msg: &[u8]) {
    let ok = msg.len() >= 12
        && msg[2] & 0x80 != 0
        && msg[3] & 0x0f == 0
        && u16::from_be_bytes([msg[6], msg[7]]) > 0;
    assert!(ok, "not a NOERROR answer: {msg:?}");
}

/// An HTTP/1.1 client: `connections` keep-alive connections, each sending
/// the next request once the last response is in.
#[derive(Debug)]
pub struct HttpLoad {
    rt: Runtime,
    connections: Vec<TcpStream>,
    requests: Arc<[Vec<u8>]>,
}

impl HttpLoad {
    pub fn new(server: SocketAddr, requests: Vec<Vec<u8>>, connections: usize) -> HttpLoad {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("client runtime: {e}"));
        let connections = rt.block_on(async {
            let mut out = Vec::new();
            for _ in 0..connections {
                let tcp = TcpStream::connect(server).await;
                let tcp = tcp.unwrap_or_else(|e| panic!("connect {server}: {e}"));
                let _ = tcp.set_nodelay(true);
                out.push(tcp);
            }
            out
        });
        HttpLoad {
            rt,
            connections,
            requests: requests.into(),
        }
    }

    /// Runs until `n` good responses came back.
    pub fn run(&mut self, n: u64) {
        let counter = Arc::new(AtomicU64::new(0));
        let connections = std::mem::take(&mut self.connections);
        let requests = self.requests.clone();
        self.connections = self.rt.block_on(async move {
            let mut tasks = tokio::task::JoinSet::new();
            for tcp in connections {
                tasks.spawn(drive(tcp, requests.clone(), counter.clone(), n));
            }
            let mut back = Vec::new();
            while let Some(done) = tasks.join_next().await {
                back.push(done.unwrap_or_else(|e| panic!("client task: {e}")));
            }
            back
        });
    }

    /// The head of the response to `request`, on the first connection.
    pub fn ask(&mut self, request: &[u8]) -> String {
        let tcp = &mut self.connections[0];
        self.rt.block_on(async {
            tcp.write_all(request)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let mut buf = vec![0u8; 4096];
            let len = read_head(tcp, &mut buf).await;
            String::from_utf8_lossy(&buf[..len]).into_owned()
        })
    }
}

async fn drive(
    mut tcp: TcpStream,
    requests: Arc<[Vec<u8>]>,
    n: Arc<AtomicU64>,
    max: u64,
) -> TcpStream {
    let mut buf = vec![0u8; 4096];
    loop {
        let k = n.fetch_add(1, Ordering::Relaxed);
        if k >= max {
            return tcp;
        }
        let request = &requests[(k % requests.len() as u64) as usize];
        tcp.write_all(request)
            .await
            .unwrap_or_else(|e| panic!("write: {e}"));
        let len = read_head(&mut tcp, &mut buf).await;
        let head = &buf[..len];
        let ok = head.starts_with(b"HTTP/1.1 302 ")
            && memmem::find(head, b"\r\ncontent-length: 0\r\n").is_some();
        assert!(
            ok,
            "not a 302 without body: {}",
            String::from_utf8_lossy(head)
        );
    }
}

/// Reads a response head (through its blank line) into `buf`; its length.
/// The responses here have no body, so nothing of the next one is read.
async fn read_head(tcp: &mut TcpStream, buf: &mut [u8]) -> usize {
    let mut filled = 0;
    loop {
        let got = tcp.read(&mut buf[filled..]).await;
        let got = got.unwrap_or_else(|e| panic!("read: {e}"));
        assert!(got > 0, "connection closed mid-response");
        filled += got;
        if memmem::find(&buf[..filled], b"\r\n\r\n").is_some() {
            return filled;
        }
        assert!(filled < buf.len(), "response head too long");
    }
}
