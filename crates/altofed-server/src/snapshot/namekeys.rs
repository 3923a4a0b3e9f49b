//! What every segment of a cost map body is written and cut with, per name
//! of its table: the name as a JSON key and its group. Made once per set of
//! names and handed from body to body while the table's names are the same
//! (`CostTable::shares_names`): a publish that changes one peer's costs
//! does not escape 17,000 names again.

use std::sync::Arc;

use altofed_model::CostTable;
use rayon::prelude::*;

/// The keys and groups of one table's names.
#[derive(Debug)]
pub(super) struct NameKeys {
    /// The names they were made for (the table's, shared).
    names: Arc<[Box<str>]>,
    /// `"name":` for every name, escaped.
    pub keys: Vec<Vec<u8>>,
    /// A group number per name (see [`name_groups`]).
    pub groups: Vec<u32>,
}

impl NameKeys {
    /// The keys of `table`'s names: `previous` if it was made for them.
    pub(super) fn of(table: &CostTable, previous: Option<&Arc<NameKeys>>) -> Arc<NameKeys> {
        let names = table.shared_names();
        match previous {
            Some(p) if Arc::ptr_eq(&p.names, &names) => p.clone(),
            _ => Arc::new(NameKeys {
                keys: entry_keys(&names),
                groups: name_groups(&names),
                names,
            }),
        }
    }
}

/// A group number per name (the name up to its first `:`): names are
/// sorted, so one group's names are consecutive and the number changes
/// where the group does.
fn name_groups(names: &[Box<str>]) -> Vec<u32> {
    fn group(name: &str) -> &str {
        name.split_once(':').map_or("", |(g, _)| g)
    }
    let mut out = Vec::with_capacity(names.len());
    let (mut last, mut id) = (None, 0u32);
    for name in names {
        let g = group(name);
        if last != Some(g) {
            id += 1;
            last = Some(g);
        }
        out.push(id);
    }
    out
}

/// `"name":` for every name, escaped once.
fn entry_keys(names: &[Box<str>]) -> Vec<Vec<u8>> {
    (names.par_iter())
        .map(|name| {
            let mut key = serde_json::to_vec(&**name).unwrap_or_default();
            key.push(b':');
            key
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_change_where_the_part_before_the_first_colon_does() {
        let names: Vec<Box<str>> = ["a:1", "a:2", "b", "b:1", "c:x:y", "c:z"]
            .into_iter()
            .map(Into::into)
            .collect();
        assert_eq!(name_groups(&names), [1, 1, 2, 3, 4, 4]);
        assert_eq!(entry_keys(&names[..1]), [b"\"a:1\":".to_vec()]);
    }
}
