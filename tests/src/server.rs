//! A real altofed ALTO server on 127.0.0.1:0 for integration tests.

use std::net::SocketAddr;

use altofed_server::{run, AppState, Documents, ServerConfig};
use tokio::sync::oneshot;

/// A running server; dropping it signals shutdown.
#[derive(Debug)]
pub struct TestServer {
    pub addr: SocketAddr,
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
}

impl TestServer {
    /// Starts a server with `config`, publishing `docs` first if given.
    pub async fn start(config: ServerConfig, docs: Option<Documents>) -> Self {
        let state = AppState::new(config);
        if let Some(docs) = docs {
            state.publish(docs).expect("documents publish");
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("bound address");
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(run(listener, state.clone(), async {
            let _ = stopped.await;
        }));
        Self {
            addr,
            state,
            stop: Some(stop),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
