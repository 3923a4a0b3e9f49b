//! A `CostTable` cut into column blocks reads, writes, ranks, validates
//! and looks up exactly like the same pairs in one block; blocks are
//! shared between tables and tagged by content.

use std::sync::Arc;

use altofed_model::validate::{validate_cost_table, validate_cost_table_costs};
use altofed_model::{
    Block, CostMapMeta, CostMode, CostRows, CostTable, CostTableDoc, CostType, RowBuf, RowView,
    TableParts, VersionTag,
};
use proptest::prelude::*;

/// `table` (one block) cut at the name indices `cuts`.
fn cut(table: &CostTable, cuts: &[u32]) -> CostTable {
    let n = table.names().len() as u32;
    let mut bounds: Vec<u32> = cuts.iter().map(|c| c % (n + 1)).collect();
    bounds.extend([0, n]);
    bounds.sort_unstable();
    bounds.dedup();
    let blocks = bounds
        .windows(2)
        .map(|w| Arc::new(block_of(table, w[0]..w[1], |_, c| c)))
        .collect();
    CostTable::from_blocks(table.names().to_vec(), table.sources().to_vec(), blocks).unwrap()
}

/// The entries of `table` to names in `names`, costs through `cost`.
fn block_of(
    table: &CostTable,
    names: std::ops::Range<u32>,
    cost: impl Fn(u32, f64) -> f64,
) -> Block {
    let (mut starts, mut dsts, mut costs) = (vec![0], Vec::new(), Vec::new());
    for r in 0..table.row_count() {
        for (d, c) in table.row_segments(r) {
            for (&d, &c) in d.iter().zip(c).filter(|(d, _)| names.contains(d)) {
                dsts.push(d);
                costs.push(cost(d, c));
            }
        }
        starts.push(dsts.len());
    }
    Block::new(names, starts, dsts, costs).unwrap()
}

fn doc(table: CostTable, mode: CostMode) -> CostTableDoc {
    CostTableDoc {
        meta: CostMapMeta {
            dependent_vtags: vec![VersionTag::new("net", "1")],
            cost_type: CostType::routingcost(mode),
            vtag: None,
        },
        cost_map: table,
    }
}

fn rows_strategy() -> impl Strategy<Value = CostRows> {
    let rows = prop::collection::btree_map(
        0..16u8,
        prop::collection::btree_map(0..16u8, 0..50u32, 0..16),
        1..8,
    );
    rows.prop_map(|rows| {
        let name = |i: u8| format!("p{i:02}");
        rows.iter()
            .map(|(s, row)| {
                let row = (row.iter())
                    .map(|(d, c)| (name(*d), altofed_model::Cost(f64::from(*c))))
                    .collect();
                (name(*s), row)
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn blocks_read_like_one_block(
        rows in rows_strategy(),
        cuts in prop::collection::vec(0..17u32, 0..6),
    ) {
        let flat = CostTable::from(&rows);
        let blocked = cut(&flat, &cuts);
        prop_assert_eq!(&blocked, &flat);
        prop_assert_eq!(&blocked, &rows);
        prop_assert_eq!(blocked.len(), flat.len());
        prop_assert_eq!(
            serde_json::to_string(&blocked).unwrap(),
            serde_json::to_string(&flat).unwrap()
        );
        prop_assert_eq!(&blocked.to_rows(), &rows);
        let (mut a, mut b) = (RowBuf::default(), RowBuf::default());
        for r in 0..flat.row_count() {
            prop_assert_eq!(blocked.row_parts_in(r, &mut a), flat.row_parts_in(r, &mut b));
            prop_assert_eq!(blocked.row_len(r), flat.row_len(r));
            for name in 0..=flat.names().len() as u32 {
                prop_assert_eq!(blocked.cost_at(r, name), flat.cost_at(r, name));
            }
        }
        for (src, row) in &rows {
            for dst in row.keys() {
                prop_assert_eq!(blocked.get(src, dst), flat.get(src, dst));
            }
        }
        // The row view: positions, seeks and block slices of the whole row.
        for r in 0..flat.row_count() {
            let (dsts, costs) = flat.row_parts_in(r, &mut b);
            let view = RowView::new(&blocked, r);
            prop_assert_eq!(view.len(), dsts.len());
            for i in 0..=dsts.len() {
                prop_assert_eq!(view.get(i), dsts.get(i).map(|&d| (d, costs[i])));
                for d in 0..=flat.names().len() as u32 {
                    let want = i + dsts[i..].partition_point(|&x| x < d);
                    prop_assert_eq!(view.seek(i, d), want);
                }
            }
            // A cursor asked for ascending names (every one, then every
            // other) finds what the row holds.
            for step in [1, 2] {
                let mut cursor = view.cursor();
                for d in (0..=flat.names().len() as u32).step_by(step) {
                    let want = dsts.binary_search(&d).ok().map(|i| costs[i]);
                    prop_assert_eq!(cursor.find(d), want);
                }
            }
            let mut at = 0;
            for (d, c) in blocked.row_segments(r) {
                prop_assert_eq!(view.slice(at..at + d.len()), Some((d, c)));
                at += d.len();
            }
        }
        // Ranks are over the whole map, whatever the blocks.
        prop_assert_eq!(blocked.dense_ranks(), flat.dense_ranks());
    }

    /// Validation reports the same first bad pair (in row order) however
    /// the pairs are cut.
    #[test]
    fn validation_finds_the_same_first_bad_pair(
        rows in rows_strategy(),
        cuts in prop::collection::vec(0..17u32, 0..6),
        bad in prop::collection::vec(0..16u32, 1..3),
    ) {
        let flat = CostTable::from(&rows);
        let n = flat.names().len() as u32;
        let poison = |d: u32, c: f64| if bad.contains(&d) { f64::INFINITY } else { c };
        let poisoned_flat = CostTable::from_blocks(
            flat.names().to_vec(),
            flat.sources().to_vec(),
            vec![Arc::new(block_of(&flat, 0..n, poison))],
        ).unwrap();
        let poisoned = cut(&poisoned_flat, &cuts);
        for mode in [CostMode::Numerical, CostMode::Ordinal] {
            let want = validate_cost_table(&doc(poisoned_flat.clone(), mode), None);
            let got = validate_cost_table(&doc(poisoned.clone(), mode), None);
            prop_assert_eq!(got.map_err(|e| e.to_string()), want.map_err(|e| e.to_string()));
        }
    }
}

#[test]
fn the_tag_follows_content_and_shared_blocks_are_hashed_as_their_own() {
    let rows: CostRows =
        serde_json::from_str(r#"{"a":{"a":1,"b":2,"c":3,"d":4},"c":{"a":5,"d":6}}"#).unwrap();
    let flat = CostTable::from(&rows);
    let one = cut(&flat, &[2]);
    let again = cut(&flat, &[2]);
    assert_eq!(one.content_tag(b"x"), again.content_tag(b"x"));
    assert_ne!(one.content_tag(b"x"), one.content_tag(b"y"));
    // A table sharing the first block and with a new second one.
    let changed = block_of(&flat, 2..4, |_, c| c + 1.0);
    let shared = CostTable::from_blocks(
        flat.names().to_vec(),
        flat.sources().to_vec(),
        vec![one.blocks()[0].clone(), Arc::new(changed)],
    )
    .unwrap();
    assert!(Arc::ptr_eq(&shared.blocks()[0], &one.blocks()[0]));
    assert_ne!(shared.content_tag(b"x"), one.content_tag(b"x"));
    assert_eq!(shared.get("a", "c").map(|c| c.0), Some(4.0));
    assert_eq!(shared.get("a", "a").map(|c| c.0), Some(1.0));
}

#[test]
fn blocks_that_overlap_or_miss_rows_are_refused() {
    let parts = TableParts {
        names: vec!["a".into(), "b".into()],
        srcs: vec![0],
        starts: vec![0, 2],
        dsts: vec![0, 1],
        costs: vec![1.0, 2.0],
    };
    let flat = CostTable::from_parts(parts).unwrap();
    let names = flat.names().to_vec();
    let whole = || Arc::new(block_of(&flat, 0..2, |_, c| c));
    let overlap = CostTable::from_blocks(names.clone(), vec![0], vec![whole(), whole()]);
    assert_eq!(
        overlap.unwrap_err().to_string(),
        "cost table parts are not canonical: blocks ascending, disjoint and named"
    );
    let rows = CostTable::from_blocks(names, vec![0, 1], vec![whole()]);
    assert_eq!(
        rows.unwrap_err().to_string(),
        "cost table parts are not canonical: one row per source in every block"
    );
    let outside = Block::new(0..1, vec![0, 2], vec![0, 1], vec![1.0, 2.0]);
    assert_eq!(
        outside.unwrap_err().to_string(),
        "cost table parts are not canonical: destinations ascending and named"
    );
}

/// Names are shared by the tables built on them, not by tables of equal
/// names; a table's costs are checked without its names by
/// `validate_cost_table_costs` (for a table whose names passed before),
/// with the same error as the whole check.
#[test]
fn shared_names_and_the_check_of_costs_without_names() {
    let rows: CostRows = serde_json::from_str(r#"{"a":{"a":1,"b c":2},"b c":{"a":3}}"#).unwrap();
    let flat = CostTable::from(&rows);
    let n = flat.names().len() as u32;
    let rebuilt = |names: Arc<[Box<str>]>, cost: fn(u32, f64) -> f64| {
        let block = Arc::new(block_of(&flat, 0..n, cost));
        CostTable::from_blocks(names, flat.sources().to_vec(), vec![block]).unwrap()
    };
    let same = rebuilt(flat.shared_names(), |_, c| c);
    assert!(same.shares_names(&flat) && flat.shares_names(&same));
    let equal = rebuilt(flat.names().into(), |_, c| c);
    assert_eq!(equal, flat);
    assert!(!equal.shares_names(&flat));

    let numerical = |t: &CostTable| doc(t.clone(), CostMode::Numerical);
    // "b c" is no PID name (RFC 7285 §10.1): only the whole check sees it.
    let whole = validate_cost_table(&numerical(&same), None).unwrap_err();
    assert!(whole.to_string().contains("b c"), "{whole}");
    validate_cost_table_costs(&numerical(&same), None).unwrap();
    let poisoned = rebuilt(
        flat.shared_names(),
        |d, c| if d == 0 { f64::NAN } else { c },
    );
    let costs = validate_cost_table_costs(&numerical(&poisoned), None).unwrap_err();
    assert!(costs.to_string().contains("NaN"), "{costs}");
    let wrong_net = CostTableDoc {
        meta: CostMapMeta {
            dependent_vtags: vec![VersionTag::new("other", "1")],
            ..numerical(&same).meta
        },
        cost_map: same,
    };
    let net = altofed_model::NetworkMapDoc {
        meta: altofed_model::NetworkMapMeta {
            vtag: VersionTag::new("net", "1"),
        },
        network_map: Default::default(),
    };
    assert!(
        validate_cost_table_costs(&wrong_net, Some(&net)).is_err(),
        "the meta is checked"
    );
}
