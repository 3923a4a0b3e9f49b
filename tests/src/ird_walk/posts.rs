//! POST-mode resources with a valid request built from the IRD and the
//! maps: filtered network, cost and property maps (RFC 7285 §11.3.1,
//! §11.3.2; RFC 9240 §8), the endpoint property and cost services (RFC
//! 7285 §11.4) and update streams (RFC 8895 §6).

use std::time::Duration;

use altofed_model::ird::IrdEntry;
use altofed_model::validate::{validate_cost_map, validate_network_map, validate_property_map};
use altofed_model::{
    media, CostMapDoc, EndpointCostDoc, EndpointPropDoc, NetworkMapDoc, PropertyMapDoc,
};
use futures_util::StreamExt;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::gets::parse;
use super::{assert_media, Walk};

/// The first address of a PID's first prefix, as a typed endpoint address.
fn address_in(net: &NetworkMapDoc, pid: &str) -> String {
    let group = &net.network_map[pid];
    match (group.ipv4.first(), group.ipv6.first()) {
        (Some(v4), _) => format!("ipv4:{}", v4.network()),
        (None, Some(v6)) => format!("ipv6:{}", v6.network()),
        (None, None) => panic!("PID {pid} has no prefix"),
    }
}

/// Two PIDs of `net` other than a catch-all (`0.0.0.0/0` or `::/0`).
fn two_pids(net: &NetworkMapDoc) -> (String, String) {
    let mut pids = net.network_map.iter().filter(|(_, g)| {
        g.ipv4.iter().all(|n| n.prefix_len() > 0) && g.ipv6.iter().all(|n| n.prefix_len() > 0)
    });
    let first = pids.next().expect("a PID with a real prefix").0.clone();
    let second = pids.next().map_or_else(|| first.clone(), |p| p.0.clone());
    (first, second)
}

impl Walk {
    /// POSTs `body` as `entry`'s `accepts` type; the answer's status and
    /// bytes (its media type checked when 200).
    pub(super) async fn post(
        &self,
        id: &str,
        entry: &IrdEntry,
        body: &str,
    ) -> (StatusCode, Vec<u8>) {
        let accepts = entry.accepts.as_deref().unwrap_or_default();
        let response = self
            .client
            .post(self.url(entry))
            .header(CONTENT_TYPE, accepts)
            .header(ACCEPT, format!("{},{}", entry.media_type, media::ERROR))
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        let status = response.status();
        if status == StatusCode::OK && entry.media_type != media::EVENT_STREAM {
            assert_media(&response, &entry.media_type, id);
        }
        (status, response.bytes().await.unwrap().to_vec())
    }

    /// One valid request, and its answer checked.
    pub(super) async fn post_resource(&mut self, id: &str, entry: &IrdEntry) {
        if entry.media_type == media::EVENT_STREAM {
            return self.update_stream(id, entry).await;
        }
        let net = self
            .used_network_map(id, entry)
            .await
            .unwrap_or_else(|| panic!("{id}: uses no network map"));
        let (a, b) = two_pids(&net);
        let caps = entry.capabilities.clone().unwrap_or_default();
        let cost_type = || {
            let name = &caps.cost_type_names.as_ref().expect("cost-type-names")[0];
            serde_json::to_value(&self.ird.meta.cost_types[name]).unwrap()
        };
        let accepts = entry.accepts.clone().unwrap_or_default();
        let body = match accepts.as_str() {
            media::NETWORK_MAP_FILTER => json!({"pids": [a, b]}),
            media::COST_MAP_FILTER => {
                // A source with a row: a server may refuse a direction it
                // does not publish.
                let name = &caps.cost_type_names.as_ref().expect("cost-type-names")[0];
                let src = self.first_source(name).await.unwrap_or_else(|| a.clone());
                json!({"cost-type": cost_type(), "pids": {"srcs": [src], "dsts": []}})
            }
            media::ENDPOINT_COST_PARAMS => json!({"cost-type": cost_type(),
                "endpoints": {"srcs": [address_in(&net, &a)], "dsts": [address_in(&net, &b)]}}),
            media::ENDPOINT_PROP_PARAMS => {
                let prop = caps.prop_types.as_ref().expect("prop-types")[0].clone();
                json!({"properties": [prop], "endpoints": [address_in(&net, &a), "ipv4:0.0.0.1"]})
            }
            media::PROPERTY_MAP_PARAMS => {
                let mappings = caps.mappings.expect("mappings");
                let (domain, props) = mappings.iter().next().expect("a mapping");
                let entity = format!("{domain}:{a}");
                json!({"entities": [entity], "properties": [props[0]]})
            }
            other => panic!("{id}: unexpected accepts {other}"),
        };
        let (status, answer) = self.post(id, entry, &body.to_string()).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{id}: {body}: {}",
            String::from_utf8_lossy(&answer)
        );
        let what = match entry.media_type.as_str() {
            media::NETWORK_MAP => {
                let doc: NetworkMapDoc = parse(id, &answer);
                validate_network_map(&doc).unwrap_or_else(|e| panic!("{id}: {e}"));
                assert!(
                    doc.network_map.keys().all(|p| *p == a || *p == b),
                    "{id}: only {a}, {b}"
                );
                "filtered network map"
            }
            media::COST_MAP => {
                let doc: CostMapDoc = parse(id, &answer);
                validate_cost_map(&doc, Some(&net)).unwrap_or_else(|e| panic!("{id}: {e}"));
                let src = &body["pids"]["srcs"][0];
                assert!(
                    doc.cost_map.keys().all(|s| s == src),
                    "{id}: only source {src}"
                );
                "filtered cost map"
            }
            media::PROPERTY_MAP => {
                let doc: PropertyMapDoc = parse(id, &answer);
                validate_property_map(&doc).unwrap_or_else(|e| panic!("{id}: {e}"));
                "filtered property map"
            }
            media::ENDPOINT_COST => {
                let doc: EndpointCostDoc = parse(id, &answer);
                assert_eq!(
                    serde_json::to_value(&doc.meta.cost_type).unwrap(),
                    body["cost-type"]
                );
                "endpoint costs"
            }
            media::ENDPOINT_PROP => {
                let doc: EndpointPropDoc = parse(id, &answer);
                for endpoint in body["endpoints"].as_array().unwrap() {
                    let endpoint = endpoint.as_str().unwrap();
                    assert!(
                        doc.endpoint_properties.contains_key(endpoint),
                        "{id}: every requested endpoint is answered (RFC 7285 §11.4.1.6): {endpoint}"
                    );
                }
                "endpoint properties"
            }
            other => panic!("{id}: unexpected media type {other}"),
        };
        self.checked.push(format!("{id}: POST {what}: 200, valid"));
    }

    /// The first source row of the GET cost map of cost type `name`.
    async fn first_source(&self, name: &str) -> Option<String> {
        let (id, entry) = self.ird.resources.iter().find(|(_, e)| {
            let names = e
                .capabilities
                .as_ref()
                .and_then(|c| c.cost_type_names.as_ref());
            e.media_type == media::COST_MAP
                && e.accepts.is_none()
                && names.is_some_and(|n| n.iter().any(|n| n == name))
        })?;
        let (_, body) = self.get_ok(id, entry).await;
        let doc: CostMapDoc = parse(id, &body);
        doc.cost_map.keys().next().cloned()
    }

    /// An update stream on the first network map: 200 `text/event-stream`
    /// whose first event is the control event with its URI (RFC 8895 §6.3).
    async fn update_stream(&mut self, id: &str, entry: &IrdEntry) {
        let net = self
            .network_map_of(entry)
            .unwrap_or_else(|| panic!("{id}: uses no network map"));
        let body = json!({"add": {"net": {"resource-id": net}}}).to_string();
        let response = self
            .client
            .post(self.url(entry))
            .header(CONTENT_TYPE, entry.accepts.as_deref().unwrap_or_default())
            .header(ACCEPT, media::EVENT_STREAM)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{id}: open");
        assert_media(&response, media::EVENT_STREAM, id);
        let mut stream = response.bytes_stream();
        let mut text = String::new();
        let first = tokio::time::timeout(Duration::from_secs(20), async {
            while !text.contains("\n\n") {
                let chunk = stream.next().await.expect("stream ended").unwrap();
                text.push_str(&String::from_utf8_lossy(&chunk));
            }
        })
        .await;
        assert!(first.is_ok(), "{id}: no event within 20 s");
        let event = text.split("\n\n").next().unwrap();
        assert!(
            event.contains(media::UPDATE_STREAM_CONTROL),
            "{id}: the first event is the control event: {event}"
        );
        let data: String = event
            .lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .map(str::trim_start)
            .collect();
        let control: Value = serde_json::from_str(&data).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!(control["control-uri"].is_string(), "{id}: {control}");
        self.checked
            .push(format!("{id}: update stream opened, control event first"));
    }
}
