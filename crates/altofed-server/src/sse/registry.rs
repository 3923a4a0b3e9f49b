//! The open update streams of one server, and the snapshot they are all
//! synchronized to. Everything here runs under one short-held `std` mutex
//! and never awaits: a stream's updates are pushed into its bounded queue
//! without waiting, so a slow client can never hold up the publisher or
//! the other clients.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use altofed_model::error::ErrorDoc;
use axum::http::StatusCode;
use tokio::sync::watch;

use super::frame::{control_event, event_line, Control};
use super::patch::Updates;
use super::queue::{Batch, Queue};
use super::request::{current_tag, rank, validate_add, AddMap, NewSubstream, UpdateStreamParams};
use super::transition::{Needs, Synced, Transition};
use super::{control_uri, StreamConfig};
use crate::http::ApiError;
use crate::state::AppState;

/// The update stream service's state; one per server, kept in
/// [`AppState`]. Cheap to clone.
#[derive(Debug, Clone)]
pub struct UpdateStreams {
    pub(super) shared: Arc<Shared>,
}

#[derive(Debug)]
pub(super) struct Shared {
    pub(super) config: StreamConfig,
    state: Mutex<Streams>,
    /// Becomes `true` on shutdown; stops the hub.
    pub(super) stop: watch::Sender<bool>,
}

#[derive(Debug, Default)]
pub(super) struct Streams {
    /// The snapshot every stream is synchronized to; `None` before the
    /// first stream, or while no snapshot exists.
    pub(super) synced: Option<Arc<Synced>>,
    /// Open streams by control id.
    pub(super) streams: HashMap<String, Stream>,
    pub(super) hub_running: bool,
    pub(super) shutting_down: bool,
}

#[derive(Debug)]
pub(super) struct Stream {
    pub(super) queue: Arc<Queue>,
    /// The client's address, for the per-client limit.
    pub(super) client: IpAddr,
    /// Active substreams, in the order they were added.
    pub(super) substreams: Vec<Substream>,
    /// Every substream id ever used in this stream (RFC 8895 §7.5).
    pub(super) used: HashSet<String>,
}

#[derive(Debug, Clone)]
pub(super) struct Substream {
    pub(super) id: String,
    pub(super) resource_id: String,
    pub(super) updates: Updates,
}

/// A newly opened stream: its control id and the queue its body reads.
#[derive(Debug)]
pub(super) struct Opened {
    pub(super) id: String,
    pub(super) queue: Arc<Queue>,
}

impl UpdateStreams {
    pub fn new(config: StreamConfig) -> Self {
        let (stop, _) = watch::channel(false);
        let shared = Shared {
            config,
            state: Mutex::new(Streams::default()),
            stop,
        };
        Self {
            shared: Arc::new(shared),
        }
    }

    pub fn config(&self) -> &StreamConfig {
        &self.shared.config
    }

    /// Number of open update streams.
    pub fn open_streams(&self) -> usize {
        self.shared.lock().streams.len()
    }

    /// Ends every stream: each gets a control event stopping all its
    /// substreams, then its body ends once the queued events are out. New
    /// streams are refused with 503 from then on.
    pub fn shutdown(&self) {
        let max_line = self.shared.config.max_data_line;
        let mut state = self.shared.lock();
        state.shutting_down = true;
        for (_, stream) in state.streams.drain() {
            let ids = stream.substreams.into_iter().map(|s| s.id).collect();
            let stopped = Control::stopped(ids, "the server is shutting down");
            stream
                .queue
                .finish(Some(vec![control_event(&stopped, max_line)]));
        }
        drop(state);
        self.shared.stop.send_replace(true);
    }

    /// Validates a stream request and registers the stream; its queue holds
    /// the first events: the control URI, then a full replacement for each
    /// substream whose client tag is not current (RFC 8895 §6.7.1).
    pub(super) fn open(
        &self,
        app: &AppState,
        params: &UpdateStreamParams,
        id: String,
        client: IpAddr,
    ) -> Result<Opened, ApiError> {
        let add = params
            .add
            .as_ref()
            .ok_or_else(|| ErrorDoc::missing_field("add"))?;
        if add.0.is_empty() {
            return Err(ErrorDoc::invalid_field_value("add", "{}").into());
        }
        super::hub::ensure_running(self, app);
        self.prepare_full(add);
        let config = &self.shared.config;
        let mut state = self.shared.lock();
        if state.shutting_down {
            return Err(ApiError::Unavailable);
        }
        if state.synced.is_none() {
            // The first snapshot may be published before the hub sees it;
            // with no snapshot there is no stream to update, so start here.
            state.synced = app
                .snapshot()
                .map(|s| Arc::new(Synced::new(s, config.max_data_line)));
        }
        let synced = state.synced.clone().ok_or(ApiError::Unavailable)?;
        let new = validate_add(add, &synced.snapshot, |_| false)?;
        check_limits(&state, config, client)?;
        let mut batch = vec![control_event(
            &Control::uri(control_uri(&id)),
            config.max_data_line,
        )];
        full_replacements(&synced, &new, &mut batch);
        let queue = Arc::new(Queue::new(config.queue_capacity));
        // A fresh queue has room for one batch.
        let _ = queue.push(batch);
        let stream = Stream {
            queue: queue.clone(),
            client,
            used: new.iter().map(|s| s.id.clone()).collect(),
            substreams: new.into_iter().map(Substream::from).collect(),
        };
        state.streams.insert(id.clone(), stream);
        Ok(Opened { id, queue })
    }

    /// Builds, on a blocking thread, the lazy bodies ([`crate::snapshot::Body`])
    /// of the resources `add` names, in the snapshot the streams are at
    /// (else the one served), so that [`UpdateStreams::prepare_full`] only
    /// copies. Should a snapshot come in between, that one's are built by
    /// whoever reads them first.
    pub(super) async fn build_bodies(&self, app: &AppState, add: &AddMap) {
        let synced = self.shared.lock().synced.clone();
        let snapshot = synced
            .map(|s| s.snapshot.clone())
            .or_else(|| app.snapshot());
        if let Some(snapshot) = snapshot {
            let ids = add.0.iter().map(|(_, r)| r.resource_id.as_str());
            snapshot.build_bodies(ids).await;
        }
    }

    /// Encodes, outside the lock, the full replacements that adding `add`
    /// will send (once per snapshot; later streams share them).
    pub(super) fn prepare_full(&self, add: &AddMap) {
        let Some(synced) = self.shared.lock().synced.clone() else {
            return;
        };
        for (_, request) in &add.0 {
            if request.tag.as_deref() != current_tag(&synced.snapshot, &request.resource_id) {
                let _ = synced.full(&request.resource_id);
            }
        }
    }

    /// Forgets a stream whose body is gone (client disconnected).
    pub(super) fn forget(&self, id: &str) {
        self.shared.lock().streams.remove(id);
    }
}

/// At most `max_streams` open streams, `max_streams_per_client` of them
/// from one address.
fn check_limits(state: &Streams, config: &StreamConfig, client: IpAddr) -> Result<(), ApiError> {
    if state.streams.len() >= config.max_streams {
        return Err(ApiError::TooMany {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: format!(
                "the server has {} update streams open, its limit \
                 (server.limits.max-update-streams)",
                config.max_streams
            ),
        });
    }
    let from_client = state
        .streams
        .values()
        .filter(|s| s.client == client)
        .count();
    if from_client >= config.max_streams_per_client {
        return Err(ApiError::TooMany {
            status: StatusCode::TOO_MANY_REQUESTS,
            message: format!(
                "{client} has {from_client} update streams open, the limit per client \
                 (server.limits.max-update-streams-per-client)"
            ),
        });
    }
    Ok(())
}

impl Shared {
    pub(super) fn lock(&self) -> MutexGuard<'_, Streams> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// What the subscribers of each resource want, to prepare a transition.
    pub(super) fn needs(state: &Streams) -> BTreeMap<String, Needs> {
        let mut needs: BTreeMap<String, Needs> = BTreeMap::new();
        for sub in state.streams.values().flat_map(|s| &s.substreams) {
            needs
                .entry(sub.resource_id.clone())
                .or_default()
                .add(sub.updates);
        }
        needs
    }

    /// Sends every stream its updates for `transition` and makes its target
    /// the synchronized snapshot. Streams that cannot keep up are closed.
    pub(super) fn apply(&self, transition: &Transition) {
        let max_line = self.config.max_data_line;
        let mut state = self.lock();
        if state.shutting_down {
            return;
        }
        let snapshot = &transition.to.snapshot;
        let mut gone = Vec::new();
        for (id, stream) in &mut state.streams {
            let mut batch = Batch::new();
            // Resources no longer offered end their substreams.
            let (kept, lost): (Vec<_>, Vec<_>) = stream
                .substreams
                .drain(..)
                .partition(|s| snapshot.resources.contains_key(&s.resource_id));
            stream.substreams = kept;
            if !lost.is_empty() {
                let ids = lost.into_iter().map(|s| s.id).collect();
                batch.push(control_event(
                    &Control::stopped(ids, "the resource is no longer offered"),
                    max_line,
                ));
            }
            let mut order: Vec<&Substream> = stream.substreams.iter().collect();
            order.sort_by_key(|s| rank(snapshot, &s.resource_id));
            for sub in order {
                if let Some((media_type, data)) =
                    transition.update_for(&sub.resource_id, sub.updates)
                {
                    batch.push(event_line(media_type, &sub.id));
                    batch.extend(data.parts().iter().cloned());
                }
            }
            if stream.substreams.is_empty() {
                stream.queue.finish(Some(batch));
                gone.push(id.clone());
            } else if !batch.is_empty() && stream.queue.push(batch).is_err() {
                tracing::info!(stream = %id, "update stream closed: the client fell too far behind");
                gone.push(id.clone());
            }
        }
        for id in gone {
            state.streams.remove(&id);
        }
        state.synced = Some(transition.to.clone());
    }
}

/// Full replacements for the new substreams whose client tag is stale.
pub(super) fn full_replacements(synced: &Synced, new: &[NewSubstream], batch: &mut Batch) {
    for sub in new.iter().filter(|s| !s.up_to_date) {
        let media_type = synced
            .snapshot
            .resources
            .get(&sub.resource_id)
            .map(|r| r.media_type);
        if let (Some(media_type), Some(data)) = (media_type, synced.full(&sub.resource_id)) {
            batch.push(event_line(media_type, &sub.id));
            batch.extend(data.parts().iter().cloned());
        }
    }
}

impl From<NewSubstream> for Substream {
    fn from(new: NewSubstream) -> Self {
        Self {
            id: new.id,
            resource_id: new.resource_id,
            updates: new.updates,
        }
    }
}
