//! IRD rules (RFC 7285 §9.2.2).

use super::propmap::validate_property_name;
use super::ValidationError;
use crate::ird::DirectoryDoc;
use crate::media;
use crate::name::{validate_cost_metric, validate_resource_id};

/// Checks ResourceIDs (RFC 7285 §10.2), that `uses` names resources of this
/// IRD, that `default-alto-network-map` names a network map, the metric of
/// each `meta.cost-types` entry (§10.6), and that `cost-type-names` and
/// `testable-cost-type-names` (RFC 8189 §4.1.1) refer to `meta.cost-types`,
/// and the property names of each `mappings` capability (RFC 9240 §7.4,
/// §5.2.2).
///
/// `uses` across delegated IRDs (RFC 7285 §9.2.4) is not supported: an IRD
/// altofed publishes is self-contained.
pub fn validate_ird(doc: &DirectoryDoc) -> Result<(), ValidationError> {
    for (name, cost_type) in &doc.meta.cost_types {
        validate_cost_metric(&cost_type.cost_metric).map_err(|source| {
            ValidationError::CostMetric {
                context: format!("IRD meta.cost-types `{name}`"),
                source,
            }
        })?;
    }
    for (id, entry) in &doc.resources {
        validate_resource_id(id).map_err(|source| ValidationError::ResourceId { source })?;
        if let Some(used) = entry.uses.iter().find(|u| !doc.resources.contains_key(*u)) {
            return Err(ValidationError::UnknownUses {
                resource: id.clone(),
                used: used.clone(),
            });
        }
        let caps = entry.capabilities.as_ref();
        let names = caps
            .and_then(|c| c.cost_type_names.as_deref())
            .unwrap_or_default();
        let testable = caps.and_then(|c| c.testable_cost_type_names.as_deref());
        let mappings = caps.and_then(|c| c.mappings.as_ref());
        for name in mappings.into_iter().flat_map(|m| m.values().flatten()) {
            validate_property_name(name)?;
        }
        for name in names.iter().chain(testable.unwrap_or_default()) {
            if !doc.meta.cost_types.contains_key(name) {
                return Err(ValidationError::UnknownCostTypeName {
                    resource: id.clone(),
                    name: name.clone(),
                });
            }
        }
    }
    if let Some(id) = &doc.meta.default_alto_network_map {
        let problem = match doc.resources.get(id) {
            None => "is not a resource of this directory".to_owned(),
            Some(e) if e.media_type != media::NETWORK_MAP => {
                format!("has media type {}", e.media_type)
            }
            Some(_) => return Ok(()),
        };
        let id = id.clone();
        return Err(ValidationError::DefaultNetworkMap { id, problem });
    }
    Ok(())
}
