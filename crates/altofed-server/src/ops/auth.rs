//! Optional HTTP authentication, configured separately for the ALTO
//! resources and the admin API: Basic (RFC 7617) or Bearer (RFC 6750).
//! Credentials are compared in constant time over their SHA-256 digests, so
//! neither their content nor their length leaks through timing.
//!
//! Known gap: RFC 7285 §8.3.5 makes HTTP Digest a MUST for deployments that
//! authenticate clients; it is not offered (TLS is required to keep Basic and
//! Bearer credentials confidential).

use std::fmt;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::http::ApiError;

/// Realm of the ALTO resources.
pub const ALTO_REALM: &str = "altofed";
/// Realm of the admin API.
pub const ADMIN_REALM: &str = "altofed-admin";

/// Credentials a client must present.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Basic base64(user:password)`.
    Basic { user: String, password: String },
    /// `Authorization: Bearer <token>`.
    Bearer { token: String },
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Basic { user, .. } => f
                .debug_struct("Basic")
                .field("user", user)
                .field("password", &"<redacted>")
                .finish(),
            Auth::Bearer { .. } => f
                .debug_struct("Bearer")
                .field("token", &"<redacted>")
                .finish(),
        }
    }
}

/// An [`Auth`] ready to check requests of one realm.
#[derive(Debug)]
pub(crate) struct Guard {
    basic: bool,
    realm: &'static str,
    expected: [u8; 32],
}

impl Guard {
    pub fn new(auth: &Auth, realm: &'static str) -> Arc<Self> {
        let (basic, secret) = match auth {
            Auth::Basic { user, password } => (true, format!("{user}:{password}")),
            Auth::Bearer { token } => (false, token.clone()),
        };
        Arc::new(Self {
            basic,
            realm,
            expected: digest(secret.as_bytes()),
        })
    }

    /// `Ok` if the request carries the right credentials, else the
    /// `WWW-Authenticate` challenge to answer with.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), String> {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::trim);
        let (scheme, credentials) = given
            .and_then(|v| v.split_once(' '))
            .map_or(("", ""), |(s, c)| (s, c.trim()));
        let presented = if self.basic {
            scheme
                .eq_ignore_ascii_case("basic")
                .then(|| STANDARD.decode(credentials).ok())
                .flatten()
        } else {
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| credentials.as_bytes().to_vec())
        };
        match presented {
            Some(secret) if bool::from(digest(&secret).ct_eq(&self.expected)) => Ok(()),
            Some(_) => Err(self.challenge(true)),
            None => Err(self.challenge(false)),
        }
    }

    /// [`Guard::check`] as the answer: `Err` is the 401 to send.
    pub fn admit(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        self.check(headers).map_err(|challenge| {
            tracing::debug!(
                realm = self.realm,
                "rejected request without valid credentials"
            );
            ApiError::Unauthorized { challenge }
        })
    }

    fn challenge(&self, rejected: bool) -> String {
        match (self.basic, rejected) {
            (true, _) => format!("Basic realm=\"{}\", charset=\"UTF-8\"", self.realm),
            // RFC 6750 §3.1: a token was sent but is not valid.
            (false, true) => format!("Bearer realm=\"{}\", error=\"invalid_token\"", self.realm),
            (false, false) => format!("Bearer realm=\"{}\"", self.realm),
        }
    }
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Middleware: 401 with `WWW-Authenticate` unless the credentials match.
pub(crate) async fn require(
    State(guard): State<Arc<Guard>>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    guard.admit(request.headers())?;
    Ok(next.run(request).await)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(value).unwrap_or(HeaderValue::from_static("")),
        );
        h
    }

    #[test]
    fn basic() {
        let guard = Guard::new(
            &Auth::Basic {
                user: "alto".into(),
                password: "s3cret".into(),
            },
            ALTO_REALM,
        );
        let good = format!("Basic {}", STANDARD.encode("alto:s3cret"));
        assert_eq!(guard.check(&headers(&good)), Ok(()));
        assert_eq!(
            guard.check(&headers(&good.replace("Basic", "basic"))),
            Ok(())
        );
        let wrong = format!("Basic {}", STANDARD.encode("alto:s3cret2"));
        assert!(guard.check(&headers(&wrong)).is_err());
        assert!(guard.check(&headers("Basic !!notbase64")).is_err());
        assert!(guard.check(&headers("Bearer s3cret")).is_err());
        assert_eq!(
            guard.check(&HeaderMap::new()),
            Err("Basic realm=\"altofed\", charset=\"UTF-8\"".to_owned())
        );
    }

    #[test]
    fn bearer() {
        let guard = Guard::new(
            &Auth::Bearer {
                token: "tok".into(),
            },
            ADMIN_REALM,
        );
        assert_eq!(guard.check(&headers("Bearer tok")), Ok(()));
        assert_eq!(
            guard.check(&headers("Bearer tok2")),
            Err("Bearer realm=\"altofed-admin\", error=\"invalid_token\"".to_owned())
        );
        assert_eq!(
            guard.check(&HeaderMap::new()),
            Err("Bearer realm=\"altofed-admin\"".to_owned())
        );
    }

    #[test]
    fn debug_hides_secrets() {
        let text = format!(
            "{:?}",
            Auth::Basic {
                user: "u".into(),
                password: "pw-123".into()
            }
        );
        assert!(!text.contains("pw-123"));
        assert!(!format!(
            "{:?}",
            Auth::Bearer {
                token: "tok-456".into()
            }
        )
        .contains("tok-456"));
    }
}
