//! The composed costs of every CDN PID to every published PID (and back,
//! per `output.direction`), as the arrays of a [`CostTable`]: where each
//! published column's costs come from is resolved once per merge
//! ([`super::frame`]), then the blocks whose inputs changed are filled,
//! rows in parallel.

use std::ops::Range;
use std::sync::Arc;

use altofed_model::{Block, CostTable, PartsError};
use rayon::prelude::*;

use super::blocks::{block_key, shape_key, Row, Source, TableCache};
use super::merged::Merged;
use super::PeerInput;
use crate::compose::{Direction, Matrix};
use crate::topology::CdnNetwork;

/// CDN PID -> published PID -> composed cost, and published PID -> CDN PID
/// for the rows `direction` publishes; `default` where a pair has no
/// finite cost (no entry when `default` is `None`). `catch_all` is the
/// (peer, ISP PID) whose costs the catch-all PID inherits, in both
/// directions. In one block per peer (see [`super::blocks`]): the blocks
/// of `cache`'s last table whose inputs did not change are taken over.
pub(super) fn cost_table(
    cdn: &CdnNetwork,
    peers: &[Option<PeerInput<'_>>],
    merged: &Merged,
    catch_all: Option<(usize, &str)>,
    default: Option<f64>,
    direction: Direction,
    cache: &mut TableCache,
) -> Result<CostTable, PartsError> {
    let frame = cache.frame(merged, peers);
    // (name index, CDN PID row in the composed matrices), by name.
    let mut cdn_pids: Vec<(u32, usize)> = cdn
        .pids
        .iter()
        .enumerate()
        .filter_map(|(row, p)| Some((frame.index(&p.name)?, row)))
        .collect();
    cdn_pids.sort_unstable();
    let sources = frame.sources(peers, catch_all_source(peers, catch_all));
    let columns: Vec<(u32, Option<(&Matrix, usize)>)> = sources
        .iter()
        .map(|&(i, s)| (i, s.map(|(c, col)| (&c.composed, col))))
        .collect();
    let mut rows: Vec<(u32, Row<'_>)> = Vec::new();
    if direction.forward() {
        rows.extend(
            cdn_pids
                .iter()
                .map(|&(name, row)| (name, Row::Forward(row))),
        );
    }
    if direction.reverse() {
        rows.extend(sources.iter().map(|&(name, s)| (name, Row::Reverse(s))));
    }
    rows.sort_unstable_by_key(|(name, _)| *name);
    let fill = Fill {
        rows: &rows,
        runs: runs(&columns),
        cdn_pids: &cdn_pids,
        default,
    };
    let shape = shape_key(&rows, &cdn_pids, default, direction);
    let keys: Vec<Vec<u64>> = (frame.spans.iter())
        .map(|span| block_key(span, &sources, &rows, &cdn_pids))
        .collect();
    let old = cache.blocks_for(&frame, &shape);
    let blocks: Vec<Arc<Block>> = (frame.spans.par_iter().zip(&keys))
        .map(|(span, key)| match old.iter().find(|(k, _)| k == key) {
            Some((_, block)) => Ok(block.clone()),
            None => fill.block(span).map(Arc::new),
        })
        .collect::<Result<_, _>>()?;
    let srcs = rows.iter().map(|(name, _)| *name).collect();
    let kept = keys.into_iter().zip(blocks.iter().cloned()).collect();
    let names = frame.names.clone();
    cache.keep(frame, shape, kept);
    CostTable::from_blocks(names, srcs, blocks)
}

/// What a block's rows are filled from.
struct Fill<'a> {
    rows: &'a [(u32, Row<'a>)],
    runs: Vec<Run<'a>>,
    cdn_pids: &'a [(u32, usize)],
    default: Option<f64>,
}

impl Fill<'_> {
    /// Every row's entries to the names of `span`, rows in parallel.
    fn block(&self, span: &Range<u32>) -> Result<Block, PartsError> {
        let first = self.runs.partition_point(|r| r.end() <= span.start);
        let runs: Vec<Run<'_>> = (self.runs[first..].iter())
            .take_while(|r| r.first_name < span.end)
            .map(|r| r.clip(span))
            .collect();
        let cdn = {
            let from = self.cdn_pids.partition_point(|(n, _)| *n < span.start);
            let to = self.cdn_pids.partition_point(|(n, _)| *n < span.end);
            &self.cdn_pids[from..to]
        };
        let filled: Vec<(Vec<u32>, Vec<f64>)> = (self.rows.par_iter())
            .map(|&(_, row)| match row {
                Row::Forward(row) => fill_row(row, &runs, self.default),
                Row::Reverse(source) => {
                    let reverse = source.and_then(|(c, col)| Some((c.reverse.as_ref()?, col)));
                    fill_reverse_row(reverse, cdn, self.default)
                }
            })
            .collect();
        let pairs = filled.iter().map(|(d, _)| d.len()).sum();
        let mut starts = Vec::with_capacity(filled.len() + 1);
        let (mut dsts, mut costs) = (Vec::with_capacity(pairs), Vec::with_capacity(pairs));
        starts.push(0);
        for (d, c) in filled {
            dsts.extend(d);
            costs.extend(c);
            starts.push(dsts.len());
        }
        Block::new(span.clone(), starts, dsts, costs)
    }
}

/// One subscriber row: the cost to each CDN PID (in name order), `default`
/// where there is none.
fn fill_reverse_row(
    source: Option<(&Matrix, usize)>,
    cdn_pids: &[(u32, usize)],
    default: Option<f64>,
) -> (Vec<u32>, Vec<f64>) {
    let mut dsts = Vec::with_capacity(cdn_pids.len());
    let mut costs = Vec::with_capacity(cdn_pids.len());
    for &(name, pid) in cdn_pids {
        let value = source.map_or(f64::INFINITY, |(m, row)| m.get(row, pid));
        if let Some(v) = if value.is_finite() {
            Some(value)
        } else {
            default
        } {
            dsts.push(name);
            costs.push(v);
        }
    }
    (dsts, costs)
}

/// The columns the catch-all PID reads: those of `catch_all`'s (peer, ISP
/// PID), if that PID is republished.
fn catch_all_source<'a>(
    peers: &'a [Option<PeerInput<'a>>],
    catch_all: Option<(usize, &str)>,
) -> Source<'a> {
    let (peer, isp_pid) = catch_all?;
    let columns = peers[peer].as_ref()?.columns;
    Some((columns, *columns.columns.get(isp_pid)?))
}

/// Consecutive published names whose costs are consecutive columns of one
/// composed matrix (a peer's subscribers, in name order), or which have no
/// source at all: copied as one slice per row instead of one lookup per pair.
#[derive(Debug, Clone, Copy)]
struct Run<'a> {
    first_name: u32,
    len: usize,
    source: Option<(&'a Matrix, usize)>,
}

impl<'a> Run<'a> {
    /// The name after the run's last.
    fn end(&self) -> u32 {
        self.first_name + self.len as u32
    }

    /// The part of the run in `span` (which it overlaps).
    fn clip(&self, span: &Range<u32>) -> Run<'a> {
        let first = self.first_name.max(span.start);
        let skip = (first - self.first_name) as usize;
        Run {
            first_name: first,
            len: (self.end().min(span.end) - first) as usize,
            source: self.source.map(|(m, col)| (m, col + skip)),
        }
    }
}

fn runs<'a>(columns: &[(u32, Option<(&'a Matrix, usize)>)]) -> Vec<Run<'a>> {
    let mut out: Vec<Run<'a>> = Vec::new();
    for &(name, source) in columns {
        if let Some(last) = out.last_mut() {
            let next_name = last.first_name as usize + last.len == name as usize;
            let continues = match (last.source, source) {
                (None, None) => true,
                (Some((m, c)), Some((n, d))) => std::ptr::eq(m, n) && c + last.len == d,
                _ => false,
            };
            if next_name && continues {
                last.len += 1;
                continue;
            }
        }
        out.push(Run {
            first_name: name,
            len: 1,
            source,
        });
    }
    out
}

fn fill_row(row: usize, runs: &[Run<'_>], default: Option<f64>) -> (Vec<u32>, Vec<f64>) {
    let columns = runs.iter().map(|r| r.len).sum();
    let mut dsts = Vec::with_capacity(columns);
    let mut costs = Vec::with_capacity(columns);
    for run in runs {
        let names = run.first_name..;
        match run.source {
            Some((m, col)) => {
                let start = row * m.cols + col;
                for (name, &v) in names.zip(&m.data[start..start + run.len]) {
                    let value = if v.is_finite() { Some(v) } else { default };
                    if let Some(v) = value {
                        dsts.push(name);
                        costs.push(v);
                    }
                }
            }
            None => {
                if let Some(d) = default {
                    dsts.extend(names.take(run.len));
                    costs.extend(std::iter::repeat_n(d, run.len));
                }
            }
        }
    }
    (dsts, costs)
}
