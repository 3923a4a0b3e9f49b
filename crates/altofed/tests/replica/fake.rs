//! A hand-made upstream: serves fixed bodies by path over raw HTTP/1.1
//! (one request per connection, no ETags, 404 for anything else, update
//! streams included), so a test can make it send what no altofed server
//! would: a malformed document.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::{get_paths, get_raw};

type Bodies = Arc<Mutex<HashMap<String, (String, Vec<u8>)>>>;

/// The server; its task ends with the test's runtime.
#[derive(Debug)]
pub struct Fake {
    pub base: String,
    bodies: Bodies,
}

impl Fake {
    /// Serves what `upstream` serves now (identity bodies, content types)
    /// at its IRD and every GET resource.
    pub async fn copy_of(upstream: &str) -> Fake {
        let mut bodies = HashMap::new();
        for path in get_paths(upstream).await {
            let response = reqwest::get(format!("{upstream}{path}")).await.unwrap();
            let media = response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_owned();
            let (_, _, body) = get_raw(upstream, &path, "identity").await.unwrap();
            bodies.insert(path, (media, body));
        }
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let bodies: Bodies = Arc::new(Mutex::new(bodies));
        tokio::spawn(serve(listener, bodies.clone()));
        Fake { base, bodies }
    }

    /// The body of `path` from now on.
    pub fn set(&self, path: &str, body: Vec<u8>) {
        let mut bodies = self.bodies.lock().unwrap();
        bodies.get_mut(path).unwrap().1 = body;
    }

    pub fn body(&self, path: &str) -> Vec<u8> {
        self.bodies.lock().unwrap()[path].1.clone()
    }
}

async fn serve(listener: TcpListener, bodies: Bodies) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(answer(stream, bodies.clone()));
    }
}

/// Reads one request head (within 5 s, at most 64 kB) and answers it.
async fn answer(mut stream: TcpStream, bodies: Bodies) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    let read = async {
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65_536 {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
    };
    if tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .is_err()
    {
        return;
    }
    let line = String::from_utf8_lossy(&head);
    let mut words = line.split_whitespace();
    let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let found = (method == "GET")
        .then(|| bodies.lock().unwrap().get(path).cloned())
        .flatten();
    let response = match found {
        Some((media, body)) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {media}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            [head.into_bytes(), body].concat()
        }
        None => {
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
        }
    };
    let _ = stream.write_all(&response).await;
    let _ = stream.shutdown().await;
}
