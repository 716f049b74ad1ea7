//! What the API's handlers and middleware share: the installation ([`App`], the same one the CLI
//! opens) and what only a server has: its request metrics and its count of failed authentication. Handlers take the part they need
//! (`State<Arc<App>>`, `State<Arc<Metrics>>`).

use std::sync::Arc;

use axum::extract::FromRef;

use super::failed_auth::FailedAuth;
use super::idempotency::InFlight;
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
