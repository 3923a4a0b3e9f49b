//! The reverse direction, cost(s, P) = C_isp(s, b) + c(l) + C_cdn(r, P),
//! checked against its definition on random inputs (≥ 1,000 cases per
//! mode) and by hand on Figure 5 (design.md §1) and an asymmetric variant.

#![allow(clippy::unwrap_used, clippy::needless_range_loop)]

use altofed_core::cdn_cost::CdnCosts;
use altofed_core::compose::{compose_reverse, LinkTerm, Matrix, Mode};
use proptest::prelude::*;

/// A cost that is missing one time in five.
fn maybe_cost() -> impl Strategy<Value = f64> {
    prop_oneof![1 => Just(f64::INFINITY), 4 => (0u32..50).prop_map(f64::from)]
}

#[derive(Debug, Clone)]
struct Case {
    /// C_isp(s, b_l): subscribers x links.
    isp: Matrix,
    links: Vec<LinkTerm>,
    /// C_cdn(r, P): border routers x CDN PIDs.
    cdn: CdnCosts,
}

fn case() -> impl Strategy<Value = Case> {
    (0usize..8, 1usize..5, 1usize..6, 1usize..6).prop_flat_map(|(subs, borders, links, pids)| {
        (
            proptest::collection::vec(maybe_cost(), subs * links),
            proptest::collection::vec((0..borders, 0u32..10, 0i64..3), links),
            proptest::collection::vec(maybe_cost(), borders * pids),
        )
            .prop_map(move |(isp, link_specs, cdn)| Case {
                isp: Matrix {
                    rows: subs,
                    cols: links,
                    data: isp,
                },
                links: link_specs
                    .into_iter()
                    .enumerate()
                    .map(|(i, (border, cost, preference))| LinkTerm {
                        // Names in reverse order of index, so the name tie-break matters.
                        name: format!("l{}", 9 - i),
                        border,
                        cost: f64::from(cost),
                        preference,
                    })
                    .collect(),
                cdn: CdnCosts::new(borders, pids, cdn),
            })
    })
}

/// The whole path through link `l`.
fn through(c: &Case, sub: usize, l: usize, pid: usize) -> f64 {
    c.isp.get(sub, l) + c.links[l].cost + c.cdn.get(c.links[l].border, pid)
}

/// The definition, one pair at a time.
fn oracle_multipath(c: &Case, sub: usize, pid: usize) -> f64 {
    let mut best = f64::INFINITY;
    for l in 0..c.links.len() {
        best = best.min(through(c, sub, l, pid));
    }
    best
}

/// The ISP's choice for a subscriber, by sorting the links it reaches by
/// the documented keys: preference (high first), C_isp + c(l), name.
fn oracle_link(c: &Case, sub: usize) -> Option<usize> {
    let mut reachable: Vec<(i64, f64, &str, usize)> = (0..c.links.len())
        .map(|l| {
            let link = &c.links[l];
            let base = c.isp.get(sub, l) + link.cost;
            (-link.preference, base, link.name.as_str(), l)
        })
        .filter(|(_, base, _, _)| base.is_finite())
        .collect();
    reachable.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.1.partial_cmp(&b.1).unwrap())
            .then(a.2.cmp(b.2))
    });
    reachable.first().map(|r| r.3)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn multipath_is_the_minimum_over_all_links(c in case()) {
        let out = compose_reverse(Mode::Multipath, &c.isp, &c.cdn, &c.links);
        prop_assert_eq!((out.rows, out.cols), (c.isp.rows, c.cdn.borders()));
        for sub in 0..out.rows {
            for pid in 0..out.cols {
                prop_assert_eq!(out.get(sub, pid), oracle_multipath(&c, sub, pid), "sub {} pid {}", sub, pid);
            }
        }
    }

    #[test]
    fn single_path_uses_the_isp_routing_choice(c in case()) {
        let out = compose_reverse(Mode::SinglePath, &c.isp, &c.cdn, &c.links);
        for sub in 0..out.rows {
            let link = oracle_link(&c, sub);
            for pid in 0..out.cols {
                let want = link.map_or(f64::INFINITY, |l| through(&c, sub, l, pid));
                prop_assert_eq!(out.get(sub, pid), want, "sub {} pid {}", sub, pid);
                prop_assert!(out.get(sub, pid) >= oracle_multipath(&c, sub, pid));
            }
        }
    }
}

fn link(name: &str, border: usize, cost: f64) -> LinkTerm {
    LinkTerm {
        name: name.into(),
        border,
        cost,
        preference: 0,
    }
}

/// Figure 5 reversed. C_isp(s, b), rows pid1..3, columns pid4 (link r6),
/// pid5 (link r7): pid1 (1, 5), pid2 (9, 2), pid3 (3, 3). Links r6 cost 1,
/// r7 cost 2. C_cdn(r, P), rows r6, r7, columns pid8, pid9, pid10: r6
/// (2, 3, 6), r7 (7, 8, 1), the forward costs since every link is both ways.
fn figure5() -> Case {
    Case {
        isp: Matrix {
            rows: 3,
            cols: 2,
            data: vec![1.0, 5.0, 9.0, 2.0, 3.0, 3.0],
        },
        links: vec![link("r6", 0, 1.0), link("r7", 1, 2.0)],
        cdn: CdnCosts::new(2, 3, vec![2.0, 3.0, 6.0, 7.0, 8.0, 1.0]),
    }
}

#[test]
fn figure5_multipath_table() {
    // C_isp + c(l) per subscriber: via r6 / via r7 = pid1 2 / 7,
    // pid2 10 / 4, pid3 4 / 5. Adding C_cdn(r6, P) = 2 3 6 and
    // C_cdn(r7, P) = 7 8 1 and taking the minimum:
    // pid1: min(4, 14) min(5, 15) min(8, 8)  = 4 5 8
    // pid2: min(12, 11) min(13, 12) min(16, 5) = 11 12 5
    // pid3: min(6, 12) min(7, 13) min(10, 6) = 6 7 6
    // (the transpose of the forward table: everything is symmetric).
    let c = figure5();
    let out = compose_reverse(Mode::Multipath, &c.isp, &c.cdn, &c.links);
    assert_eq!(out.data, [4.0, 5.0, 8.0, 11.0, 12.0, 5.0, 6.0, 7.0, 6.0]);
}

#[test]
fn figure5_single_path_table() {
    // The ISP's hot potato on C_isp + c(l): pid1 2 < 7 takes r6, pid2
    // 4 < 10 takes r7, pid3 4 < 5 takes r6. So
    // pid1: 2 + (2 3 6) = 4 5 8
    // pid2: 4 + (7 8 1) = 11 12 5
    // pid3: 4 + (2 3 6) = 6 7 10
    // pid2 -> pid8 is 11, where forward pid8 -> pid2 is 12 (the CDN exits
    // at r6), and pid3 -> pid10 is 10, where forward is 6 (exit r7): the
    // network that routes picks the link.
    let c = figure5();
    let out = compose_reverse(Mode::SinglePath, &c.isp, &c.cdn, &c.links);
    assert_eq!(out.data, [4.0, 5.0, 8.0, 11.0, 12.0, 5.0, 6.0, 7.0, 10.0]);
}

#[test]
fn asymmetric_isp_costs_are_read_from_the_subscriber_row() {
    // The ISP publishes pid2 -> pid4 as 1 (pid4 -> pid2 stays 9 and is
    // not read here). pid2 via r6 is now 1 + 1 = 2, via r7 still 4:
    // multipath pid2: min(4, 11) min(5, 12) min(8, 5) = 4 5 5;
    // single path pid2 takes r6: 2 + (2 3 6) = 4 5 8.
    let mut c = figure5();
    c.isp.data[2] = 1.0;
    let multi = compose_reverse(Mode::Multipath, &c.isp, &c.cdn, &c.links);
    assert_eq!(multi.row(1), [4.0, 5.0, 5.0]);
    let single = compose_reverse(Mode::SinglePath, &c.isp, &c.cdn, &c.links);
    assert_eq!(single.row(1), [4.0, 5.0, 8.0]);
}

#[test]
fn preference_beats_the_isp_hot_potato_then_the_name_breaks_ties() {
    let mut c = figure5();
    c.links[1].preference = 100;
    let out = compose_reverse(Mode::SinglePath, &c.isp, &c.cdn, &c.links);
    // Everyone takes r7: pid1 5 + 2 = 7, pid2 4, pid3 5; plus (7 8 1).
    assert_eq!(
        out.data,
        [14.0, 15.0, 8.0, 11.0, 12.0, 5.0, 12.0, 13.0, 6.0]
    );
    // Equal C_isp + c(l) = 5 both ways for pid1: the lower name, "a" (r7's link).
    let mut c = figure5();
    c.links[0].cost = 4.0;
    c.links[1].cost = 0.0;
    c.links[1].name = "a".into();
    let out = compose_reverse(Mode::SinglePath, &c.isp, &c.cdn, &c.links);
    assert_eq!(out.row(0), [12.0, 13.0, 6.0]);
}
