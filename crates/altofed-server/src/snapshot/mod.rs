//! A snapshot: everything the server answers from, built once and never
//! changed. GET bodies are serialized and compressed here, once; POST
//! services use the typed documents and the prefix lookup kept beside them.

mod body;
mod build;
mod compressors;
mod costbody;
mod costdoc;
mod encode;
mod etag;
mod ird;
mod namekeys;
mod pieces;
mod props;
mod rope;

pub use body::{Body, Built};
pub use build::{build_identity_first, build_shared, build_snapshot, SnapshotError};
pub(crate) use costbody::write_cost;
pub use costbody::CostBody;
pub use costdoc::CostDoc;
pub use encode::{Coding, Encoded};
pub use etag::changed_under_same_vtag;
pub use ird::{
    entity_domain, filter_uri, map_uri, Mappings, ServiceIds, ENDPOINT_COST_URI, ENDPOINT_PROP_URI,
    UPDATE_STREAM_URI,
};
pub use pieces::Piece;
pub use props::with_property_maps;
pub use rope::{Rope, RopeBody};

use std::collections::{BTreeMap, HashSet};
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use altofed_model::lookup::PidLookup;
use altofed_model::{CostMode, CostTableDoc, CostType, NetworkMapDoc, PropertyMapDoc, VersionTag};

/// The documents a snapshot is built from. Cost and property maps carry
/// their resource ids; the network map's id is its vtag's `resource-id`.
#[derive(Debug, Clone)]
pub struct Documents {
    /// An `Arc` so that the computation's copy is the snapshot's.
    pub network_map: Arc<NetworkMapDoc>,
    pub cost_maps: Vec<(String, CostTableDoc)>,
    pub property_maps: Vec<(String, PropertyMapDoc)>,
}

/// Property maps behind `Arc`s: a snapshot, the node book's base and the
/// next snapshot share one copy while the map does not change.
pub type SharedPropertyMaps = Vec<(String, Arc<PropertyMapDoc>)>;

/// [`Documents`] whose property maps are shared, and the ordinal maps to
/// rank from their numerical maps on first use.
#[derive(Debug, Clone)]
pub struct SharedDocuments {
    pub network_map: Arc<NetworkMapDoc>,
    pub cost_maps: Vec<(String, CostTableDoc)>,
    pub property_maps: SharedPropertyMaps,
    pub ordinal_maps: Vec<OrdinalOf>,
}

/// An ordinal cost map the server ranks from a numerical one of the same
/// documents, on first use ([`CostDoc::ranks_of`]), instead of being given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrdinalOf {
    /// The ordinal map's resource id.
    pub id: String,
    /// The resource id of the numerical map it ranks; it must have a vtag.
    pub numerical: String,
}

impl From<Documents> for SharedDocuments {
    fn from(docs: Documents) -> Self {
        Self {
            network_map: docs.network_map,
            cost_maps: docs.cost_maps,
            property_maps: (docs.property_maps.into_iter())
                .map(|(id, doc)| (id, Arc::new(doc)))
                .collect(),
            ordinal_maps: Vec::new(),
        }
    }
}

/// One GET-mode resource, ready to send.
#[derive(Debug, Clone)]
pub struct Resource {
    pub id: String,
    pub media_type: &'static str,
    /// The ETag's opaque part (without quotes or coding suffix): the vtag's
    /// tag where the resource has one, else a hash of the body (also when
    /// the document changed under the same vtag: `etag`).
    pub etag: String,
    /// Reads as an [`Encoded`]; the ordinal cost map's is built on first
    /// use ([`Body`]).
    pub body: Body,
}

/// A cost map as the POST services use it.
#[derive(Debug, Clone)]
pub struct CostMapEntry {
    pub id: String,
    /// The IRD cost type name, e.g. `num-routingcost`.
    pub cost_type_name: String,
    /// Reads as a `CostTableDoc`; an ordinal map of [`OrdinalOf`] is
    /// ranked on first read ([`CostDoc`]).
    pub doc: CostDoc,
    /// By the network map's PID number (`PidLookup::lookup_index`): the
    /// PID's name index in the table and the row it is the source of, so
    /// that a request looks costs up without comparing names.
    pub pid_index: PidIndex,
    /// The `meta` of an endpoint cost answer from this map
    /// (`{"cost-type":..}`), as JSON text: written once here rather than
    /// serialized on every request.
    pub ecs_meta: Box<[u8]>,
}

/// By the network map's PID number: the PID's name index in a cost
/// map's table and the row it is the source of ([`CostMapEntry`]).
pub type PidIndex = Vec<(Option<u32>, Option<u32>)>;

impl CostMapEntry {
    /// The cost between the network map's PIDs number `src` and `dst`.
    pub fn cost_by_index(&self, src: usize, dst: usize) -> Option<f64> {
        let row = self.pid_index.get(src)?.1?;
        let name = self.pid_index.get(dst)?.0?;
        self.doc.cost_map.cost_at(row as usize, name)
    }
}

/// Everything answered from one version of the data.
///
/// The big parts (network map, its lookup, the cost maps and their body
/// pieces) are behind `Arc`s so that a snapshot that differs only in its
/// property maps (a CDN node status change, [`with_property_maps`]) shares
/// them with the previous one instead of copying them; they read as plain
/// fields through `Deref`.
#[derive(Debug)]
pub struct Snapshot {
    /// Increases by one with every snapshot a server publishes.
    pub generation: u64,
    pub created: SystemTime,
    pub ids: ServiceIds,
    /// The IRD, served at `/directory`.
    pub directory: Resource,
    /// GET-mode resources by resource id.
    pub resources: BTreeMap<String, Resource>,
    /// Shared with the previous snapshot when the network map is the same.
    pub network_map: Arc<NetworkMapDoc>,
    /// Shared with the previous snapshot when the network map is the same.
    pub lookup: Arc<PidLookup>,
    pub cost_maps: Arc<[CostMapEntry]>,
    /// The pieces of each cost map's GET body by resource id, for the next
    /// snapshot to reuse.
    pub cost_bodies: Arc<BTreeMap<String, CostBody>>,
    /// Shared with the node book's base (and the next snapshot) while
    /// no node status is merged into them.
    pub property_maps: BTreeMap<String, Arc<PropertyMapDoc>>,
    /// Each property map's IRD `mappings` (RFC 9240 §7.4), by resource id:
    /// what a filtered request may ask for (RFC 9240 §8.3).
    pub property_mappings: BTreeMap<String, Mappings>,
    /// By network map PID number: whether its `.priv:kind` is `cdn`
    /// (`None`: no kind). Made on first use (`routes::direction`), by the
    /// requests that check the direction.
    pub pid_kinds: OnceLock<Vec<Option<bool>>>,
    /// The CDN nodes its property maps show down or drained. Made on
    /// first use (`routes::unusable`), by the endpoint cost service.
    pub unusable_nodes: OnceLock<HashSet<IpAddr>>,
    /// Held by the async reader that builds a lazy cost map or body
    /// ([`Snapshot::build_cost_maps`], [`Snapshot::build_bodies`]).
    pub(crate) building: tokio::sync::Mutex<()>,
}

impl Snapshot {
    pub fn network_map_vtag(&self) -> &VersionTag {
        &self.network_map.meta.vtag
    }

    /// The cost map serving `cost_type` (metric and mode; description ignored,
    /// RFC 7285 §11.3.2.3).
    pub fn cost_map_for(&self, cost_type: &CostType) -> Option<&CostMapEntry> {
        self.cost_maps.get(self.cost_map_index_for(cost_type)?)
    }

    /// [`Snapshot::cost_map_for`] as a position in `cost_maps`.
    pub fn cost_map_index_for(&self, cost_type: &CostType) -> Option<usize> {
        self.cost_map_index_of(&cost_type.cost_metric, cost_type.cost_mode)
    }

    /// [`Snapshot::cost_map_index_for`] of a metric and mode, for callers
    /// that have no `CostType` at hand.
    pub fn cost_map_index_of(&self, metric: &str, mode: CostMode) -> Option<usize> {
        self.cost_maps.iter().position(|c| {
            c.doc.meta.cost_type.cost_metric == metric && c.doc.meta.cost_type.cost_mode == mode
        })
    }

    /// Bytes held by all encoded bodies (lazy ones once built).
    pub fn encoded_bytes(&self) -> usize {
        self.directory.body.held_len()
            + self
                .resources
                .values()
                .map(|r| r.body.held_len())
                .sum::<usize>()
    }

    /// Adds the gzip and zstd codings of the bodies published in identity
    /// first ([`build_identity_first`]); blocks for as long as compressing
    /// their new pieces takes (rayon): keep it off async workers.
    pub fn compress_pending(&self) {
        self.resources
            .values()
            .for_each(|r| r.body.compress_pending());
    }

    /// Whether every body has all the codings it will have (a lazy body
    /// not built yet counts as compressed: its build compresses it).
    pub fn is_compressed(&self) -> bool {
        self.resources.values().all(|r| r.body.is_compressed())
    }

    /// The pieces of cost map `id`'s body (building a lazy body).
    pub fn cost_body(&self, id: &str) -> Option<&CostBody> {
        match self.cost_bodies.get(id) {
            Some(body) => Some(body),
            None => self.resources.get(id)?.body.pieces(),
        }
    }

    /// Ranks, on a blocking thread, the cost maps at `positions` (in
    /// `cost_maps`) that are ranked on first use and not yet: async code
    /// calls this before it reads their tables.
    pub async fn build_cost_maps(&self, positions: impl IntoIterator<Item = usize>) {
        // Those not built yet: none (and no allocation) on almost every
        // request.
        let unbuilt = |at: &usize| self.cost_maps.get(*at).is_some_and(|e| !e.doc.is_ready());
        let positions: Vec<usize> = positions.into_iter().filter(unbuilt).collect();
        if positions.is_empty() {
            return;
        }
        let pending = || -> Vec<CostDoc> {
            (positions.iter())
                .filter_map(|&at| self.cost_maps.get(at))
                .filter(|e| !e.doc.is_ready())
                .map(|e| e.doc.clone())
                .collect()
        };
        self.build_off_worker(pending, |doc| {
            let _ = doc.get();
        })
        .await;
    }

    /// Builds, on a blocking thread, the bodies of `ids` that are built on
    /// first use and not yet: async code calls this before it reads them.
    pub async fn build_bodies(&self, ids: impl IntoIterator<Item = &str>) {
        let ids: Vec<&str> = ids.into_iter().collect();
        let pending = || -> Vec<Body> {
            (ids.iter())
                .filter_map(|id| self.resources.get(*id))
                .filter(|r| !r.body.is_ready())
                .map(|r| r.body.clone())
                .collect()
        };
        self.build_off_worker(pending, |body| {
            let _ = body.built();
        })
        .await;
    }

    /// Runs `build` on what `pending` lists, on the blocking pool, one
    /// build at a time per snapshot: the requests that arrive while a map
    /// is ranked or encoded wait on `building`, not each on a thread of
    /// their own.
    async fn build_off_worker<T: Send + 'static>(
        &self,
        pending: impl Fn() -> Vec<T>,
        build: fn(&T),
    ) {
        if pending().is_empty() {
            return;
        }
        let _turn = self.building.lock().await;
        let lazy = pending();
        if lazy.is_empty() {
            return;
        }
        let built = tokio::task::spawn_blocking(move || lazy.iter().for_each(build));
        if let Err(e) = built.await {
            tracing::error!(error = %e, "building a cost map or body failed");
        }
    }
}
