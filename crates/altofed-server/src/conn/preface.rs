//! What a connection may send before HTTP (a PROXY protocol header, read
//! by `altofed route`), and the stream that gives HTTP the bytes read past
//! it.

use std::fmt::Debug;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// What [`Preface::read`] gives back: the connection, the bytes it read
/// past the preface (the start of the HTTP request), and the client's
/// address for `ConnectInfo`; `None` closes the connection.
pub type PrefaceOutcome = Option<(TcpStream, Bytes, SocketAddr)>;

/// Reads a connection's preface before HTTP is served on it. Bounded by
/// the connection loop's `header_read_timeout`.
pub trait Preface: Debug + Send + Sync + 'static {
    fn read(
        &self,
        tcp: TcpStream,
        peer: SocketAddr,
    ) -> Pin<Box<dyn Future<Output = PrefaceOutcome> + Send>>;
}

/// A TCP stream whose first bytes are `head` (already read off it).
#[derive(Debug)]
pub(super) struct Rewound {
    head: Bytes,
    tcp: TcpStream,
}

impl Rewound {
    pub(super) fn new(head: Bytes, tcp: TcpStream) -> Rewound {
        Rewound { head, tcp }
    }
}

impl AsyncRead for Rewound {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.head.has_remaining() {
            let n = self.head.len().min(buf.remaining());
            buf.put_slice(&self.head[..n]);
            self.head.advance(n);
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for Rewound {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}
