//! What the API's handlers and middleware share: the installation ([`App`], the same one the CLI
//! opens) and what only a server has: its request metrics and its count of failed authentication. Handlers take the part they need
//! (`State<Arc<App>>`, `State<Arc<Metrics>>`).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::extract::FromRef;

use super::failed_auth::FailedAuth;
use super::metrics::Metrics;
use crate::app::App;

#[derive(Clone)]
pub struct ApiState {
    pub app: Arc<App>,
    pub metrics: Arc<Metrics>,
    /// Failed authentication per client address (`failed_auth.rs`).
    pub failed_auth: Arc<FailedAuth>,
    /// Idempotency keys whose first request is running (`idempotency.rs`).
    pub in_flight: Arc<InFlight>,
}

impl FromRef<ApiState> for Arc<App> {
    fn from_ref(state: &ApiState) -> Arc<App> {
        state.app.clone()
    }
}

impl FromRef<ApiState> for Arc<Metrics> {
    fn from_ref(state: &ApiState) -> Arc<Metrics> {
        state.metrics.clone()
    }
}

/// The idempotency keys whose first request is still running: (token name, key).
#[derive(Default)]
pub struct InFlight(Mutex<HashSet<(Arc<str>, String)>>);

impl InFlight {
    /// Marks `slot` running until the returned guard is dropped; `None` if it already runs.
    pub fn begin(&self, slot: (Arc<str>, String)) -> Option<Running<'_>> {
        let mut set = self.0.lock().unwrap_or_else(|p| p.into_inner());
        // Lazily: a guard built for a key already running would free it when dropped.
        set.insert(slot.clone())
            .then(|| Running { set: self, slot })
    }
}

/// A running request's key; dropping it frees the key.
pub struct Running<'a> {
    set: &'a InFlight,
    slot: (Arc<str>, String),
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        let mut set = self.set.0.lock().unwrap_or_else(|p| p.into_inner());
        set.remove(&self.slot);
    }
}
