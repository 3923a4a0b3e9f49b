//! Where a peer's redirects may lead (`peer.http.follow-redirects`).
//!
//! A redirect followed is logged at INFO with both URLs: a peer that
//! moved its IRD, or sends us to another host, shows in the log and not
//! only in later errors that name the URL first asked for. A redirect
//! refused is a fetch error naming both. Hosts are compared with the URL
//! first asked for (so a chain cannot leave and come back), as host and
//! port: what reqwest compares when it drops `Authorization` on a
//! redirect, which it does whatever the policy.

use altofed_core::config::FollowRedirects;
use reqwest::redirect::{Attempt, Policy};
use reqwest::Url;
use thiserror::Error;

/// Redirects followed for one request at most (reqwest's default): a
/// loop ends here.
const MAX_REDIRECTS: usize = 10;

/// A redirect that `follow-redirects` does not allow.
#[derive(Debug, Error)]
#[error("redirect from {from} to {to} refused: peer.http.follow-redirects is {setting}")]
pub(crate) struct Refused {
    from: Url,
    to: Url,
    setting: FollowRedirects,
}

/// The client's redirect policy for the peer `peer`.
pub(crate) fn policy(peer: &str, setting: FollowRedirects) -> Policy {
    let peer = peer.to_owned();
    Policy::custom(move |attempt| decide(&peer, setting, attempt))
}

fn decide(peer: &str, setting: FollowRedirects, attempt: Attempt<'_>) -> reqwest::redirect::Action {
    // `previous` holds the URL first asked for and every one since, the
    // last being the one that answered with this redirect.
    let (Some(first), Some(from)) = (attempt.previous().first(), attempt.previous().last()) else {
        return attempt.stop();
    };
    let to = attempt.url();
    if !allowed(setting, first, to) {
        let refused = Refused {
            from: from.clone(),
            to: to.clone(),
            setting,
        };
        return attempt.error(refused);
    }
    if attempt.previous().len() > MAX_REDIRECTS {
        return attempt.error("too many redirects");
    }
    tracing::info!(peer = %peer, status = attempt.status().as_u16(), "redirect from {from} to {to} followed");
    attempt.follow()
}

/// Whether `setting` lets a request first sent to `first` go to `to`.
fn allowed(setting: FollowRedirects, first: &Url, to: &Url) -> bool {
    match setting {
        FollowRedirects::None => false,
        FollowRedirects::SameHost => {
            first.host_str() == to.host_str()
                && first.port_or_known_default() == to.port_or_known_default()
        }
        FollowRedirects::Any => true,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn same_host_is_host_and_port() {
        let url = |s: &str| Url::parse(s).unwrap();
        let first = url("http://peer.example/alto/directory");
        let same = FollowRedirects::SameHost;
        assert!(allowed(
            same,
            &first,
            &url("http://peer.example:80/v2/directory")
        ));
        assert!(!allowed(
            same,
            &first,
            &url("http://peer.example:8080/directory")
        ));
        assert!(!allowed(
            same,
            &first,
            &url("https://peer.example/directory")
        ));
        assert!(!allowed(
            same,
            &first,
            &url("http://other.example/directory")
        ));
        assert!(allowed(
            FollowRedirects::Any,
            &first,
            &url("http://other.example/")
        ));
        assert!(!allowed(FollowRedirects::None, &first, &first));
    }
}
