//! The bounded queue between the publisher side and one client's response
//! body. Pushing never waits: when the client has fallen `capacity`
//! batches behind, the queue is emptied and marked overflowed, and the
//! stream is cut (the client can reconnect and resync with its tags).

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use tokio::sync::Notify;

/// The chunks of one or more SSE events that go out together (the updates
/// of one snapshot, or the answer to one control request).
pub type Batch = Vec<Bytes>;

/// Why a queue ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Orderly: what is queued is delivered, then the body ends.
    Done,
    /// The client was too slow; the connection is cut.
    Overflow,
}

/// What the consumer gets next.
#[derive(Debug)]
pub enum Next {
    Batch(Batch),
    End(End),
}

#[derive(Debug)]
pub struct Queue {
    state: Mutex<State>,
    ready: Notify,
}

#[derive(Debug)]
struct State {
    items: VecDeque<Batch>,
    capacity: usize,
    end: Option<End>,
}

/// The queue no longer takes batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed;

impl Queue {
    pub fn new(capacity: usize) -> Self {
        let state = State {
            items: VecDeque::new(),
            capacity: capacity.max(1),
            end: None,
        };
        Self {
            state: Mutex::new(state),
            ready: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `batch`; if the queue is full it overflows instead.
    pub fn push(&self, batch: Batch) -> Result<(), Closed> {
        let result = {
            let mut state = self.lock();
            if state.end.is_some() {
                return Err(Closed);
            }
            if state.items.len() >= state.capacity {
                state.items.clear();
                state.end = Some(End::Overflow);
                Err(Closed)
            } else {
                state.items.push_back(batch);
                Ok(())
            }
        };
        self.ready.notify_one();
        result
    }

    /// Queues a last batch regardless of capacity and ends the queue.
    pub fn finish(&self, last: Option<Batch>) {
        {
            let mut state = self.lock();
            if state.end.is_some() {
                return;
            }
            state.items.extend(last);
            state.end = Some(End::Done);
        }
        self.ready.notify_one();
    }

    /// The next batch, or the end once everything queued was taken.
    /// Cancel-safe: a batch is only taken when it is returned.
    pub async fn next(&self) -> Next {
        loop {
            {
                let mut state = self.lock();
                if let Some(batch) = state.items.pop_front() {
                    return Next::Batch(batch);
                }
                if let Some(end) = state.end {
                    return Next::End(end);
                }
            }
            self.ready.notified().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn overflow_drops_pending_and_ends() {
        let queue = Queue::new(2);
        assert_eq!(queue.push(vec![Bytes::from_static(b"a")]), Ok(()));
        assert_eq!(queue.push(vec![Bytes::from_static(b"b")]), Ok(()));
        assert_eq!(queue.push(vec![Bytes::from_static(b"c")]), Err(Closed));
        assert!(matches!(queue.next().await, Next::End(End::Overflow)));
        assert_eq!(queue.push(vec![]), Err(Closed));
    }

    #[tokio::test]
    async fn finish_delivers_queued_then_ends() {
        let queue = Queue::new(1);
        assert_eq!(queue.push(vec![Bytes::from_static(b"a")]), Ok(()));
        queue.finish(Some(vec![Bytes::from_static(b"z")]));
        assert!(matches!(queue.next().await, Next::Batch(b) if b[0] == "a"));
        assert!(matches!(queue.next().await, Next::Batch(b) if b[0] == "z"));
        assert!(matches!(queue.next().await, Next::End(End::Done)));
    }
}
