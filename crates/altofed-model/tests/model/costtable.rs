//! `CostTable` / `CostTableDoc`: the compact form of a peer's cost map
//! parses and writes exactly like `CostRows` / `CostMapDoc`.

use altofed_model::{Cost, CostMapDoc, CostTable, CostTableDoc};
use proptest::prelude::*;

fn both(rows: &str) -> (CostTable, altofed_model::CostRows) {
    let table: CostTable = serde_json::from_str(rows).unwrap();
    let doc: CostMapDoc = serde_json::from_str(&doc_json(rows)).unwrap();
    (table, doc.cost_map)
}

fn doc_json(rows: &str) -> String {
    format!(
        r#"{{"meta":{{"dependent-vtags":[{{"resource-id":"n","tag":"1"}}],
             "cost-type":{{"cost-mode":"numerical","cost-metric":"routingcost"}}}},
           "cost-map":{rows},"x-extra":[1]}}"#
    )
}

#[test]
fn liberal_like_cost_rows() {
    let rows = r#"{"b":{"b":"1","a":7,"c":null},"a":{"y":1},
                   "c":null,"d":{},"e":{"a":null}}"#;
    let (table, tree) = both(rows);
    assert_eq!(table, tree);
    assert_eq!(CostTable::from(&tree), table);
    assert_eq!(table.get("b", "a"), Some(Cost(7.0)));
    assert_eq!(table.get("a", "y"), Some(Cost(1.0)));
    assert!(table.row("c").is_none());
    assert!(table.row("d").unwrap().is_empty());
    assert!(table.row("e").unwrap().is_empty());
    assert_eq!(table.row_count(), 4);
    assert_eq!(table.len(), 3);
    assert_eq!(
        serde_json::to_value(&table).unwrap(),
        serde_json::to_value(&tree).unwrap()
    );
}

#[test]
fn errors_are_those_of_cost_rows() {
    for bad in [
        r#"{"a":{"b":"near"}}"#,
        r#"{"a":{"b":true}}"#,
        r#"{"a":{"b":"NaN"}}"#,
        r#"{"a":[1]}"#,
        r#"[]"#,
        r#"{"a":{"b":1,"a":2,"b":3}}"#,
        r#"{"a":{"b":1},"b":{},"a":{"c":2}}"#,
        r#"{"a":{"b":1},"a":null}"#,
    ] {
        let table = serde_json::from_str::<CostTableDoc>(&doc_json(bad)).unwrap_err();
        let tree = serde_json::from_str::<CostMapDoc>(&doc_json(bad)).unwrap_err();
        assert_eq!(table.to_string(), tree.to_string(), "{bad}");
    }
}

#[test]
fn reads_from_a_value_and_converts_both_ways() {
    let json = doc_json(r#"{"p1":{"p1":0,"p2":4},"p2":{"p1":"4"}}"#);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let from_value: CostTableDoc = serde_json::from_value(value).unwrap();
    let tree: CostMapDoc = serde_json::from_str(&json).unwrap();
    assert_eq!(from_value, tree);
    assert_eq!(CostTableDoc::from(&tree), from_value);
    assert_eq!(from_value.to_doc(), tree);
    let row: Vec<_> = from_value.cost_map.row("p1").unwrap().iter().collect();
    assert_eq!(row, [("p1", Cost(0.0)), ("p2", Cost(4.0))]);
}

proptest! {
    /// Any rows, in any order and with repeats, read the same as `CostRows`:
    /// the same table, or both refuse a repeated key.
    #[test]
    fn same_as_cost_rows(rows in prop::collection::vec(
        ("[a-e]", prop::option::of(prop::collection::vec(("[a-f]", prop::option::of(0u16..100)), 0..8))),
        0..8,
    )) {
        let row = |entries: &Vec<(String, Option<u16>)>| -> String {
            let cells: Vec<String> = entries
                .iter()
                .map(|(d, c)| format!("\"{d}\":{}", c.map_or("null".to_owned(), |c| c.to_string())))
                .collect();
            format!("{{{}}}", cells.join(","))
        };
        let cells: Vec<String> = rows
            .iter()
            .map(|(s, r)| format!("\"{s}\":{}", r.as_ref().map_or("null".to_owned(), row)))
            .collect();
        let rows = format!("{{{}}}", cells.join(","));
        let table = serde_json::from_str::<CostTable>(&rows);
        let tree = serde_json::from_str::<CostMapDoc>(&doc_json(&rows));
        match (table, tree) {
            (Ok(table), Ok(tree)) => {
                prop_assert_eq!(&table, &tree.cost_map);
                prop_assert_eq!(CostTable::from(&tree.cost_map), table);
            }
            // A repeated key: both refuse it, naming one.
            (Err(table), Err(tree)) => {
                prop_assert!(table.to_string().starts_with("duplicate key"), "{}", table);
                prop_assert!(tree.to_string().starts_with("duplicate key"), "{}", tree);
            }
            (table, tree) => prop_assert!(false, "{:?} but {:?}", table, tree),
        }
    }
}

#[test]
fn names_of_a_network_map_index_the_table_by_number() {
    let rows: altofed_model::CostRows = serde_json::from_value(serde_json::json!({
        "b": {"a": 1, "c": 2.5},
        "d": {"b": 4}
    }))
    .unwrap();
    let table = CostTable::from(&rows);
    // A network map's PIDs in name order, one the table does not know.
    let index = table.index_names(["a", "b", "c", "d", "e"]);
    assert_eq!(
        index,
        vec![
            (Some(0), None),
            (Some(1), Some(0)),
            (Some(2), None),
            (Some(3), Some(1)),
            (None, None),
        ]
    );
    assert_eq!(table.cost_at(0, 2), Some(2.5), "b -> c");
    assert_eq!(table.cost_at(1, 1), Some(4.0), "d -> b");
    assert_eq!(table.cost_at(1, 0), None, "d -> a has no cost");
}

proptest! {
    /// `cost_at` (direct index on rows to every name and rows without
    /// gaps, binary search otherwise) finds what the rows say, on rows
    /// with and without gaps.
    #[test]
    fn cost_at_finds_the_cost_of_every_pair(
        rows in proptest::collection::btree_map(
            0..12u8,
            proptest::collection::btree_map(0..12u8, 0..100u32, 0..12),
            1..8,
        ),
        dense_from in 0..12u8,
    ) {
        let name = |i: u8| format!("p{i:02}");
        let mut rows: altofed_model::CostRows = rows
            .iter()
            .map(|(s, row)| {
                let row = row.iter().map(|(d, c)| (name(*d), Cost(f64::from(*c)))).collect();
                (name(*s), row)
            })
            .collect();
        // And one row without gaps from `dense_from` on.
        let dense = (dense_from..12).map(|d| (name(d), Cost(f64::from(d)))).collect();
        rows.insert(name(12), dense);
        // And one row to every name, itself included: a row of the whole
        // block, found from its start alone.
        let mut every: std::collections::BTreeSet<String> = rows.keys().cloned().collect();
        every.extend(rows.values().flat_map(|row| row.keys().cloned()));
        every.insert(name(13));
        let whole = every.iter().enumerate().map(|(i, d)| (d.clone(), Cost(i as f64 + 0.5))).collect();
        rows.insert(name(13), whole);
        let table = CostTable::from(&rows);
        let names = table.names().to_vec();
        for (r, &src) in table.sources().iter().enumerate() {
            let src = &*names[src as usize];
            for (at, dst) in names.iter().enumerate() {
                let want = rows[src].get(&**dst).map(|c| c.0);
                prop_assert_eq!(table.cost_at(r, at as u32), want, "{} -> {}", src, dst);
            }
            prop_assert_eq!(table.cost_at(r, names.len() as u32), None);
        }
    }
}

/// A JSON number with more digits than an f64 holds is rounded correctly
/// (serde_json's `float_roundtrip`): the same value as the number in a
/// string, and a map reads back as itself from its own JSON. Found by the
/// `cost_map` fuzz target (fuzz/regressions/cost_map/).
#[test]
fn long_numbers_are_rounded_correctly_and_round_trip() {
    let long = "44444444444444444444444444444444444444444444444444444444444444410.5";
    let (table, _) = both(&format!(r#"{{"a":{{"b":{long},"c":"{long}"}}}}"#));
    let exact: f64 = long.parse().unwrap();
    assert_eq!(table.get("a", "b"), Some(Cost(exact)));
    assert_eq!(table.get("a", "c"), Some(Cost(exact)));
    let doc: CostTableDoc = serde_json::from_str(&doc_json(r#"{"a":{"b":0.1}}"#)).unwrap();
    let doc = CostTableDoc {
        cost_map: table,
        ..doc
    };
    let again: CostTableDoc = serde_json::from_slice(&serde_json::to_vec(&doc).unwrap()).unwrap();
    assert_eq!(again, doc);
}
