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

use crate::support::isp_a_dir;

pub const IRD_PATH: &str = "/alto/directory";
pub const NET_PATH: &str = "/alto/net";
pub const COST_PATH: &str = "/maps/cost";

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
}

#[derive(Debug, Clone)]
pub struct RawPeer {
    pub addr: SocketAddr,
    fault: Arc<Mutex<Option<(String, Fault)>>>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl RawPeer {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let peer = RawPeer {
            addr: listener.local_addr().unwrap(),
            fault: Arc::default(),
            requests: Arc::default(),
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

    /// The request heads seen so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    async fn serve(self, mut stream: TcpStream) {
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
            if head.len() > 64 * 1024 {
                return;
            }
        }
        let head = String::from_utf8_lossy(&head).into_owned();
        self.requests.lock().unwrap().push(head.clone());
        let path = head.split_whitespace().nth(1).unwrap_or("").to_owned();
        let fault = self
            .fault
            .lock()
            .unwrap()
            .clone()
            .filter(|(p, _)| *p == path)
            .map(|(_, f)| f);
        let _ = match fault {
            None => respond_normally(&mut stream, &path).await,
            Some(fault) => respond_with(&mut stream, fault).await,
        };
    }
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
