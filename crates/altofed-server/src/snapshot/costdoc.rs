//! A served cost map's document: given, or the ordinal map ranked from a
//! numerical map on first use.
//!
//! Ranking is a sort over every pair of the map (RFC 7285 §6.1.2.2: ranks
//! relative to all entries), so a one-peer change re-ranks the whole map:
//! at 5.1M pairs that sort, the ordinal map's tag and its validation were
//! a third of a publish. Ranked on first use, a publish costs what the
//! numerical map's change costs; the ranks exist once a client asks for
//! them (a GET, a filtered cost map, an endpoint cost request in ordinal
//! mode, an update stream), and are shared by every later request on the
//! snapshot. Async code reaches them through
//! [`super::Snapshot::build_cost_maps`], which ranks on a blocking thread.

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use serde::{Serialize, Serializer};

use altofed_model::{content_tag, CostMapMeta, CostMode, CostTableDoc, CostType, VersionTag};

/// A cost map document; reads as a [`CostTableDoc`] (ranking it first if
/// it is an ordinal map not ranked yet), while `meta` is known at once.
/// Clones share the document (and a ranking).
#[derive(Clone)]
pub struct CostDoc {
    pub meta: CostMapMeta,
    inner: Arc<Inner>,
}

enum Inner {
    Given(CostTableDoc),
    RanksOf {
        numerical: CostDoc,
        cell: OnceLock<CostTableDoc>,
    },
}

impl CostDoc {
    /// A document as published.
    pub fn given(doc: CostTableDoc) -> Self {
        Self {
            meta: doc.meta.clone(),
            inner: Arc::new(Inner::Given(doc)),
        }
    }

    /// The ordinal map `id` of `numerical` (same metric), ranked on first
    /// read. Its vtag is derived from the numerical map's (equal numerical
    /// costs give equal ranks, so one tag never names two versions), which
    /// must therefore have one; `None` if it has none.
    pub fn ranks_of(numerical: &CostDoc, id: &str) -> Option<Self> {
        let tag = &numerical.meta.vtag.as_ref()?.tag;
        let meta = CostMapMeta {
            dependent_vtags: numerical.meta.dependent_vtags.clone(),
            cost_type: CostType {
                cost_mode: CostMode::Ordinal,
                ..numerical.meta.cost_type.clone()
            },
            vtag: Some(VersionTag::new(id, ordinal_tag(tag))),
        };
        Some(Self {
            meta,
            inner: Arc::new(Inner::RanksOf {
                numerical: numerical.clone(),
                cell: OnceLock::new(),
            }),
        })
    }

    /// Whether reading the document now costs nothing.
    pub fn is_ready(&self) -> bool {
        match &*self.inner {
            Inner::Given(_) => true,
            Inner::RanksOf { cell, .. } => cell.get().is_some(),
        }
    }

    /// Number of pairs, without ranking.
    pub fn pairs(&self) -> usize {
        match &*self.inner {
            Inner::Given(doc) => doc.cost_map.len(),
            Inner::RanksOf { numerical, .. } => numerical.pairs(),
        }
    }

    /// The document (ranked now if need be: this blocks).
    pub fn get(&self) -> &CostTableDoc {
        match &*self.inner {
            Inner::Given(doc) => doc,
            Inner::RanksOf { numerical, cell } => cell.get_or_init(|| CostTableDoc {
                meta: self.meta.clone(),
                cost_map: numerical.get().cost_map.dense_ranks(),
            }),
        }
    }
}

/// The ordinal map's tag for the numerical map's `tag`.
fn ordinal_tag(tag: &str) -> String {
    content_tag(format!("ordinal-of:{tag}").as_bytes())
}

impl Deref for CostDoc {
    type Target = CostTableDoc;

    fn deref(&self) -> &CostTableDoc {
        self.get()
    }
}

/// As the document (ranked first, if need be).
impl Serialize for CostDoc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.get().serialize(s)
    }
}

impl fmt::Debug for CostDoc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &*self.inner {
            Inner::Given(_) => "given",
            Inner::RanksOf { .. } => "ranks-of",
        };
        f.debug_struct("CostDoc")
            .field("kind", &kind)
            .field("meta", &self.meta)
            .field("ready", &self.is_ready())
            .finish()
    }
}
