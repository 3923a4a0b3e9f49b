//! The last published property map, kept with what it was built from so
//! that a publish whose PIDs and peer states did not change (the usual
//! case: a peer's costs changed) takes it over instead of building and
//! validating 17,000 entities again.

use std::sync::Arc;

use altofed_model::validate::validate_property_map;
use altofed_model::{NetworkMapDoc, PropertyMapDoc};

use crate::output::{build_property_map, mark_never_fetched, OutputError, PublishedPid};

/// What the property map is built from, besides the merged PIDs: those
/// are the ones merged into `network_map` (one merge, one `Arc`).
#[derive(Debug, Clone)]
pub(super) struct PropertyInputs<'a> {
    pub network_map: &'a Arc<NetworkMapDoc>,
    pub pids: &'a [PublishedPid],
    pub peer_names: Vec<&'a str>,
    /// Per peer: since when its maps are stale.
    pub stale: Vec<Option<&'a str>>,
    /// Peers never fetched, marked on the catch-all PID.
    pub never_fetched: &'a [&'a str],
    pub catch_all: &'a str,
}

/// The inputs of the last map, owned.
#[derive(Debug, Clone)]
struct Key {
    /// Compared by pointer: held here, so no other merge can reuse it.
    network_map: Arc<NetworkMapDoc>,
    peer_names: Vec<String>,
    stale: Vec<Option<String>>,
    never_fetched: Vec<String>,
    catch_all: String,
}

impl Key {
    fn of(inputs: &PropertyInputs<'_>) -> Self {
        let owned = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect();
        Self {
            network_map: inputs.network_map.clone(),
            peer_names: owned(&inputs.peer_names),
            stale: (inputs.stale.iter())
                .map(|s| s.map(str::to_owned))
                .collect(),
            never_fetched: owned(inputs.never_fetched),
            catch_all: inputs.catch_all.to_owned(),
        }
    }

    fn matches(&self, inputs: &PropertyInputs<'_>) -> bool {
        Arc::ptr_eq(&self.network_map, inputs.network_map)
            && self.peer_names.iter().eq(&inputs.peer_names)
            && (self.stale.iter().map(Option::as_deref)).eq(inputs.stale.iter().copied())
            && self.never_fetched.iter().eq(inputs.never_fetched)
            && self.catch_all == inputs.catch_all
    }
}

/// The last property map and its inputs. `Default` is empty.
#[derive(Debug, Clone, Default)]
pub(super) struct PropertyCache {
    last: Option<(Key, Arc<PropertyMapDoc>)>,
}

impl PropertyCache {
    /// The property map of `inputs`: the last one when they are the same,
    /// else built, marked and validated (and kept for the next call).
    pub(super) fn get(
        &mut self,
        inputs: &PropertyInputs<'_>,
    ) -> Result<Arc<PropertyMapDoc>, OutputError> {
        if let Some((key, map)) = &self.last {
            if key.matches(inputs) {
                return Ok(map.clone());
            }
        }
        self.last = None;
        let vtag = &inputs.network_map.meta.vtag;
        let mut map = build_property_map(inputs.pids, &inputs.peer_names, &inputs.stale, vtag);
        mark_never_fetched(&mut map, vtag, inputs.catch_all, inputs.never_fetched);
        validate_property_map(&map).map_err(|e| OutputError::Invalid {
            document: "property map",
            reason: e.to_string(),
        })?;
        let map = Arc::new(map);
        self.last = Some((Key::of(inputs), map.clone()));
        Ok(map)
    }
}
