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
use crate::domain::{Role, Timestamp};
use crate::service::tokens::NewToken;
use crate::store::{AuditEntry, AuditFilter, AuditVerification, BackupReport, TokenInfo};

#[utoipa::path(get, path = "/api/v1/tokens", operation_id = "list_tokens", tag = "admin",
    responses((status = 200, description = "Every token ever created (never the token itself)", body = Vec<TokenInfo>)))]
pub async fn tokens(State(app): State<Arc<App>>) -> ApiResult<Json<Vec<TokenInfo>>> {
    blocking(move || Ok(app.tokens.list()?)).await.map(Json)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// The name the audit log will show as the actor, e.g. `crm-sync`: 1 to 64 letters, digits,
    /// `-`, `_`, `.` or `@`.
    #[schema(pattern = r"^[A-Za-z0-9._@-]{1,64}$")]
    pub name: String,
    #[schema(value_type = TokenRole)]
    pub role: Role,
}

/// The roles a token can have (every role but Custode's own `system`).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "kebab-case")]
#[allow(dead_code)] // describes `TokenRequest::role` to OpenAPI; the request reads a `Role`
pub enum TokenRole {
    Admin,
    Dpo,
    Operator,
    Auditor,
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "admin",
    request_body(content = TokenRequest, example = json!({"name": "crm-sync", "role": "operator"})),
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

#[utoipa::path(delete, path = "/api/v1/tokens/{name}", tag = "admin",
    params(("name" = String, Path, description = "The token's name")),
    responses((status = 204, description = "Revoked"), (status = 404, description = "No token has this name"),
        (status = 409, description = "The caller's own token: revoking it could leave no admin token")))]
pub async fn revoke_token(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<StatusCode> {
    blocking(move || {
        // Through the API an admin could lock every admin out, with no way back but the server's
        // machine; the CLI there may still revoke anything (`serve` then prints a new admin token).
        // Refusing a token's own revocation is enough: the caller is an active admin, so another
        // admin token it revokes is never the last one.
        if *who.name == *name {
            return Err(Problem::new(
                StatusCode::CONFLICT,
                "conflict",
                "Conflict",
                format!("`{name}` is the token making this request: revoke it with another admin token, or with `custode token revoke` on the server"),
            )
            .into());
        }
        Ok(app.tokens.revoke(&who.actor(), &name)?)
    })
    .await
    .map(|()| StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/settings", operation_id = "settings", tag = "admin",
    responses((status = 200, description = "The configuration in force (file, environment, defaults)", body = Config)))]
pub async fn settings(State(app): State<Arc<App>>) -> Json<Config> {
    Json(app.config.clone())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupRequest {
    /// A file name (no directories, at most 100 characters) for the copy in `<data dir>/backups/`;
    /// default `custode-<time>.db`.
    #[schema(pattern = r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$")]
    pub file: Option<String>,
}

/// The longest backup file name: with the `.partial` of the copy in progress it stays far below
/// the 255 bytes file systems allow.
const MAX_BACKUP_NAME: usize = 100;

/// What the schema's pattern for `BackupRequest::file` says (a test keeps them the same): letters,
/// digits, `-`, `_` and `.`, not starting with `.`, at most [`MAX_BACKUP_NAME`] characters.
fn plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_BACKUP_NAME
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

#[utoipa::path(post, path = "/api/v1/backup", tag = "admin",
    request_body(content = BackupRequest, example = json!({"file": "before-upgrade.db"})),
    responses((status = 201, description = "The copy: where, how large, and the audit log's head in it", body = BackupReport),
        (status = 409, description = "The file exists")))]
pub async fn backup(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiJson(body): ApiJson<BackupRequest>,
) -> ApiResult<(StatusCode, Json<BackupReport>)> {
    let name = body
        .file
        .unwrap_or_else(|| format!("custode-{}.db", chrono::Utc::now().format("%Y%m%dT%H%M%SZ")));
    if !plain_file_name(&name) {
        let shown: String = name.chars().filter(|c| !c.is_control()).take(40).collect();
        let more = if name.chars().count() > 40 { "…" } else { "" };
        return Err(Problem::invalid(
            "file",
            format!("`{shown}{more}` is not a plain file name: backups go to the data directory's `backups/` folder; use letters, digits, `-`, `_` and `.` only, at most {MAX_BACKUP_NAME} of them, not starting with `.`"),
        )
        .into());
    }
    blocking(move || {
        let dir = app.backups_dir();
        crate::store::files::create_private_dir(&dir)
            .map_err(|e| crate::store::StoreError::io("cannot create", &dir, e))?;
        Ok(app.compliance.backup(&who.actor(), &dir.join(name))?)
    })
    .await
    .map(|r| (StatusCode::CREATED, Json(r)))
}

#[utoipa::path(get, path = "/api/v1/metrics", operation_id = "metrics", tag = "admin",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")))]
pub async fn metrics(
    State(app): State<Arc<App>>,
    State(metrics): State<Arc<Metrics>>,
) -> impl IntoResponse {
    // Request cases are counted from the database: a few rows, read off the async workers.
    let compliance = app.compliance.clone();
    let cases = tokio::task::spawn_blocking(move || compliance.case_counts(Timestamp::now()))
        .await
        .ok()
        .and_then(|r| {
            r.map_err(|e| tracing::warn!(error = %e, "cannot count request cases for the metrics"))
                .ok()
        });
    let compliance = app.compliance.clone();
    // A failed read leaves the retention gauges out rather than failing the whole scrape.
    let last = tokio::task::spawn_blocking(move || compliance.retention_runs(None, 1))
        .await
        .ok()
        .and_then(|runs| runs.ok())
        .and_then(|mut runs| runs.pop());
    let mut text = metrics.render(&app.jobs, cases);
    text += &crate::api::metrics::render_retention(last.as_ref());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Entries after this sequence number.
    after: Option<i64>,
    /// Entries about this target, e.g. `contact:42`, `plugin:csv`.
    #[param(example = "contact:42")]
    target: Option<String>,
    /// At most this many (default 100, at most 10000).
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/audit", operation_id = "list_audit_entries", tag = "audit", params(AuditQuery),
    responses((status = 200, description = "Entries, oldest first", body = Vec<AuditEntry>)))]
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

#[utoipa::path(get, path = "/api/v1/audit/verify", operation_id = "verify_audit_log", tag = "audit",
    responses((status = 200, description = "Whether the hash chain is intact, and the first problem", body = AuditVerification)))]
pub async fn audit_verify(State(app): State<Arc<App>>) -> ApiResult<Json<AuditVerification>> {
    blocking(move || Ok(app.compliance.audit_verify()?))
        .await
        .map(Json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::PartialSchema;

    #[test]
    fn the_backup_file_pattern_is_the_rule_the_handler_applies() {
        let schema = serde_json::to_value(BackupRequest::schema()).unwrap();
        let pattern = schema["properties"]["file"]["pattern"].as_str().unwrap();
        let pattern = regex::Regex::new(pattern).unwrap();
        let (at_limit, over, far_over) = ("x".repeat(100), "x".repeat(101), "x".repeat(300));
        let names = [
            "before-upgrade.db",
            "custode-20260101T000000Z.db",
            "a",
            "_x.db",
            "",
            ".hidden",
            "../custode.db",
            "a/b.db",
            "with space.db",
            "caffè.db",
            "a\nb",
            &at_limit,
            &over,
            &far_over,
        ];
        for name in names {
            assert_eq!(pattern.is_match(name), plain_file_name(name), "{name:?}");
        }
    }
}
