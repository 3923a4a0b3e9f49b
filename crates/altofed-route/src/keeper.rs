//! The table keeper: turns the ALTO client's events into routing tables.
//! Each new set of maps is built into a table on a blocking thread (a big
//! map is CPU work) and swapped in; a failed pull or a failed build leaves
//! the table in service. Like the aggregator's peers, maps without contact
//! (new maps, or `PeerEvent::Current`) for `alto.max-age` are withdrawn:
//! every client gets the fallback ranking until the server answers again.

use std::sync::Arc;
use std::time::{Duration, Instant};

use altofed_core::peer::PeerMaps;
use altofed_peers::PeerEvent;
use arc_swap::ArcSwapOption;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::config::RoutingSection;
use crate::metrics::Metrics;
use crate::table::{Node, RoutingTable};

/// Turns the ALTO client's events into tables.
#[derive(Debug)]
pub struct Keeper {
    pub table: Arc<ArcSwapOption<RoutingTable>>,
    pub nodes: Arc<[Node]>,
    pub routing: RoutingSection,
    pub max_age: Duration,
    pub metrics: Arc<Metrics>,
}

impl Keeper {
    pub async fn run(self, mut rx: mpsc::Receiver<PeerEvent>, shutdown: CancellationToken) {
        let mut last_maps: Option<Arc<PeerMaps>> = None;
        // The last table built from maps, and its maps: what a rebuild
        // takes over from (a withdrawal's fallback table has nothing).
        let mut built: Option<(Arc<RoutingTable>, Arc<PeerMaps>)> = None;
        let mut last_contact: Option<Instant> = None;
        let mut withdrawn = false;
        let mut tick = tokio::time::interval(
            self.max_age
                .clamp(Duration::from_millis(10), Duration::from_secs(1)),
        );
        loop {
            let event = tokio::select! {
                () = shutdown.cancelled() => return,
                event = rx.recv() => event,
                _ = tick.tick() => {
                    let stale = last_contact.is_some_and(|t| t.elapsed() >= self.max_age);
                    if stale && !withdrawn {
                        withdrawn = true;
                        self.withdraw();
                    }
                    continue;
                }
            };
            match event {
                None => return,
                Some(PeerEvent::Updated { maps, .. }) => {
                    last_contact = Some(Instant::now());
                    last_maps = Some(maps.clone());
                    if let Some(table) = self.rebuild(maps.clone(), built.clone()).await {
                        built = Some((table, maps));
                        withdrawn = false;
                    }
                }
                Some(PeerEvent::Current { .. }) => {
                    last_contact = Some(Instant::now());
                    if let (true, Some(maps)) = (withdrawn, &last_maps) {
                        tracing::info!("the ALTO server answers again: its maps are back in use");
                        if let Some(table) = self.rebuild(maps.clone(), built.clone()).await {
                            built = Some((table, maps.clone()));
                            withdrawn = false;
                        }
                    }
                }
                Some(PeerEvent::Failed { error, .. }) => {
                    tracing::warn!("{error}; the routing table in service stays");
                }
            }
        }
    }

    /// Builds a table from `maps`, from `previous` (a table and the maps
    /// it was built from) where it can, and swaps it in; `None` if it
    /// failed (the table in service stays).
    async fn rebuild(
        &self,
        maps: Arc<PeerMaps>,
        previous: Option<(Arc<RoutingTable>, Arc<PeerMaps>)>,
    ) -> Option<Arc<RoutingTable>> {
        let (nodes, routing) = (self.nodes.clone(), self.routing.clone());
        let started = Instant::now();
        let built = tokio::task::spawn_blocking(move || match previous {
            Some((table, old)) => RoutingTable::rebuild(&table, &old, &maps, &routing),
            None => RoutingTable::build(&maps, nodes, &routing),
        });
        match built.await {
            Ok(Ok(table)) => {
                let elapsed = started.elapsed();
                tracing::info!(
                    nodes_in_pids = table.node_pids().iter().flatten().count(),
                    reverse = table.reverse(),
                    reused = ?table.reuse(),
                    ?elapsed,
                    "routing table rebuilt"
                );
                self.metrics.build_seconds.set(elapsed.as_secs_f64());
                let table = Arc::new(table);
                self.table.store(Some(table.clone()));
                self.metrics.builds_ok.inc();
                self.metrics.withdrawn.set(0);
                Some(table)
            }
            Ok(Err(e)) => {
                self.metrics.builds_failed.inc();
                tracing::warn!("routing table not rebuilt, the one in service stays: {e}");
                None
            }
            Err(e) => {
                self.metrics.builds_failed.inc();
                tracing::error!("routing table build failed: {e}");
                None
            }
        }
    }

    fn withdraw(&self) {
        tracing::warn!(
            "no contact with the ALTO server for {:?} (alto.max-age): its maps are withdrawn, \
             every client gets the fallback ranking",
            self.max_age
        );
        let table = RoutingTable::fallback_only(self.nodes.clone(), &self.routing);
        self.table.store(Some(Arc::new(table)));
        self.metrics.withdrawn.set(1);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::table::tests::{figure5, nodes, routing};

    /// Waits until `check` holds for the table in service (2 s at most).
    async fn until(table: &ArcSwapOption<RoutingTable>, check: impl Fn(&RoutingTable) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(2);
        while !table.load().as_deref().is_some_and(&check) {
            assert!(Instant::now() < deadline, "the table never changed");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    fn pid1_fallback(t: &RoutingTable) -> bool {
        t.route("198.51.100.1".parse().unwrap()).fallback
    }

    #[tokio::test]
    async fn maps_without_contact_for_max_age_are_withdrawn_and_return_on_contact() {
        let nodes = nodes(1);
        let metrics = Arc::new(Metrics::new(&nodes));
        let table = Arc::new(ArcSwapOption::<RoutingTable>::empty());
        let keeper = Keeper {
            table: table.clone(),
            nodes,
            routing: routing(),
            max_age: Duration::from_millis(100),
            metrics: metrics.clone(),
        };
        let (tx, rx) = mpsc::channel(4);
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(keeper.run(rx, shutdown.clone()));
        let maps = Arc::new(figure5("multipath"));
        tx.send(PeerEvent::Updated { peer: 0, maps }).await.unwrap();
        until(&table, |t| !pid1_fallback(t)).await;
        // A failure is no contact: the table stays until max-age, then
        // every client gets the fallback.
        let failed = PeerEvent::Failed {
            peer: 0,
            error: "peer `alto`: connection refused".into(),
            url: "http://127.0.0.1:1/directory".into(),
            class: "connect",
        };
        tx.send(failed).await.unwrap();
        until(&table, pid1_fallback).await;
        assert_eq!(metrics.withdrawn.get(), 1);
        tx.send(PeerEvent::Current { peer: 0 }).await.unwrap();
        until(&table, |t| !pid1_fallback(t)).await;
        assert_eq!(metrics.withdrawn.get(), 0);
        assert_eq!(metrics.builds_ok.get(), 2);
        shutdown.cancel();
        task.await.unwrap();
    }
}
