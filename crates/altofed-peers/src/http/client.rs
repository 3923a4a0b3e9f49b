//! The reqwest client of one peer: rustls, connect timeout, gzip and zstd
//! accepted, Basic or Bearer credentials on every request, redirects as
//! `follow-redirects` allows, and the peer's own CA certificates trusted
//! besides the built-in roots.

use std::path::Path;

use altofed_core::config::HttpOptions;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};

use super::error::HttpPeerError;

const USER_AGENT: &str = concat!("altofed/", env!("CARGO_PKG_VERSION"));

/// Builds the client. Proxies from the environment are not used: peers are
/// reached directly.
pub(crate) fn build(
    peer: &str,
    options: &HttpOptions,
    base_dir: &Path,
) -> Result<reqwest::Client, HttpPeerError> {
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .user_agent(USER_AGENT)
        .connect_timeout(options.connect_timeout)
        .gzip(true)
        .zstd(true)
        .no_proxy()
        .redirect(super::redirect::policy(peer, options.follow_redirects))
        .default_headers(auth_headers(peer, options)?);
    if let Some(ca_file) = &options.ca_file {
        for cert in ca_certificates(peer, &base_dir.join(ca_file))? {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder.build().map_err(|e| HttpPeerError::Client {
        peer: peer.to_owned(),
        reason: e.to_string(),
    })
}

/// `Authorization` for Basic (RFC 7617) or Bearer (RFC 6750) credentials,
/// marked sensitive (kept out of logs, dropped on cross-host redirects).
fn auth_headers(peer: &str, options: &HttpOptions) -> Result<HeaderMap, HttpPeerError> {
    let value = match (&options.basic_user, &options.bearer_token) {
        (Some(_), Some(_)) => {
            return Err(HttpPeerError::Credentials {
                peer: peer.to_owned(),
                reason: "use either basic-user/basic-password or bearer-token, not both".to_owned(),
            })
        }
        (Some(user), None) => {
            let password = options.basic_password.as_deref().unwrap_or("");
            Some(format!(
                "Basic {}",
                STANDARD.encode(format!("{user}:{password}"))
            ))
        }
        (None, Some(token)) => Some(format!("Bearer {token}")),
        (None, None) => None,
    };
    let mut headers = HeaderMap::new();
    if let Some(value) = value {
        let mut value = HeaderValue::from_str(&value).map_err(|_| HttpPeerError::Credentials {
            peer: peer.to_owned(),
            reason: "credentials hold characters not allowed in an HTTP header".to_owned(),
        })?;
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
    }
    Ok(headers)
}

/// Every certificate of a PEM file; an error if there is none.
fn ca_certificates(peer: &str, path: &Path) -> Result<Vec<reqwest::Certificate>, HttpPeerError> {
    let pem = std::fs::read(path).map_err(|error| HttpPeerError::CaRead {
        peer: peer.to_owned(),
        path: path.to_owned(),
        error,
    })?;
    let pem_error = |reason: String| HttpPeerError::CaPem {
        peer: peer.to_owned(),
        path: path.to_owned(),
        reason,
    };
    let certs = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| pem_error(format!("not a PEM certificate bundle: {e}")))?;
    if certs.is_empty() {
        return Err(pem_error("no certificate found".to_owned()));
    }
    Ok(certs)
}
