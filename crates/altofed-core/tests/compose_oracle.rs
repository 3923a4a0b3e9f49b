//! Composition checked against a brute-force oracle on random inputs
//! (≥ 1,000 cases per mode), plus the design.md §1 worked example.

#![allow(clippy::unwrap_used, clippy::needless_range_loop)]

use altofed_core::cdn_cost::CdnCosts;
use altofed_core::compose::{choose_exits, compose_multipath, compose_single, LinkTerm, Matrix};
use proptest::prelude::*;

/// A cost that is missing one time in five.
fn maybe_cost() -> impl Strategy<Value = f64> {
    prop_oneof![1 => Just(f64::INFINITY), 4 => (0u32..50).prop_map(f64::from)]
}

#[derive(Debug, Clone)]
struct Case {
    cdn: CdnCosts,
    links: Vec<LinkTerm>,
    isp: Matrix,
    pins: Vec<Option<usize>>,
}

fn case() -> impl Strategy<Value = Case> {
    (1usize..6, 1usize..5, 1usize..6, 0usize..8).prop_flat_map(|(pids, borders, links, subs)| {
        (
            proptest::collection::vec(maybe_cost(), pids * borders),
            proptest::collection::vec((0..borders, 0u32..10, 0i64..3), links),
            proptest::collection::vec(maybe_cost(), links * subs),
            proptest::collection::vec(proptest::option::weighted(0.2, 0..links), pids),
        )
            .prop_map(move |(cdn, link_specs, isp, pins)| Case {
                cdn: CdnCosts::new(pids, borders, cdn),
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
                isp: Matrix {
                    rows: links,
                    cols: subs,
                    data: isp,
                },
                pins,
            })
    })
}

/// The definition, one pair at a time.
fn oracle_multipath(c: &Case, pid: usize, sub: usize) -> f64 {
    let mut best = f64::INFINITY;
    for (l, link) in c.links.iter().enumerate() {
        let total = c.cdn.get(pid, link.border) + link.cost + c.isp.get(l, sub);
        if total < best {
            best = total;
        }
    }
    best
}

/// Routing's choice by sorting all reachable links by the documented keys.
fn oracle_exit(c: &Case, pid: usize, pinned: Option<usize>) -> Option<usize> {
    if pinned.is_some() {
        return pinned;
    }
    let mut reachable: Vec<(i64, f64, &str, usize)> = c
        .links
        .iter()
        .enumerate()
        .map(|(l, link)| {
            (
                -link.preference,
                c.cdn.get(pid, link.border) + link.cost,
                link.name.as_str(),
                l,
            )
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
        let out = compose_multipath(&c.cdn, &c.links, &c.isp);
        prop_assert_eq!((out.rows, out.cols), (c.cdn.pids(), c.isp.cols));
        for pid in 0..out.rows {
            for sub in 0..out.cols {
                prop_assert_eq!(out.get(pid, sub), oracle_multipath(&c, pid, sub), "pid {} sub {}", pid, sub);
            }
        }
    }

    #[test]
    fn single_path_uses_the_routing_choice(c in case()) {
        let exits = choose_exits(&c.cdn, &c.links, &c.pins);
        let out = compose_single(&c.cdn, &c.links, &c.isp, &exits);
        for pid in 0..out.rows {
            let exit = oracle_exit(&c, pid, c.pins[pid]);
            prop_assert_eq!(exits[pid], exit, "exit of pid {}", pid);
            for sub in 0..out.cols {
                let want = exit.map_or(f64::INFINITY, |l| {
                    c.cdn.get(pid, c.links[l].border) + c.links[l].cost + c.isp.get(l, sub)
                });
                prop_assert_eq!(out.get(pid, sub), want, "pid {} sub {}", pid, sub);
                // Single path can never beat multipath.
                prop_assert!(out.get(pid, sub) >= oracle_multipath(&c, pid, sub));
            }
        }
    }
}

/// design.md §1: C_cdn pid8 (2, 7), pid9 (3, 8), pid10 (6, 1); links r6 cost 1
/// to pid4, r7 cost 2 to pid5; ISP costs to pid1..3.
fn figure5() -> Case {
    Case {
        cdn: CdnCosts::new(3, 2, vec![2.0, 7.0, 3.0, 8.0, 6.0, 1.0]),
        links: vec![
            LinkTerm {
                name: "r6".into(),
                border: 0,
                cost: 1.0,
                preference: 0,
            },
            LinkTerm {
                name: "r7".into(),
                border: 1,
                cost: 2.0,
                preference: 0,
            },
        ],
        isp: Matrix {
            rows: 2,
            cols: 3,
            data: vec![1.0, 9.0, 3.0, 5.0, 2.0, 3.0],
        },
        pins: vec![None; 3],
    }
}

#[test]
fn figure5_multipath_table() {
    let c = figure5();
    let out = compose_multipath(&c.cdn, &c.links, &c.isp);
    assert_eq!(out.data, [4.0, 11.0, 6.0, 5.0, 12.0, 7.0, 8.0, 5.0, 6.0]);
}

#[test]
fn figure5_single_path_table_and_exits() {
    let c = figure5();
    let exits = choose_exits(&c.cdn, &c.links, &c.pins);
    assert_eq!(exits, [Some(0), Some(0), Some(1)]);
    let out = compose_single(&c.cdn, &c.links, &c.isp, &exits);
    assert_eq!(out.data, [4.0, 12.0, 6.0, 5.0, 13.0, 7.0, 8.0, 5.0, 6.0]);
}

#[test]
fn preference_beats_hot_potato_and_a_pin_beats_both() {
    let mut c = figure5();
    c.links[1].preference = 100;
    assert_eq!(
        choose_exits(&c.cdn, &c.links, &c.pins),
        [Some(1), Some(1), Some(1)]
    );
    c.pins[0] = Some(0);
    assert_eq!(
        choose_exits(&c.cdn, &c.links, &c.pins),
        [Some(0), Some(1), Some(1)]
    );
}

#[test]
fn equal_cost_exits_are_broken_by_link_name() {
    let mut c = figure5();
    c.cdn = CdnCosts::new(1, 2, vec![5.0, 5.0]);
    c.links[0].cost = 0.0;
    c.links[1].cost = 0.0;
    c.links[0].name = "z".into();
    c.pins = vec![None];
    assert_eq!(choose_exits(&c.cdn, &c.links, &c.pins), [Some(1)]);
}
