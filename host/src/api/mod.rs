//! The HTTP admin API (axum): routes under `/api/v1`, bearer tokens and the role matrix
//! ([`access`]), problem details ([`problem`]), extractors ([`extract`]), metrics, OpenAPI and its
//! `/docs` page ([`docs`]), and [`serve`] with graceful shutdown. Handlers are small: extractors and
//! one service call, run off the async workers (`spawn_blocking`), because every service call may
//! touch SQLite or a plugin.

// Handlers return problem details by value: an error answer is the rare path, and a 150-byte
// `Result` costs nothing next to an HTTP round trip, while boxing would clutter every handler.
#![allow(clippy::result_large_err)]

pub mod access;
pub mod conn;
pub mod docs;
pub mod extract;
pub mod failed_auth;
pub mod idempotency;
pub mod metrics;
pub mod openapi;
pub mod problem;
pub mod routes;
pub mod schema;
pub mod state;
pub mod visibility;

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post, put};
use axum::{Extension, Json, Router};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

use crate::app::App;
use conn::{ClientAddr, ProblemListener};
use extract::BodyLimit;
use failed_auth::FailedAuth;
use metrics::Metrics;
use problem::Problem;
use routes::{admin, cases, compliance, consents, contacts, imports, plugins, requests, retention};
use state::ApiState;

/// Builds the application: every route, its access rule, limits, request ids, problem details.
pub fn router(app: Arc<App>) -> Router {
    let failed_auth = Arc::new(FailedAuth::new(&app.config.server));
    router_with(app, failed_auth)
}

fn router_with(app: Arc<App>, failed_auth: Arc<FailedAuth>) -> Router {
    let metrics = Metrics::for_routes(access::ROUTES.iter().map(|r| (r.method, r.path)));
    let state = ApiState {
        app: app.clone(),
        metrics: Arc::new(metrics),
        failed_auth,
        in_flight: Arc::default(),
    };
    let server = &app.config.server;
    let plugin_limit = DefaultBodyLimit::max(server.max_plugin_bytes);
    let api = Router::new()
        .route("/healthz", get(healthz))
        .route("/docs", get(docs::page))
        .route("/api/v1/openapi.json", get(openapi::document))
        .route(
            "/api/v1/plugins",
            get(plugins::list).post(plugins::upload).layer(plugin_limit),
        )
        .route(
            "/api/v1/plugins/{name}",
            get(plugins::inspect).delete(plugins::delete),
        )
        .route("/api/v1/plugins/{name}/enable", post(plugins::enable))
        .route("/api/v1/plugins/{name}/disable", post(plugins::disable))
        .route("/api/v1/plugins/{name}/settings", put(plugins::configure))
        .route(
            "/api/v1/tokens",
            get(admin::tokens).post(admin::create_token),
        )
        .route(
            "/api/v1/tokens/{name}",
            axum::routing::delete(admin::revoke_token),
        )
        .route("/api/v1/settings", get(admin::settings))
        .route("/api/v1/backup", post(admin::backup))
        .route("/api/v1/metrics", get(admin::metrics))
        .route(
            "/api/v1/contacts",
            get(contacts::list).post(contacts::create),
        )
        .route("/api/v1/contacts/{id}", get(contacts::get))
        .route("/api/v1/contacts/{id}/rectify", post(contacts::rectify))
        .route("/api/v1/contacts/{id}/restrict", post(contacts::restrict))
        .route(
            "/api/v1/contacts/{id}/legal-hold",
            post(contacts::legal_hold),
        )
        .route(
            "/api/v1/contacts/{id}/consents",
            get(consents::contact_consents),
        )
        .route(
            "/api/v1/contacts/{id}/legal-bases",
            get(contacts::legal_bases).post(contacts::add_legal_basis),
        )
        .route(
            "/api/v1/contacts/{id}/provenance",
            get(contacts::provenance),
        )
        .route("/api/v1/consent-events", post(compliance::record_consent))
        .route("/api/v1/can-process", get(compliance::can_process))
        .route("/api/v1/suppression", post(compliance::suppress))
        .route(
            "/api/v1/suppression/check",
            post(compliance::check_suppression),
        )
        .route("/api/v1/purposes", get(compliance::purposes))
        .route("/api/v1/fields", get(compliance::fields))
        .route(
            "/api/v1/notices",
            get(compliance::notices).post(compliance::publish_notice),
        )
        .route(
            "/api/v1/imports",
            get(imports::list)
                .post(imports::start)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/api/v1/imports/{id}", get(imports::status))
        .route(
            "/api/v1/contacts/{id}/notices",
            post(contacts::record_notice),
        )
        .route("/api/v1/requests", get(cases::list).post(cases::open))
        .route("/api/v1/requests/{id}", get(cases::get))
        .route("/api/v1/requests/{id}/verify", post(cases::verify))
        .route("/api/v1/requests/{id}/extend", post(cases::extend))
        .route("/api/v1/requests/{id}/refuse", post(cases::refuse))
        .route("/api/v1/requests/{id}/fulfil", post(cases::fulfil))
        .route("/api/v1/requests/{id}/document", get(cases::document))
        .route("/api/v1/requests/{id}/delivered", post(cases::delivered))
        .route("/api/v1/requests/{id}/close", post(cases::close))
        .route("/api/v1/requests/access", post(requests::access))
        .route("/api/v1/requests/erasure", post(requests::erasure))
        .route(
            "/api/v1/retention/runs",
            get(retention::runs).post(retention::run),
        )
        .route("/api/v1/retention/runs/{id}", get(retention::show))
        .route(
            "/api/v1/retention/runs/{id}/confirm",
            post(retention::confirm),
        )
        .route("/api/v1/retention/review", get(retention::review_items))
        .route(
            "/api/v1/retention/review/{id}",
            post(retention::review_resolve),
        )
        .route(
            "/api/v1/retention/explain/{contact_id}",
            get(retention::explain),
        )
        .route("/api/v1/audit", get(admin::audit))
        .route("/api/v1/audit/verify", get(admin::audit_verify))
        .route_layer(from_fn_with_state(state.clone(), idempotency::guard))
        .route_layer(from_fn_with_state(app.clone(), extract::bounded_writes))
        .route_layer(from_fn_with_state(state.clone(), access::enforce))
        // A static file of the public `/docs` page, holding no data: outside the access matrix and
        // the per-route metrics, which are about the API.
        .route(docs::SCALAR_PATH, get(docs::scalar))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    api.layer(DefaultBodyLimit::max(server.max_body_bytes))
        .layer(Extension(BodyLimit(server.max_body_bytes as u64)))
        .layer(from_fn(problem::render))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            // Per-request events at DEBUG: at 20 000 requests/s an INFO line each would cost more than
            // the requests (problem answers are logged at INFO by `problem::render`). The path is
            // logged without the query, which can hold an email.
            TraceLayer::new_for_http().make_span_with(|r: &Request| {
                tracing::debug_span!(
                    "request",
                    method = %r.method(),
                    path = %r.uri().path(),
                    id = r.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or(""),
                )
            }),
        )
        .layer(SetRequestIdLayer::x_request_id(SequentialIds::default()))
        .layer(from_fn(plain_request_id))
        .with_state(state)
}

/// A client's own `x-request-id` is kept only when it is a plain id (letters, digits, `.`, `_`,
/// `:`, `-`; at most 64): it is written into the log and into answers, and must not carry spaces
/// or tabs that make it look like more fields of the log line. Otherwise the server makes one.
async fn plain_request_id(
    mut request: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let plain = |v: &HeaderValue| {
        let b = v.as_bytes();
        !b.is_empty()
            && b.len() <= 64
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || b"._:-".contains(c))
    };
    if request
        .headers()
        .get("x-request-id")
        .is_some_and(|v| !plain(v))
    {
        request.headers_mut().remove("x-request-id");
    }
    next.run(request).await
}

async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

async fn not_found(request: Request) -> Problem {
    Problem::not_found(format!(
        "there is no route {} {}: see /docs or /api/v1/openapi.json for the routes",
        request.method(),
        request.uri().path()
    ))
}

async fn method_not_allowed(request: Request) -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method not allowed",
        format!(
            "{} is not allowed on {}: see /docs for the methods it has",
            request.method(),
            request.uri().path()
        ),
    )
}

/// Request ids: a random prefix per process and a counter — unique, and cheaper than a UUID per
/// request. A client's own `x-request-id` is kept.
#[derive(Clone)]
struct SequentialIds {
    prefix: Arc<str>,
    next: Arc<AtomicU64>,
}

impl Default for SequentialIds {
    fn default() -> Self {
        SequentialIds {
            prefix: Arc::from(format!("{:08x}", rand::random::<u32>())),
            next: Arc::new(AtomicU64::new(1)),
        }
    }
}

impl MakeRequestId for SequentialIds {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then shuts down gracefully: stops accepting,
/// lets requests in flight finish, lets import jobs finish within `server.shutdown_grace_secs` and
/// cancels those still running (their transactions roll back: nothing half-written); plugin calls
/// still running then are stopped, whatever their deadline.
/// Runs the retention schedule (`[retention] schedule`), if one is set: every 30 seconds asks whether
/// it fell due, so a run missed while the server was down starts within seconds of the start.
async fn schedule_forever(app: Arc<App>) {
    let Ok(Some(schedule)) = app.config.retention.schedule() else {
        return;
    };
    loop {
        let due = app.clone();
        let _ = tokio::task::spawn_blocking(move || {
            let now = crate::domain::Timestamp::now();
            match due.scheduled_retention(&schedule, now) {
                None => {}
                Some(Ok(r)) => tracing::info!(run = r.id, state = r.state.as_str(), erased = r.erased, "scheduled retention run"),
                Some(Err(e)) => tracing::error!(error = %e, "the scheduled retention run failed; it is tried again at the next scheduled time"),
            }
        })
        .await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
}

pub async fn serve(
    app: Arc<App>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let grace = Duration::from_secs(app.config.server.shutdown_grace_secs);
    let failed_auth = Arc::new(FailedAuth::new(&app.config.server));
    let refresher = tokio::spawn(refresh_forever(app.clone(), failed_auth.clone()));
    let scheduler = tokio::spawn(schedule_forever(app.clone()));
    // A retention apply a crash or a kill cut short is finished now, beside the requests: each
    // decision is applied once, with its audit entry, whoever gets to it first.
    let resumed = app.clone();
    tokio::task::spawn_blocking(move || {
        let actor = crate::domain::Actor::new("custode", crate::domain::Role::System);
        match resumed.compliance.finish_interrupted(&actor) {
            Ok(runs) if !runs.is_empty() => {
                tracing::info!(?runs, "finished the retention runs a stop had cut short")
            }
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %e, "cannot finish the retention runs a stop had cut short; the next run tries again")
            }
        }
    });
    let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
    let service = router_with(app.clone(), failed_auth.clone())
        .into_make_service_with_connect_info::<ClientAddr>();
    let server =
        axum::serve(ProblemListener(listener), service).with_graceful_shutdown(async move {
            shutdown.await;
            let _ = stopping_tx.send(());
        });
    let server = tokio::spawn(async move { server.await });
    // Either the signal came, or the server stopped by itself (an error).
    let _ = stopping_rx.await;
    refresher.abort();
    scheduler.abort();
    tracing::info!(
        running_imports = app.jobs.running(),
        grace_secs = grace.as_secs(),
        "shutting down: no new connections; requests in flight and import jobs may finish"
    );
    let jobs = app.jobs.clone();
    let jobs_done = tokio::task::spawn_blocking(move || jobs.shutdown(grace));
    // Whatever a plugin's deadline, no call into it outlives the grace period.
    let runtime = app.runtime.clone();
    let stopper = tokio::spawn(async move {
        tokio::time::sleep(grace).await;
        runtime.stop_calls();
    });
    match tokio::time::timeout(grace + Duration::from_secs(5), server).await {
        Ok(result) => result.map_err(std::io::Error::other)??,
        Err(_) => tracing::warn!("requests still in flight after the grace period were dropped"),
    }
    let cancelled = jobs_done.await.map_err(std::io::Error::other)?;
    // The windows still open are logged now, so no failure goes unreported.
    failed_auth.sweep(std::time::Instant::now() + Duration::from_secs(86_400 * 365));
    stopper.abort();
    if cancelled > 0 {
        tracing::warn!(
            cancelled,
            "import jobs cancelled at shutdown; they were rolled back, nothing of them was written"
        );
    }
    tracing::info!("stopped");
    Ok(())
}

/// Picks up tokens and plugins changed by another process (a CLI beside the server), once a second,
/// and logs the windows of failed authentication that ended.
async fn refresh_forever(app: Arc<App>, failed_auth: Arc<FailedAuth>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut seconds: u64 = 0;
    loop {
        tick.tick().await;
        seconds += 1;
        if seconds % 60 == 1 {
            // Access documents not delivered within `request_document_days` are deleted: no
            // forgotten copies of personal data.
            let compliance = app.compliance.clone();
            let purged = tokio::task::spawn_blocking(move || {
                compliance.purge_case_documents(crate::domain::Timestamp::now())
            });
            if let Ok(Err(e)) = purged.await {
                tracing::warn!(error = %e, "cannot delete the expired documents of request cases");
            }
        }
        failed_auth.sweep(std::time::Instant::now());
        let app = app.clone();
        if let Ok(Err(e)) = tokio::task::spawn_blocking(move || app.refresh()).await {
            tracing::warn!(error = %e, "cannot reload tokens and plugins");
        }
    }
}
