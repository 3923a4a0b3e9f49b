//! GET-mode resources: network, cost and property maps (RFC 7285 §11.2,
//! §11.2.3; RFC 9240 §7), their ETags (RFC 9110 §8.8.3, §13.1.2) and
//! content negotiation (RFC 7285 §8.3.5).

use altofed_model::ird::IrdEntry;
use altofed_model::validate::{validate_cost_map, validate_network_map, validate_property_map};
use altofed_model::{media, CostMapDoc, NetworkMapDoc, PropertyMapDoc, VersionTag};
use bytes::Bytes;
use reqwest::header::{ACCEPT, ETAG, IF_NONE_MATCH};
use reqwest::StatusCode;

use super::{assert_media, Walk};

impl Walk {
    /// GET with the resource's media type: 200, that media type, a strong
    /// ETag. Returns the ETag and the body.
    pub(super) async fn get_ok(&self, id: &str, entry: &IrdEntry) -> (String, Bytes) {
        let url = self.url(entry);
        let response = self
            .client
            .get(&url)
            .header(ACCEPT, &entry.media_type)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{id}: GET {url}");
        assert_media(&response, &entry.media_type, id);
        let etag = response
            .headers()
            .get(ETAG)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{id}: no ETag"))
            .to_owned();
        assert!(
            etag.len() >= 3 && etag.starts_with('"') && etag.ends_with('"'),
            "{id}: ETag {etag} is not a strong entity tag"
        );
        (etag, response.bytes().await.unwrap())
    }

    /// One GET resource: its document valid and tied to its network map by
    /// vtags; a conditional GET with its ETag is 304 without a body; an
    /// `Accept` that excludes its media type is 406 (RFC 7285 §8.3.5.1).
    pub(super) async fn get_resource(&mut self, id: &str, entry: &IrdEntry) {
        let (etag, body) = self.get_ok(id, entry).await;
        let what = match entry.media_type.as_str() {
            media::NETWORK_MAP => {
                let doc: NetworkMapDoc = parse(id, &body);
                validate_network_map(&doc).unwrap_or_else(|e| panic!("{id}: {e}"));
                assert_eq!(doc.meta.vtag.resource_id, id, "{id}: vtag resource-id");
                format!("network map, {} PIDs", doc.network_map.len())
            }
            media::COST_MAP => {
                let doc: CostMapDoc = parse(id, &body);
                let net = self.used_network_map(id, entry).await;
                validate_cost_map(&doc, net.as_ref()).unwrap_or_else(|e| panic!("{id}: {e}"));
                if let Some(vtag) = &doc.meta.vtag {
                    assert_eq!(vtag.resource_id, id, "{id}: vtag resource-id");
                }
                assert_dependent(id, &doc.meta.dependent_vtags, net.as_ref());
                let names = entry
                    .capabilities
                    .as_ref()
                    .and_then(|c| c.cost_type_names.clone());
                let named = names.unwrap_or_default();
                assert_eq!(named.len(), 1, "{id}: a cost map has one cost type");
                let declared = &self.ird.meta.cost_types[&named[0]];
                assert_eq!(
                    (&declared.cost_metric, declared.cost_mode),
                    (
                        &doc.meta.cost_type.cost_metric,
                        doc.meta.cost_type.cost_mode
                    ),
                    "{id}: the cost type is the IRD's {}",
                    named[0]
                );
                format!("cost map, {} rows", doc.cost_map.len())
            }
            media::PROPERTY_MAP => {
                let doc: PropertyMapDoc = parse(id, &body);
                validate_property_map(&doc).unwrap_or_else(|e| panic!("{id}: {e}"));
                let net = self.used_network_map(id, entry).await;
                assert_dependent(id, &doc.meta.dependent_vtags, net.as_ref());
                format!("property map, {} entities", doc.property_map.len())
            }
            other => panic!("{id}: GET resource of unexpected media type {other}"),
        };
        self.not_modified(id, entry, &etag).await;
        self.not_acceptable(id, entry).await;
        self.checked.push(format!(
            "{id}: {what}; 304 on its ETag; 406 on another Accept"
        ));
    }

    async fn not_modified(&self, id: &str, entry: &IrdEntry, etag: &str) {
        let response = self
            .client
            .get(self.url(entry))
            .header(ACCEPT, &entry.media_type)
            .header(IF_NONE_MATCH, etag)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::NOT_MODIFIED,
            "{id}: If-None-Match {etag}"
        );
        assert_eq!(
            response.headers().get(ETAG).and_then(|v| v.to_str().ok()),
            Some(etag),
            "{id}: a 304 carries the ETag"
        );
        assert!(
            response.bytes().await.unwrap().is_empty(),
            "{id}: 304 with a body"
        );
    }

    async fn not_acceptable(&self, id: &str, entry: &IrdEntry) {
        let response = self
            .client
            .get(self.url(entry))
            .header(ACCEPT, media::ENDPOINT_COST)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::NOT_ACCEPTABLE,
            "{id}: Accept mismatch"
        );
    }
}

/// A map that depends on a network map names its current vtag first
/// (RFC 7285 §11.2.3.6, RFC 9240 §7.6).
fn assert_dependent(id: &str, dependent: &[VersionTag], net: Option<&NetworkMapDoc>) {
    if let Some(net) = net {
        assert_eq!(
            dependent.first(),
            Some(&net.meta.vtag),
            "{id}: dependent-vtags names its network map's vtag"
        );
    }
}

pub(super) fn parse<T: serde::de::DeserializeOwned>(id: &str, body: &[u8]) -> T {
    serde_json::from_slice(body).unwrap_or_else(|e| panic!("{id}: {e}"))
}
