//! Redirects from a peer (`peer.http.follow-redirects`): within the host
//! by default, anywhere with `any`, never with `none`. A refused one is a
//! fetch error naming both URLs, a followed one an INFO line naming both,
//! and credentials do not follow a redirect to another host. "Another
//! host" is `localhost` for the raw peer on `127.0.0.1`: the same socket,
//! another name.

use altofed_core::config::{FollowRedirects, HttpOptions};
use altofed_peers::Fetched;

use crate::raw::{Fault, RawPeer, IRD_PATH};
use crate::support::{fetches, options, peer, Logs};

/// Where the peer's IRD used to be.
const OLD: &str = "/old/directory";

fn follow(setting: FollowRedirects) -> HttpOptions {
    HttpOptions {
        follow_redirects: setting,
        ..options()
    }
}

/// `path` on the raw peer under another host name.
fn elsewhere(raw: &RawPeer, path: &str) -> String {
    format!("http://localhost:{}{path}", raw.addr.port())
}

/// The fetch fails with exactly `message`, class `redirect`.
async fn refused(url: &str, options: &HttpOptions, message: &str) {
    let (mut peer, registry) = peer(url, options);
    let error = peer.fetch().await.unwrap_err();
    assert_eq!(error.to_string(), message);
    assert_eq!(error.class(), "redirect");
    assert_eq!(fetches(&registry, "redirect"), 1.0);
}

#[tokio::test]
async fn none_refuses_even_a_redirect_within_the_host() {
    let raw = RawPeer::start().await;
    raw.set_fault(OLD, Fault::Redirect(IRD_PATH.to_owned()));
    let (old, new) = (raw.url(OLD), raw.url(IRD_PATH));
    let message = format!(
        "peer `isp-a`: GET {old}: redirect from {old} to {new} refused: \
         peer.http.follow-redirects is none"
    );
    refused(&old, &follow(FollowRedirects::None), &message).await;
}

#[tokio::test]
async fn same_host_is_the_default_and_follows_within_the_host_with_an_info_line() {
    assert_eq!(options().follow_redirects, FollowRedirects::SameHost);
    let raw = RawPeer::start().await;
    raw.set_fault(OLD, Fault::Redirect(IRD_PATH.to_owned()));
    let (mut peer, _) = peer(&raw.url(OLD), &options());
    let (logs, _guard) = Logs::capture();
    let Fetched::Updated(maps) = peer.fetch().await.unwrap() else {
        panic!("maps expected");
    };
    assert_eq!(maps.network_map.meta.vtag.tag, "figure5-netmap-v1");
    let line = format!(
        "redirect from {} to {} followed",
        raw.url(OLD),
        raw.url(IRD_PATH)
    );
    assert_eq!(logs.lines("INFO", &line), 1);
}

#[tokio::test]
async fn same_host_refuses_another_host_and_another_port() {
    let raw = RawPeer::start().await;
    let old = raw.url(OLD);
    let other = RawPeer::start().await;
    for to in [elsewhere(&raw, IRD_PATH), other.url(IRD_PATH)] {
        raw.set_fault(OLD, Fault::Redirect(to.clone()));
        let message = format!(
            "peer `isp-a`: GET {old}: redirect from {old} to {to} refused: \
             peer.http.follow-redirects is same-host"
        );
        refused(&old, &options(), &message).await;
    }
    assert!(other.requests().is_empty(), "never asked");
}

#[tokio::test]
async fn any_follows_to_another_host_without_the_credentials() {
    let raw = RawPeer::start().await;
    let to = elsewhere(&raw, IRD_PATH);
    raw.set_fault(OLD, Fault::Redirect(to.clone()));
    let options = HttpOptions {
        bearer_token: Some("s3cret".to_owned()),
        ..follow(FollowRedirects::Any)
    };
    let (mut peer, _) = peer(&raw.url(OLD), &options);
    let (logs, _guard) = Logs::capture();
    assert!(matches!(peer.fetch().await.unwrap(), Fetched::Updated(_)));
    let line = format!("redirect from {} to {to} followed", raw.url(OLD));
    assert_eq!(logs.lines("INFO", &line), 1);

    let requests = raw.requests();
    let head = |path: &str| {
        requests
            .iter()
            .find(|r| r.starts_with(&format!("GET {path} ")))
            .unwrap()
            .to_ascii_lowercase()
    };
    assert!(head(OLD).contains("authorization: bearer s3cret"));
    let moved = head(IRD_PATH);
    assert!(moved.contains(&format!("host: localhost:{}", raw.addr.port())));
    assert!(!moved.contains("authorization"), "{moved}");
}

#[tokio::test]
async fn a_redirect_loop_ends() {
    let raw = RawPeer::start().await;
    raw.set_fault(OLD, Fault::Redirect(OLD.to_owned()));
    let old = raw.url(OLD);
    let message = format!("peer `isp-a`: GET {old}: too many redirects");
    refused(&old, &options(), &message).await;
}
