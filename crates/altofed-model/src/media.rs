//! ALTO media types (RFC 7285 §8.3, RFC 8895 §5-§7, RFC 9240 §7-§8).

pub const DIRECTORY: &str = "application/alto-directory+json";
pub const NETWORK_MAP: &str = "application/alto-networkmap+json";
pub const NETWORK_MAP_FILTER: &str = "application/alto-networkmapfilter+json";
pub const COST_MAP: &str = "application/alto-costmap+json";
pub const COST_MAP_FILTER: &str = "application/alto-costmapfilter+json";
pub const ENDPOINT_PROP: &str = "application/alto-endpointprop+json";
pub const ENDPOINT_PROP_PARAMS: &str = "application/alto-endpointpropparams+json";
pub const ENDPOINT_COST: &str = "application/alto-endpointcost+json";
pub const ENDPOINT_COST_PARAMS: &str = "application/alto-endpointcostparams+json";
pub const ERROR: &str = "application/alto-error+json";
pub const EVENT_STREAM: &str = "text/event-stream";
pub const UPDATE_STREAM_PARAMS: &str = "application/alto-updatestreamparams+json";
pub const UPDATE_STREAM_CONTROL: &str = "application/alto-updatestreamcontrol+json";
pub const MERGE_PATCH: &str = "application/merge-patch+json";
pub const JSON_PATCH: &str = "application/json-patch+json";
pub const PROPERTY_MAP: &str = "application/alto-propmap+json";
pub const PROPERTY_MAP_PARAMS: &str = "application/alto-propmapparams+json";
