//! Every choice the scenario makes, in one place. Nothing is random: the
//! generated files follow from these constants and the data files alone.

use super::BorderBy;

/// The GÉANT 2012 graph of the Topology Zoo; router names are its node ids.
pub const ZOO_FILE: &str = "Geant2012.graphml";
pub const ZOO_LICENSE: &str = "LICENSE.bgpsim-Apache-2.0";
pub const PYASN_LICENSE: &str = "LICENSE.pyasn-MIT";
/// The RouteViews-derived pyasn table the ISP prefixes come from.
pub const IPASN_FILE: &str = "ipasn_20140513.dat.gz";

/// At most this many prefixes per ISP (the lowest addresses first). Both
/// ISPs originate fewer, so today the cap changes nothing.
pub const MAX_PREFIXES: usize = 2000;

/// A CDN PID: name, attachment routers (GÉANT node ids) and the index of
/// its documentation prefixes (`203.0.113.<16 i>/28`, `2001:db8:<i+1>::/48`).
#[derive(Debug)]
pub struct CdnPidParams {
    pub name: &'static str,
    pub nodes: &'static [&'static str],
}

/// Eleven CDN PIDs over GÉANT PoPs. `cdn-fra-ams` sits on two border
/// routers at once, so C_cdn is 0 to both and single-path exits between
/// equal-cost links are decided by the link name.
pub const CDN_PIDS: &[CdnPidParams] = &[
    CdnPidParams {
        name: "cdn-lon",
        nodes: &["34"],
    },
    CdnPidParams {
        name: "cdn-par",
        nodes: &["7"],
    },
    CdnPidParams {
        name: "cdn-iberia",
        nodes: &["25", "24"],
    },
    CdnPidParams {
        name: "cdn-fra-ams",
        nodes: &["4", "0"],
    },
    CdnPidParams {
        name: "cdn-mil",
        nodes: &["9"],
    },
    CdnPidParams {
        name: "cdn-vie-bud",
        nodes: &["29", "22"],
    },
    CdnPidParams {
        name: "cdn-waw",
        nodes: &["3"],
    },
    CdnPidParams {
        name: "cdn-sto",
        nodes: &["36"],
    },
    CdnPidParams {
        name: "cdn-ath",
        nodes: &["15"],
    },
    CdnPidParams {
        name: "cdn-prg",
        nodes: &["5"],
    },
    CdnPidParams {
        name: "cdn-dub",
        nodes: &["33"],
    },
];

/// CDN border routers: (GÉANT node id, CDN border PID name).
pub const CDN_BORDERS: &[(&str, &str)] = &[
    ("34", "border-lon"),
    ("4", "border-fra"),
    ("0", "border-ams"),
    ("9", "border-mil"),
];

/// One peering link: CDN border router -> ISP PoP (a Rocketfuel location).
#[derive(Debug)]
pub struct LinkParams {
    pub name: &'static str,
    pub router: &'static str,
    pub location: &'static str,
    /// c(l), in the CDN's scale (km).
    pub cost: f64,
    pub preference: i64,
    /// What the ISP's property map names in `.priv:border-for`: a CDN border
    /// PID or router name (both are allowed, design §1).
    pub border_for: &'static str,
}

/// One ISP.
#[derive(Debug)]
pub struct IspParams {
    pub asn: u32,
    /// The peer name in altofed.toml and the namespace of its PIDs.
    pub peer: &'static str,
    pub label: &'static str,
    pub priority: i64,
    /// Rocketfuel weight units -> CDN km-equivalents.
    pub scale: f64,
    pub offset: f64,
    /// `altofed.toml` (multipath) and `altofed-single.toml`.
    pub border_by: (BorderBy, BorderBy),
    /// Publish a row for every PID (else for border PIDs only).
    pub full_matrix: bool,
    /// Omit entries whose cost exceeds this (RFC 7285 lets a map omit pairs).
    pub horizon: Option<f64>,
    /// Publish a property map (`.priv:location` per PID, `.priv:border-for`).
    pub property_map: bool,
    pub links: &'static [LinkParams],
}

/// Sprint: listed first but lower priority; borders by address; full cost map.
pub const SPRINT: IspParams = IspParams {
    asn: 1239,
    peer: "as1239",
    label: "Sprint",
    priority: 10,
    scale: 20.0,
    offset: 0.0,
    border_by: (BorderBy::Address, BorderBy::Address),
    full_matrix: true,
    horizon: None,
    property_map: false,
    links: &[
        LinkParams {
            name: "lon",
            router: "34",
            location: "London",
            cost: 10.0,
            preference: 0,
            border_for: "",
        },
        LinkParams {
            name: "fra",
            router: "4",
            location: "Frankfurt",
            cost: 5.0,
            preference: 0,
            border_for: "",
        },
        LinkParams {
            name: "ams",
            router: "0",
            location: "Amsterdam",
            cost: 5.0,
            preference: 0,
            border_for: "",
        },
    ],
};

/// Tiscali: higher priority; borders by attribute (multipath) and by both
/// (single path); border rows only, within a horizon; two preferred links.
pub const TISCALI: IspParams = IspParams {
    asn: 3257,
    peer: "as3257",
    label: "Tiscali",
    priority: 20,
    scale: 40.0,
    offset: 25.0,
    border_by: (BorderBy::Attribute, BorderBy::Both),
    full_matrix: false,
    horizon: Some(12.0),
    property_map: true,
    links: &[
        LinkParams {
            name: "fra",
            router: "4",
            location: "Frankfurt",
            cost: 5.0,
            preference: 100,
            border_for: "border-fra",
        },
        LinkParams {
            name: "mil",
            router: "9",
            location: "Milan,+Italy",
            cost: 20.0,
            preference: 100,
            border_for: "border-mil",
        },
        LinkParams {
            name: "ams",
            router: "0",
            location: "Amsterdam",
            cost: 5.0,
            preference: 0,
            border_for: "border-ams",
        },
        LinkParams {
            name: "lon",
            router: "34",
            location: "London",
            cost: 15.0,
            preference: 0,
            border_for: "34",
        },
    ],
};

/// The ISPs in configuration order.
pub const ISPS: [&IspParams; 2] = [&SPRINT, &TISCALI];

/// A deliberate identical prefix: the highest Sprint prefix is also listed
/// by Tiscali (as if a customer multihomed to both had leaked it), so the
/// merge must give it to Tiscali, the higher priority.
pub const DUPLICATE_FROM: usize = 0;
pub const DUPLICATE_TO: usize = 1;

/// `output.default-cost` of the single-path configuration.
pub const SINGLE_DEFAULT_COST: f64 = 5000.0;
