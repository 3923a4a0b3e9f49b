//! HTTPS (RFC 7285 §8.3.5): a rustls server configuration from PEM files.
//! Handshakes run in each connection's own task, bounded in number and
//! time like the connection itself ([`crate::conn`]), so a slow or silent
//! client cannot hold up accepting others. The crypto provider is `ring`,
//! named explicitly (no process-wide default needed).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use thiserror::Error;

/// Where the server's certificate chain and private key are (PEM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConfig {
    /// The server certificate first, then intermediates.
    pub cert_chain: PathBuf,
    /// PKCS#8, PKCS#1 or SEC1 private key.
    pub private_key: PathBuf,
}

#[derive(Debug, Error)]
pub enum TlsError {
    #[error("{}: {source}", path.display())]
    Pem {
        path: PathBuf,
        source: rustls::pki_types::pem::Error,
    },
    #[error("{}: no certificate found", .0.display())]
    NoCertificate(PathBuf),
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

impl TlsConfig {
    /// Reads the files and builds the rustls server configuration
    /// (HTTP/1.1 over ALPN, TLS 1.2 and 1.3).
    pub fn load(&self) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let certs = CertificateDer::pem_file_iter(&self.cert_chain)
            .map_err(pem_err(&self.cert_chain))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(pem_err(&self.cert_chain))?;
        if certs.is_empty() {
            return Err(TlsError::NoCertificate(self.cert_chain.clone()));
        }
        let key =
            PrivateKeyDer::from_pem_file(&self.private_key).map_err(pem_err(&self.private_key))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(certs, key)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

fn pem_err(path: &Path) -> impl Fn(rustls::pki_types::pem::Error) -> TlsError + '_ {
    move |source| TlsError::Pem {
        path: path.to_owned(),
        source,
    }
}
