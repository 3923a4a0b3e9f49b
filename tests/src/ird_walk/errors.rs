//! The error classes every POST resource must answer as RFC 7285 §8.5
//! says: status 400 and `application/alto-error+json` with `meta.code`
//! (and `meta.field` where a field is at fault), 415 for a request of the
//! wrong media type (RFC 7285 §8.3.4), 404 for an unknown resource.

use altofed_model::ird::IrdEntry;
use altofed_model::media;
use reqwest::header::CONTENT_TYPE;
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::Walk;

/// A request that is wrong in one way, and the error it must get.
struct Wrong {
    what: &'static str,
    body: String,
    code: &'static str,
    /// The `meta.field` the error must name, if one.
    field: Option<&'static str>,
}

fn wrong(
    what: &'static str,
    body: &Value,
    code: &'static str,
    field: Option<&'static str>,
) -> Wrong {
    Wrong {
        what,
        body: body.to_string(),
        code,
        field,
    }
}

/// The wrong requests for a service taking `accepts`; `property` is a
/// property the service offers (so that only the wrong part is wrong).
fn wrongs(accepts: &str, property: &str) -> Vec<Wrong> {
    let all = json!({"srcs": [], "dsts": []});
    let routing = json!({"cost-mode": "numerical", "cost-metric": "routingcost"});
    let hops = json!({"cost-mode": "numerical", "cost-metric": "hopcount"});
    let mut list = vec![
        Wrong {
            what: "malformed JSON",
            body: "{".to_owned(),
            code: "E_SYNTAX",
            field: None,
        },
        wrong(
            "an array for the request object",
            &json!([]),
            "E_INVALID_FIELD_TYPE",
            None,
        ),
    ];
    list.extend(match accepts {
        media::NETWORK_MAP_FILTER => vec![
            wrong("no pids", &json!({}), "E_MISSING_FIELD", Some("pids")),
            wrong(
                "pids a number",
                &json!({"pids": 1}),
                "E_INVALID_FIELD_TYPE",
                Some("pids"),
            ),
        ],
        media::COST_MAP_FILTER => vec![
            wrong(
                "no cost-type",
                &json!({"pids": all}),
                "E_MISSING_FIELD",
                Some("cost-type"),
            ),
            wrong(
                "an unoffered cost metric",
                &json!({"cost-type": hops, "pids": all}),
                "E_INVALID_FIELD_VALUE",
                Some("cost-type/cost-metric"),
            ),
            wrong(
                "cost-mode a number",
                &json!({"cost-type": {"cost-mode": 1, "cost-metric": "routingcost"}, "pids": all}),
                "E_INVALID_FIELD_TYPE",
                Some("cost-type/cost-mode"),
            ),
        ],
        media::ENDPOINT_COST_PARAMS => {
            let endpoints = json!({"srcs": ["ipv4:192.0.2.1"], "dsts": ["ipv4:192.0.2.2"]});
            vec![
                wrong(
                    "no endpoints",
                    &json!({"cost-type": routing}),
                    "E_MISSING_FIELD",
                    Some("endpoints"),
                ),
                wrong(
                    "an unoffered cost metric",
                    &json!({"cost-type": hops, "endpoints": endpoints}),
                    "E_INVALID_FIELD_VALUE",
                    Some("cost-type/cost-metric"),
                ),
            ]
        }
        media::ENDPOINT_PROP_PARAMS => vec![
            wrong(
                "no endpoints",
                &json!({"properties": [property]}),
                "E_MISSING_FIELD",
                Some("endpoints"),
            ),
            wrong(
                "no endpoint",
                &json!({"properties": [property], "endpoints": []}),
                "E_INVALID_FIELD_VALUE",
                Some("endpoints"),
            ),
        ],
        media::PROPERTY_MAP_PARAMS => vec![
            wrong(
                "no entities",
                &json!({"properties": [property]}),
                "E_MISSING_FIELD",
                Some("entities"),
            ),
            wrong(
                "an entity in an undeclared domain",
                &json!({"entities": ["nosuchdomain:x"], "properties": [property]}),
                "E_INVALID_FIELD_VALUE",
                Some("entities"),
            ),
        ],
        media::UPDATE_STREAM_PARAMS => vec![wrong(
            "an unknown resource",
            &json!({"add": {"s": {"resource-id": "no-such-resource"}}}),
            "E_INVALID_FIELD_VALUE",
            Some("add/s/resource-id"),
        )],
        _ => Vec::new(),
    });
    list
}

impl Walk {
    /// Every wrong request for `entry`, then one of the wrong media type.
    pub(super) async fn post_errors(&mut self, id: &str, entry: &IrdEntry) {
        let accepts = entry.accepts.clone().unwrap_or_default();
        let caps = entry.capabilities.clone().unwrap_or_default();
        let from_mappings = caps.mappings.and_then(|m| m.into_values().flatten().next());
        let property = caps.prop_types.and_then(|p| p.into_iter().next());
        let property = from_mappings.or(property).unwrap_or_default();
        let list = wrongs(&accepts, &property);
        for w in &list {
            let response = self
                .client
                .post(self.url(entry))
                .header(CONTENT_TYPE, &accepts)
                .body(w.body.clone())
                .send()
                .await
                .unwrap();
            let what = format!("{id}: {} ({})", w.what, w.body);
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{what}");
            super::assert_media(&response, media::ERROR, &what);
            let error: Value = response.json().await.unwrap();
            assert_eq!(error["meta"]["code"], w.code, "{what}: {error}");
            match w.field {
                Some(field) => assert_eq!(error["meta"]["field"], field, "{what}: {error}"),
                None => assert!(
                    error["meta"]
                        .get("field")
                        .is_none_or(|f| f.as_str().is_some_and(|f| !f.is_empty())),
                    "{what}: an empty field: {error}"
                ),
            }
        }
        let response = self
            .client
            .post(self.url(entry))
            .header(CONTENT_TYPE, "text/plain")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{id}: text/plain"
        );
        self.checked.push(format!(
            "{id}: {} error classes answered as RFC 7285 §8.5 says; 415 on text/plain",
            list.len()
        ));
    }

    pub(super) async fn unknown_resource(&mut self) {
        let url = format!("{}/no-such-resource", self.base);
        let response = self.client.get(&url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "GET {url}");
        self.checked.push("an unknown URI: 404".to_owned());
    }
}
