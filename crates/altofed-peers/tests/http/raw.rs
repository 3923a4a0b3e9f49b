//! A small ALTO peer over raw TCP that can misbehave on purpose: it
//! serves an IRD (relative URIs, unknown members) and the Figure 5 ISP
//! maps, one request per connection, and answers one path with a fault
//! while one is set.

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use altofed_model::media;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::support::isp_a_dir;

pub const IRD_PATH: &str = "/alto/directory";
pub const NET_PATH: &str = "/alto/net";
pub const COST_PATH: &str = "/maps/cost";
pub const STREAM_PATH: &str = "/updates";

/// The IRD: `net` is relative to the IRD's own path, the cost map's URI is
/// absolute-path; unknown members everywhere.
const IRD: &str = r#"{
  "meta": {
    "cost-types": {"num-rc": {"cost-mode": "numerical", "cost-metric": "routingcost", "x-vendor": 1}},
    "default-alto-network-map": "isp-a-netmap",
    "x-vendor-meta": {"anything": [1, 2]}
  },
  "resources": {
    "isp-a-netmap": {"uri": "net", "media-type": "application/alto-networkmap+json"},
    "isp-a-routingcost": {"uri": "/maps/cost", "media-type": "application/alto-costmap+json",
                          "capabilities": {"cost-type-names": ["num-rc"], "x-cap": true},
                          "uses": ["isp-a-netmap"]},
    "x-something": {"uri": "/x", "media-type": "application/x-vendor+json"}
  }
}"#;

/// The same with an RFC 8895 update stream.
const IRD_WITH_STREAM: &str = r#"{
  "meta": {
    "cost-types": {"num-rc": {"cost-mode": "numerical", "cost-metric": "routingcost"}},
    "default-alto-network-map": "isp-a-netmap"
  },
  "resources": {
    "isp-a-netmap": {"uri": "net", "media-type": "application/alto-networkmap+json"},
    "isp-a-routingcost": {"uri": "/maps/cost", "media-type": "application/alto-costmap+json",
                          "capabilities": {"cost-type-names": ["num-rc"]},
                          "uses": ["isp-a-netmap"]},
    "isp-a-updates": {"uri": "/updates", "media-type": "text/event-stream",
                      "accepts": "application/alto-updatestreamparams+json",
                      "uses": ["isp-a-netmap", "isp-a-routingcost"],
                      "capabilities": {"support-stream-control": false,
                        "incremental-change-media-types": {
                          "isp-a-netmap": "application/json-patch+json",
                          "isp-a-routingcost": "application/merge-patch+json"}}}
  }
}"#;

/// What a test writes into an update stream, chunk by chunk; dropping the
/// sender ends the stream.
pub type Script = mpsc::UnboundedSender<Vec<u8>>;

/// The scripts not played yet, the next one last.
type Scripts = Arc<Mutex<Vec<mpsc::UnboundedReceiver<Vec<u8>>>>>;

/// What the faulty path answers.
#[derive(Debug, Clone)]
pub enum Fault {
    /// This status with a short text body.
    Status(u16),
    /// Accepts and never answers (until the client gives up).
    Hang,
    /// 200 with this content type and body.
    Body(&'static str, Vec<u8>),
    /// Declares this Content-Length, then sends nothing more.
    Declared(u64),
    /// Chunked transfer encoding, no Content-Length, this many bytes.
    Chunked(usize),
    /// No length at all: the body runs until the connection closes, and
    /// never ends on its own.
    Endless,
    /// A small gzip body that inflates to this many bytes.
    Gzip(usize),
    /// 301 Moved Permanently to this location.
    Redirect(String),
}

#[derive(Debug, Clone)]
pub struct RawPeer {
    pub addr: SocketAddr,
    fault: Arc<Mutex<Option<(String, Fault)>>>,
    requests: Arc<Mutex<Vec<String>>>,
    /// Update streams to play, one per stream request, when offered.
    streams: Option<Scripts>,
}

impl RawPeer {
    pub async fn start() -> Self {
        Self::start_with(None).await
    }

    /// A peer whose IRD offers an update stream; each stream request
    /// plays the next script (in order), and once they are used up gets
    /// 503.
    pub async fn with_streams(count: usize) -> (Self, Vec<Script>) {
        let (senders, receivers): (Vec<_>, Vec<_>) =
            (0..count).map(|_| mpsc::unbounded_channel()).unzip();
        let mut receivers = receivers;
        receivers.reverse();
        let peer = Self::start_with(Some(Arc::new(Mutex::new(receivers)))).await;
        (peer, senders)
    }

    async fn start_with(streams: Option<Scripts>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let peer = RawPeer {
            addr: listener.local_addr().unwrap(),
            fault: Arc::default(),
            requests: Arc::default(),
            streams,
        };
        let server = peer.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(server.clone().serve(stream));
            }
        });
        peer
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn set_fault(&self, path: &str, fault: Fault) {
        *self.fault.lock().unwrap() = Some((path.to_owned(), fault));
    }

    pub fn clear_fault(&self) {
        *self.fault.lock().unwrap() = None;
    }

    /// The requests seen so far (head, and body where one was sent).
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    async fn serve(self, mut stream: TcpStream) {
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        let head_end = loop {
            if let Some(i) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
            if request.len() > 64 * 1024 {
                return;
            }
        };
        let head = String::from_utf8_lossy(&request[..head_end]).into_owned();
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .unwrap_or(0);
        while request.len() < head_end + length {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
        }
        self.requests
            .lock()
            .unwrap()
            .push(String::from_utf8_lossy(&request).into_owned());
        let path = head.split_whitespace().nth(1).unwrap_or("").to_owned();
        let fault = self
            .fault
            .lock()
            .unwrap()
            .clone()
            .filter(|(p, _)| *p == path)
            .map(|(_, f)| f);
        let _ = match (fault, &self.streams) {
            (Some(fault), _) => respond_with(&mut stream, fault).await,
            (None, Some(_)) if path == IRD_PATH => {
                ok(&mut stream, media::DIRECTORY, IRD_WITH_STREAM.as_bytes()).await
            }
            (None, Some(streams)) if path == STREAM_PATH => {
                let script = streams.lock().unwrap().pop();
                match script {
                    Some(script) => play(&mut stream, script).await,
                    None => status(&mut stream, 503).await,
                }
            }
            (None, _) => respond_normally(&mut stream, &path).await,
        };
    }
}

/// An event stream: whatever the script sends, until it is dropped.
async fn play(
    stream: &mut TcpStream,
    mut script: mpsc::UnboundedReceiver<Vec<u8>>,
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nConnection: close\r\n\r\n",
        media::EVENT_STREAM
    );
    stream.write_all(head.as_bytes()).await?;
    while let Some(chunk) = script.recv().await {
        stream.write_all(&chunk).await?;
        stream.flush().await?;
    }
    stream.shutdown().await
}

async fn respond_normally(stream: &mut TcpStream, path: &str) -> std::io::Result<()> {
    let file = |name: &str| std::fs::read(isp_a_dir().join(name)).unwrap();
    match path {
        IRD_PATH => ok(stream, media::DIRECTORY, IRD.as_bytes()).await,
        NET_PATH => ok(stream, media::NETWORK_MAP, &file("networkmap.json")).await,
        COST_PATH => ok(stream, media::COST_MAP, &file("costmap.json")).await,
        _ => status(stream, 404).await,
    }
}

async fn ok(stream: &mut TcpStream, content_type: &str, body: &[u8]) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    stream.shutdown().await
}

async fn status(stream: &mut TcpStream, code: u16) -> std::io::Result<()> {
    let reason = match code {
        404 => "Not Found",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Other",
    };
    let body = format!("{code} {reason}\n");
    let head = format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}

/// Writes until the client hangs up, or this many bytes at most.
const WRITE_CAP: usize = 64 << 20;

async fn respond_with(stream: &mut TcpStream, fault: Fault) -> std::io::Result<()> {
    let head = |extra: &str| {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {}\r\n{extra}Connection: close\r\n\r\n",
            media::NETWORK_MAP
        )
    };
    match fault {
        Fault::Status(code) => status(stream, code).await,
        Fault::Hang => {
            // Hold the connection until the client closes it.
            let mut buf = [0u8; 64];
            while stream.read(&mut buf).await? > 0 {}
            Ok(())
        }
        Fault::Body(content_type, body) => ok(stream, content_type, &body).await,
        Fault::Redirect(location) => {
            let head = format!(
                "HTTP/1.1 301 Moved Permanently\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            stream.write_all(head.as_bytes()).await?;
            stream.shutdown().await
        }
        Fault::Declared(length) => {
            let head = head(&format!("Content-Length: {length}\r\n"));
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(b"{\"meta\":").await?;
            let mut buf = [0u8; 64];
            while stream.read(&mut buf).await? > 0 {}
            Ok(())
        }
        Fault::Chunked(total) => {
            stream
                .write_all(head("Transfer-Encoding: chunked\r\n").as_bytes())
                .await?;
            let chunk = vec![b' '; 8192];
            let mut sent = 0;
            while sent < total {
                let n = chunk.len().min(total - sent);
                stream.write_all(format!("{n:x}\r\n").as_bytes()).await?;
                stream.write_all(&chunk[..n]).await?;
                stream.write_all(b"\r\n").await?;
                sent += n;
            }
            stream.write_all(b"0\r\n\r\n").await?;
            stream.shutdown().await
        }
        Fault::Endless => {
            stream.write_all(head("").as_bytes()).await?;
            let chunk = vec![b' '; 8192];
            let mut sent = 0;
            while sent < WRITE_CAP {
                stream.write_all(&chunk).await?;
                sent += chunk.len();
            }
            Ok(())
        }
        Fault::Gzip(inflated) => {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            encoder.write_all(&vec![b' '; inflated]).unwrap();
            let body = encoder.finish().unwrap();
            let head = head(&format!(
                "Content-Encoding: gzip\r\nContent-Length: {}\r\n",
                body.len()
            ));
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&body).await?;
            stream.shutdown().await
        }
    }
}
