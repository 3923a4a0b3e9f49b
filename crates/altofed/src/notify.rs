//! systemd's readiness protocol (`Type=notify`, sd_notify(3)): READY=1 once
//! `/readyz` would answer 200, RELOADING=1 / READY=1 around a SIGHUP reload.
//! Every call is a no-op when `NOTIFY_SOCKET` is unset (not under systemd,
//! tests), so the serving code calls them unconditionally.

use altofed_server::AppState;
use sd_notify::NotifyState;

/// Sends READY=1 once `state` holds a snapshot: `/readyz` answers 200 from
/// then on (the listener is bound before this is called). A supervisor
/// that starts dependents after READY=1 finds the maps served.
pub fn ready_when_published(state: &AppState) {
    let mut changes = state.subscribe();
    tokio::spawn(async move {
        // `wait_for` looks at the current value first: a snapshot restored
        // from the state directory counts at once.
        if changes.wait_for(Option::is_some).await.is_ok() {
            send(&[NotifyState::Ready]);
        }
    });
}

/// RELOADING=1, with the monotonic time systemd asks for since v253.
pub fn reloading() {
    match NotifyState::monotonic_usec_now() {
        Ok(now) => send(&[NotifyState::Reloading, now]),
        Err(_) => send(&[NotifyState::Reloading]),
    }
}

/// READY=1 after a reload: the files are read again and the recompute
/// is queued.
pub fn reloaded() {
    send(&[NotifyState::Ready]);
}

fn send(states: &[NotifyState<'_>]) {
    // A service manager that cannot be told is not a reason to stop
    // serving; it will time the start-up out and say so itself.
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!("cannot notify the service manager (NOTIFY_SOCKET): {e}");
    }
}
