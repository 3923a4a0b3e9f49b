//! README.md and ATTRIBUTION.md of the generated scenario.

use std::fmt::Write;

use super::params::{IspParams, CDN_BORDERS, CDN_PIDS, ISPS, MAX_PREFIXES, SINGLE_DEFAULT_COST};
use super::Summary;

pub const ATTRIBUTION: &str = "\
# Attribution

The files of this scenario are derived from public data kept in the
project's `shared/data` (see its README for checksums and provenance).

- `Geant2012.graphml` is copied byte-for-byte from the Internet Topology Zoo
  file shipped in the crates.io crate `bgpsim` 0.20.4
  (https://github.com/nsg-ethz/bgpsim), licensed Apache-2.0; the licence is
  in `LICENSE.bgpsim-Apache-2.0`. The Topology Zoo publishes no explicit
  licence and asks users to cite: S. Knight, H. X. Nguyen, N. Falkner,
  R. Bowden, M. Roughan, \"The Internet Topology Zoo\", IEEE JSAC 29(9), 2011,
  doi:10.1109/JSAC.2011.111002.
- The prefixes in `as*/networkmap.json` are those originated by AS1239 and
  AS3257 in `ipasn_20140513.dat.gz` of pyasn (https://github.com/hadiasghari/pyasn,
  MIT, Hadi Asghari; licence in `LICENSE.pyasn-MIT`), built from a RouteViews
  RIB dump of 2014-05-13. Acknowledgement: University of Oregon Route Views
  Project.
- The costs in `as*/costmap.json` and the PoP locations in the PID names and
  `as3257/propmap.json` are computed from the Rocketfuel `weights.intra`
  files of AS1239 and AS3257 (UW Rocketfuel \"weights-dist\" release, via the
  NWSL-UCF/metapeering repository). No Rocketfuel file is copied here. The
  data has no explicit licence; cite R. Mahajan, N. Spring, D. Wetherall,
  T. Anderson, \"Inferring Link Weights using End-to-End Measurements\",
  IMW 2002, and N. Spring et al., \"Measuring ISP Topologies with
  Rocketfuel\", SIGCOMM 2002.
- The CDN PIDs, border routers, peering links, ISP border router addresses,
  priorities, scales and the one duplicated prefix are choices of this
  project (tests/src/realdata/generate/params.rs), not real data.
";

pub fn readme(summary: &Summary) -> String {
    let mut out = HEAD
        .replace("MAX_PREFIXES", &MAX_PREFIXES.to_string())
        .replace("DEFAULT_COST", &SINGLE_DEFAULT_COST.to_string());
    out.push_str("\n## The ISPs\n\n");
    out.push_str("| peer | AS | prefixes (originated) | PoP locations (routers) | border-by multipath / single | priority | scale, offset | cost entries | catch-all at |\n");
    out.push_str("|---|---|---|---|---|---|---|---|---|\n");
    for (isp, s) in ISPS.iter().zip(&summary.isps) {
        let _ = writeln!(
            out,
            "| `{}` | {} {} | {} ({}) | {} ({}) | {} / {} | {} | {} x + {} | {} | {} |",
            isp.peer,
            isp.asn,
            isp.label,
            s.prefixes,
            s.originated,
            s.locations,
            s.routers,
            isp.border_by.0.as_str(),
            isp.border_by.1.as_str(),
            isp.priority,
            isp.scale,
            isp.offset,
            s.cost_entries,
            s.hub.replace('+', " "),
        );
    }
    out.push('\n');
    for (isp, s) in ISPS.iter().zip(&summary.isps) {
        links(&mut out, isp, &s.border_addresses);
    }
    let _ = write!(
        out,
        "The duplicate: `{}` is originated by AS{} and also listed by AS{} (appended after its own\n\
         prefixes), so the merge must keep it in AS{}'s PID (higher priority, though listed second).\n",
        summary.duplicate, ISPS[0].asn, ISPS[1].asn, ISPS[1].asn
    );
    let cdn: Vec<String> = CDN_PIDS
        .iter()
        .map(|p| format!("`{}` ({})", p.name, p.nodes.join("+")))
        .collect();
    let borders: Vec<String> = CDN_BORDERS
        .iter()
        .map(|(r, p)| format!("`{p}` (router {r})"))
        .collect();
    let _ = write!(
        out,
        "\n## The CDN\n\n{} CDN PIDs on GÉANT nodes: {}.\nBorder routers: {}.\n",
        CDN_PIDS.len(),
        cdn.join(", "),
        borders.join(", ")
    );
    out.push_str(TAIL);
    out
}

fn links(out: &mut String, isp: &IspParams, addresses: &[std::net::Ipv4Addr]) {
    let _ = writeln!(out, "Links of `{}`:\n", isp.peer);
    for (l, a) in isp.links.iter().zip(addresses) {
        let pref = if l.preference == 0 {
            String::new()
        } else {
            format!(", preference {}", l.preference)
        };
        let named = if isp.property_map {
            format!(", `.priv:border-for` = `{}`", l.border_for)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "- `{}`: CDN router {} -> {} (ISP router {a}, PID `border-{}`), c(l) = {}{pref}{named}",
            l.name,
            l.router,
            l.location.replace('+', " "),
            super::pid_name(l.location),
            l.cost
        );
    }
    out.push('\n');
}

const HEAD: &str = "\
# realdata: a CDN on GÉANT peering with Sprint and Tiscali

A scenario built from real network data (GENERATED; do not edit by hand):

- the CDN network is the GÉANT 2012 graph of the Internet Topology Zoo, link
  costs are great-circle km (`[import]` with `weight = \"distance\"`);
- the two ISPs are Sprint (AS1239) and Tiscali (AS3257). Each network map
  holds the real IPv4 prefixes the AS originated in the RouteViews table of
  2014-05-13 (pyasn), grouped into one PID per PoP location of the AS's
  Rocketfuel backbone; each cost map is the shortest-path Rocketfuel IGP
  weight between the PIDs' locations.

`crates/altofed/tests/realdata.rs` runs `altofed compute` on both configs
and checks every published cost and prefix against an independent oracle
(`tests/src/realdata/oracle/`).

## Files

| file | what | from |
|---|---|---|
| `cdn.toml` | CDN topology: imports the GraphML, CDN PIDs, border routers | choices + Zoo labels |
| `Geant2012.graphml` | GÉANT 2012, byte-for-byte | Topology Zoo via bgpsim 0.20.4 (Apache-2.0, `LICENSE.bgpsim-Apache-2.0`) |
| `altofed.toml` | multipath config (draft scenario 2) | choices |
| `altofed-single.toml` | single-path config (hot potato, preferences, default cost) | choices |
| `as1239/networkmap.json`, `as3257/networkmap.json` | ISP network maps | pyasn `ipasn_20140513.dat.gz` (MIT, `LICENSE.pyasn-MIT`; RouteViews) + Rocketfuel locations |
| `as1239/costmap.json`, `as3257/costmap.json` | ISP routingcost maps (Rocketfuel weight units) | Rocketfuel `<AS>.weights.intra` |
| `as3257/propmap.json` | `.priv:location` per PID, `.priv:border-for` on border PIDs | Rocketfuel locations + choices |
| `ATTRIBUTION.md` | sources, licences, citations | |

## How the ISP maps are made

- Locations are the Rocketfuel router tokens without their trailing router
  id (`New+York,+NY1234` -> `New+York,+NY`), as in the data: Tiscali has
  both `Frankfurt` and `Frankfurt,+Germany`, and they stay two PoPs. PID name:
  lower case, `,` dropped, anything else not alphanumeric -> `-`
  (`new-york-ny`).
- Prefixes: the AS's originated prefixes sorted by address (at most
  MAX_PREFIXES), assigned round robin over the sorted locations: prefix `i`
  goes to location `i mod L`.
- Border PIDs `border-<location>`: one per peering location, holding the /32
  of the ISP's border router; the addresses are `base+1`, `base+2`, ... in link
  order, `base` being the lowest of the AS's own prefixes of /28 or wider.
- `catch-all` holds `0.0.0.0/0` and `::/0` (RFC 7285 §11.2.2) and is placed
  at the AS's hub (the location with most routers) for its costs.
- Cost between two PIDs: the shortest-path weight between their locations
  over the AS's `weights.intra` graph (minimum over the routers of each
  location; 0 within a location). Sprint publishes every pair; Tiscali only
  rows for its border PIDs, and omits entries above its horizon of 12, so
  some pairs have no cost over some or all links (they drop out, or get the
  single-path config's `default-cost` of DEFAULT_COST).
";

const TAIL: &str = "
The ISPs' `catch-all` PIDs are not republished: their `0.0.0.0/0` and `::/0`
go to the aggregator's own `default` PID, whose costs come from the
`catch-all` PID of `catch-all-costs-from` (AS1239 in `altofed.toml`,
AS3257 in `altofed-single.toml`).

`cdn-fra-ams` sits on two border routers (C_cdn = 0 to both), so in single-path
mode its exit between Sprint's equal-cost `ams` and `fra` links is decided by
the link name; Tiscali's `fra` and `mil` links have preference 100, so its
single-path exit is the nearer of those two.

## Commands

Compute (multipath, and single path):

    cargo run -- compute --config topologies/realdata/altofed.toml --out /tmp/realdata
    cargo run -- compute --config topologies/realdata/altofed-single.toml --out /tmp/realdata-single

Test: `cargo test -p altofed --test realdata`. It needs only the files in
this directory; when `../shared/data` exists it also regenerates the scenario
into a temporary directory and checks the committed files are up to date.

Regenerate (reads `../shared/data`, rewrites this directory):

    cargo run -p altofed-tests --bin gen-realdata
    cargo run -p altofed-tests --bin gen-realdata -- --data DIR --out DIR
";
