//! Stream control (RFC 8895 §7): adding and removing substreams of an open
//! stream through its control URI.

use altofed_model::error::ErrorDoc;

use super::frame::{control_event, Control};
use super::queue::Batch;
use super::registry::{full_replacements, Substream, UpdateStreams};
use super::request::{validate_add, UpdateStreamParams};
use crate::http::ApiError;

impl UpdateStreams {
    /// Applies a control request to stream `id`, atomically: either all of
    /// it or (on error) nothing (RFC 8895 §7.5). `add` is processed before
    /// `remove`; removing every substream closes the stream (RFC 8895 §7.6).
    /// The resulting events are queued before this returns, so the caller
    /// can answer 204.
    pub(super) fn control(&self, id: &str, params: &UpdateStreamParams) -> Result<(), ApiError> {
        let max_line = self.shared.config.max_data_line;
        if let Some(add) = &params.add {
            self.prepare_full(add);
        }
        let mut state = self.shared.lock();
        let synced = state.synced.clone();
        let (Some(stream), Some(synced)) = (state.streams.get_mut(id), synced) else {
            tracing::warn!(control_id = %id, "control request for an unknown update stream");
            return Err(ApiError::NotFound(super::control_uri(id)));
        };

        // Validate everything first.
        let added = match &params.add {
            Some(add) => validate_add(add, &synced.snapshot, |sid| stream.used.contains(sid))?,
            None => Vec::new(),
        };
        if let Some(remove) = &params.remove {
            if remove.is_empty() && !added.is_empty() {
                return Err(ErrorDoc::invalid_field_value("remove", "[]").into());
            }
            let known =
                |sid: &String| stream.used.contains(sid) || added.iter().any(|a| a.id == *sid);
            if let Some(unknown) = remove.iter().find(|sid| !known(sid)) {
                return Err(ErrorDoc::invalid_field_value("remove", unknown.clone()).into());
            }
        }

        // Then apply.
        let mut batch = Batch::new();
        if !added.is_empty() {
            let ids = added.iter().map(|a| a.id.clone()).collect();
            batch.push(control_event(&Control::started(ids), max_line));
            full_replacements(&synced, &added, &mut batch);
            stream.used.extend(added.iter().map(|a| a.id.clone()));
            stream
                .substreams
                .extend(added.into_iter().map(Substream::from));
        }
        if let Some(remove) = &params.remove {
            let all = remove.is_empty();
            let (stopped, kept): (Vec<_>, Vec<_>) = stream
                .substreams
                .drain(..)
                .partition(|s| all || remove.contains(&s.id));
            stream.substreams = kept;
            if !stopped.is_empty() {
                let ids = stopped.into_iter().map(|s| s.id).collect();
                batch.push(control_event(
                    &Control::stopped(ids, "removed by client request"),
                    max_line,
                ));
            }
        }

        if stream.substreams.is_empty() {
            stream.queue.finish(Some(batch));
            state.streams.remove(id);
        } else if !batch.is_empty() && stream.queue.push(batch).is_err() {
            // The client fell too far behind; the stream is gone.
            state.streams.remove(id);
            return Err(ApiError::NotFound(super::control_uri(id)));
        }
        Ok(())
    }
}
