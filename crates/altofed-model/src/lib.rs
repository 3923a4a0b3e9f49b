//! ALTO wire types and the rules that go with them.
//!
//! Everything here is pure data: serde types for the documents of RFC 7285
//! (IRD, network and cost maps, filters, endpoint services, errors), RFC 9240
//! property maps and RFC 8895 update stream parameters; the name and vtag
//! syntax; network map validation; and longest-prefix-match lookup.
//!
//! Parsing is liberal (unknown members are ignored, costs may arrive as JSON
//! strings, unknown address types are skipped); everything that altofed emits
//! goes through the validators in this crate first.

pub mod cost;
pub mod costmap;
pub mod media;
pub mod name;
pub mod netmap;
pub mod propmap;
pub mod vtag;

pub use cost::{Cost, CostMode, CostType};
pub use costmap::{CostMapDoc, CostMapMeta, CostRows};
pub use name::{validate_pid_name, validate_resource_id, NameError};
pub use netmap::{EndpointAddrGroup, NetworkMapDoc, NetworkMapMeta};
pub use propmap::{PropertyMapDoc, PropertyMapMeta, PropertyRows};
pub use vtag::{content_tag, VersionTag, VtagError};
