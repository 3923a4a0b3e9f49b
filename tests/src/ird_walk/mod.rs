//! A conformance walk over a running ALTO server, from its IRD: every
//! resource the directory lists is fetched or queried as an RFC 7285 client
//! would, and every answer is checked against the RFCs' rules (media types,
//! strong ETags and conditional GETs, vtags and dependent vtags, the
//! documents' own validators, RFC 7285 §8.5 error bodies for each error
//! class). Run against `altofed demo`, `publish` and `serve` by
//! `crates/altofed/tests/conformance.rs`; it knows nothing of altofed's
//! resource names, only what the IRD says.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod errors;
mod gets;
mod posts;

use altofed_model::ird::IrdEntry;
use altofed_model::validate::validate_ird;
use altofed_model::{media, DirectoryDoc, NetworkMapDoc};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{Client, StatusCode};

/// What the walk checked, one line per resource (for the test's output).
pub type Checked = Vec<String>;

/// The server under test and what the walk learnt of it so far.
pub struct Walk {
    client: Client,
    /// `http://host:port`, without a trailing slash.
    base: String,
    ird: DirectoryDoc,
    checked: Checked,
}

impl std::fmt::Debug for Walk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Walk").field("base", &self.base).finish()
    }
}

/// Walks the IRD at `{base}/directory`; panics naming the resource and the
/// rule at the first answer that breaks one.
pub async fn walk(base: &str) -> Checked {
    let client = Client::new();
    let url = format!("{base}/directory");
    let response = client
        .get(&url)
        .header(ACCEPT, media::DIRECTORY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "GET {url}");
    assert_media(&response, media::DIRECTORY, &url);
    let ird: DirectoryDoc = serde_json::from_slice(&response.bytes().await.unwrap())
        .unwrap_or_else(|e| panic!("{url}: not an IRD: {e}"));
    validate_ird(&ird).unwrap_or_else(|e| panic!("{url}: {e}"));
    let mut walk = Walk {
        client,
        base: base.trim_end_matches('/').to_owned(),
        ird,
        checked: vec!["directory: valid IRD".to_owned()],
    };
    let entries: Vec<(String, IrdEntry)> = walk.ird.resources.clone().into_iter().collect();
    for (id, entry) in &entries {
        if entry.accepts.is_none() {
            walk.get_resource(id, entry).await;
        }
    }
    for (id, entry) in &entries {
        if entry.accepts.is_some() {
            walk.post_resource(id, entry).await;
            walk.post_errors(id, entry).await;
        }
    }
    walk.unknown_resource().await;
    walk.checked
}

impl Walk {
    fn url(&self, entry: &IrdEntry) -> String {
        if entry.uri.starts_with("http") {
            entry.uri.clone()
        } else {
            format!("{}{}", self.base, entry.uri)
        }
    }

    fn entry(&self, id: &str) -> &IrdEntry {
        self.ird
            .resources
            .get(id)
            .unwrap_or_else(|| panic!("`{id}` is used but not in the IRD"))
    }

    /// The network map resource `entry` depends on: the one it uses (RFC
    /// 7285 §9.2.2 `uses`), or the one a resource it uses uses (a service
    /// on cost maps), or the IRD's default network map.
    fn network_map_of(&self, entry: &IrdEntry) -> Option<String> {
        let is_net = |u: &String| self.entry(u).media_type == media::NETWORK_MAP;
        let direct = entry.uses.iter().find(|u| is_net(u));
        let nested = || {
            let mut used = entry.uses.iter().flat_map(|u| &self.entry(u).uses);
            used.find(|u| is_net(u))
        };
        let default = self.ird.meta.default_alto_network_map.as_ref();
        direct.or_else(nested).or(default).cloned()
    }

    /// The document of [`Walk::network_map_of`].
    async fn used_network_map(&mut self, id: &str, entry: &IrdEntry) -> Option<NetworkMapDoc> {
        let net_id = self.network_map_of(entry)?;
        let net_entry = self.entry(&net_id).clone();
        let (_, body) = self.get_ok(&net_id, &net_entry).await;
        let doc = serde_json::from_slice(&body)
            .unwrap_or_else(|e| panic!("{id}: its network map {net_id}: {e}"));
        Some(doc)
    }
}

/// The response's `Content-Type` is `media` (parameters ignored).
fn assert_media(response: &reqwest::Response, media: &str, what: &str) {
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    assert_eq!(essence, media, "{what}: Content-Type");
}
