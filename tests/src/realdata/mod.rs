//! The `topologies/realdata` scenario: a CDN on the real GÉANT 2012
//! topology (Topology Zoo) peering with two real ISPs (Sprint AS1239 and
//! Tiscali AS3257), whose network maps hold the prefixes they originated in
//! the RouteViews table of 2014-05-13 and whose cost maps are shortest
//! paths over their Rocketfuel backbones.
//!
//! - [`generate`] writes the scenario from `../shared/data` (the
//!   `gen-realdata` binary runs it);
//! - [`oracle`] computes what `altofed compute` must publish for it, from
//!   the scenario's files alone and without altofed's composition code.

pub mod generate;
pub mod oracle;
