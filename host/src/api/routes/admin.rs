//! Tokens, settings, backup, metrics and the audit log.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;

use crate::api::extract::{blocking, ApiJson, ApiPath, ApiQuery, Caller};
use crate::api::metrics::Metrics;
use crate::api::problem::{ApiResult, Problem};
use crate::app::App;
use crate::config::Config;
use crate::domain::Role;
use crate::service::tokens::NewToken;
use crate::store::{AuditEntry, AuditFilter, AuditVerification, BackupReport, TokenInfo};

#[utoipa::path(get, path = "/api/v1/tokens", tag = "admin",
    responses((status = 200, description = "Every token ever created (never the token itself)", body = Vec<TokenInfo>)))]
pub async fn tokens(State(app): State<Arc<App>>) -> ApiResult<Json<Vec<TokenInfo>>> {
    blocking(move || Ok(app.tokens.list()?)).await.map(Json)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// The name the audit log will show as the actor, e.g. `crm-sync`.
    pub name: String,
    /// admin, dpo, operator or auditor.
    #[schema(value_type = String, example = "operator")]
    pub role: Role,
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "admin", request_body = TokenRequest,
    responses((status = 201, description = "The token, shown this once", body = NewToken), (status = 409, description = "The name was used before")))]
pub async fn create_token(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiJson(body): ApiJson<TokenRequest>,
) -> ApiResult<(StatusCode, Json<NewToken>)> {
    blocking(move || Ok(app.tokens.create(&who.actor(), &body.name, body.role)?))
        .await
        .map(|t| (StatusCode::CREATED, Json(t)))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{name}", tag = "admin", params(("name" = String, Path)),
    responses((status = 204), (status = 404)))]
pub async fn revoke_token(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<StatusCode> {
    blocking(move || Ok(app.tokens.revoke(&who.actor(), &name)?))
        .await
        .map(|()| StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/settings", tag = "admin",
    responses((status = 200, description = "The configuration in force (file, environment, defaults)", body = Object)))]
pub async fn settings(State(app): State<Arc<App>>) -> Json<Config> {
    Json(app.config.clone())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupRequest {
    /// A file name (no directories) for the copy in `<data dir>/backups/`; default
    /// `custode-<time>.db`.
    pub file: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/backup", tag = "admin", request_body = BackupRequest,
    responses((status = 201, body = Object), (status = 409, description = "The file exists")))]
pub async fn backup(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiJson(body): ApiJson<BackupRequest>,
) -> ApiResult<(StatusCode, Json<BackupReport>)> {
    let name = body
        .file
        .unwrap_or_else(|| format!("custode-{}.db", chrono::Utc::now().format("%Y%m%dT%H%M%SZ")));
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !plain {
        return Err(Problem::invalid(
            "file",
            format!("`{name}` is not a plain file name: backups go to the data directory's `backups/` folder; use letters, digits, `-`, `_` and `.` only"),
        )
        .into());
    }
    blocking(move || {
        let dir = app.backups_dir();
        std::fs::create_dir_all(&dir)
            .map_err(|e| crate::store::StoreError::io("cannot create", &dir, e))?;
        Ok(app.compliance.backup(&who.actor(), &dir.join(name))?)
    })
    .await
    .map(|r| (StatusCode::CREATED, Json(r)))
}

#[utoipa::path(get, path = "/api/v1/metrics", tag = "admin",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub async fn metrics(
    State(app): State<Arc<App>>,
    State(metrics): State<Arc<Metrics>>,
) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        metrics.render(&app.jobs),
    )
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Entries after this sequence number.
    after: Option<i64>,
    /// Entries about this target, e.g. `contact:42`, `plugin:csv`.
    target: Option<String>,
    /// At most this many (default 100, at most 10000).
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, description = "Entries, oldest first", body = Object)))]
pub async fn audit(
    State(app): State<Arc<App>>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    blocking(move || {
        Ok(app.compliance.audit_list(&AuditFilter {
            after: q.after,
            target: q.target,
            limit: q.limit.unwrap_or(100),
        })?)
    })
    .await
    .map(Json)
}

#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, description = "Whether the hash chain is intact, and the first problem", body = Object)))]
pub async fn audit_verify(State(app): State<Arc<App>>) -> ApiResult<Json<AuditVerification>> {
    blocking(move || Ok(app.compliance.audit_verify()?))
        .await
        .map(Json)
}
