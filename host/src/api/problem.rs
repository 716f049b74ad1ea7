//! Errors as `application/problem+json` (RFC 9457): a stable `type` per kind of error
//! (`urn:custode:problem:<kind>`), a title, the status, a detail naming the thing and the fix, and the
//! request id. Every error of the services becomes one here, in one place.
//!
//! A handler's error response carries the [`Problem`] as an extension with no body yet; the
//! [`render`] middleware writes the body with the request's id, so the id is in every problem
//! without handlers having to pass it around.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::runtime::PluginError;
use crate::service::import::ImportError;
use crate::service::jobs::{import_error_kind, plugin_failure_kind};
use crate::store::{NextStep, StoreError};

pub const PROBLEM_PREFIX: &str = "urn:custode:problem:";

/// An RFC 9457 problem details object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// `urn:custode:problem:<kind>`, stable: programs branch on it.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What is wrong, naming the thing, and how to fix it.
    pub detail: String,
    /// The input at fault, when one is (e.g. `email`, `evidence.method`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The `x-request-id` of the request, to find it in the server's log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Seconds for the `Retry-After` header of a 429 or 503 that is worth retrying.
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, kind: &str, title: &str, detail: impl Into<String>) -> Self {
        Problem {
            kind: format!("{PROBLEM_PREFIX}{kind}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            field: None,
            request_id: None,
            retry_after: None,
        }
    }

    /// The single writer is taken (an import holds it until it commits): 503 with `Retry-After`.
    pub fn writer_busy(detail: impl Into<String>, retry_after_secs: u64) -> Self {
        let mut problem = Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "writer-busy",
            "Database busy",
            detail,
        );
        problem.retry_after = Some(retry_after_secs.max(1));
        problem
    }

    /// Too many failed authentications from the caller's address: 429 until its window ends.
    pub fn locked_out(locked: crate::api::failed_auth::Locked) -> Self {
        let secs = locked.retry_after.as_secs().max(1);
        let mut problem = Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-failed-authentications",
            "Too many failed authentications",
            format!(
                "{} requests from this address came without a valid token within {} seconds: no request from it needing a token is answered for {secs} more seconds (`Retry-After`); check the token the client sends (`[server] failed_auth_limit`)",
                locked.limit,
                locked.window.as_secs()
            ),
        );
        problem.retry_after = Some(secs);
        problem
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Authentication required",
            detail,
        )
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Not allowed for this role",
            detail,
        )
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    pub fn bad_request(kind: &str, title: &str, detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::BAD_REQUEST, kind, title, detail)
    }

    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
            "Invalid input",
            detail,
        )
        .with_field(field)
    }

    pub fn too_large(what: &str, limit: u64, setting: &str) -> Self {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            "Request body too large",
            format!("the {what} is larger than the limit of {limit} bytes: send less, or raise `{setting}` in the configuration"),
        )
    }

    pub fn internal(detail: impl Into<String>) -> Self {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            detail,
        )
    }

    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut response = self.status_code().into_response();
        if self.status == 401 {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response.extensions_mut().insert(self);
        response
    }
}

/// Writes the body of problem responses, with the request id, and logs them.
///
/// Successful requests are logged at DEBUG only (the trace layer): at 20 000 requests/s a line each
/// would cost more than the requests. A problem is logged at INFO (ERROR for 5xx), so the
/// `request_id` a client reports can be found in the log at the default level; refusals are rare,
/// so this costs little. The path is logged without its query, and the detail of a 4xx is not
/// logged: both can hold the personal data that was refused (`email \`mario.rossi@\` is not valid`).
pub async fn render(request: Request, next: Next) -> Response {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // Cheap clones (a static method, a reference-counted URI) kept in case the answer is a problem.
    let method = request.method().clone();
    let uri = request.uri().clone();
    let mut response = next.run(request).await;
    let Some(mut problem) = response.extensions_mut().remove::<Problem>() else {
        return response;
    };
    problem.request_id = request_id;
    let kind = problem
        .kind
        .strip_prefix(PROBLEM_PREFIX)
        .unwrap_or(&problem.kind);
    let request_id = problem.request_id.as_deref().unwrap_or("");
    if problem.status >= 500 {
        tracing::error!(
            request_id,
            method = %method,
            path = uri.path(),
            status = problem.status,
            r#type = kind,
            detail = %problem.detail,
            "request failed"
        );
        if problem.status == 500 {
            // An internal error's detail names the server's files and errors (paths, SQLite's
            // messages): for the admin reading the log, not for whoever sent the request.
            problem.detail = format!(
                "the request failed on an internal error; nothing more is said here: the server's log has the details under request id `{request_id}`"
            );
        }
    } else if problem.status == 401 || problem.status == 429 {
        // Failed authentication is counted per client address and logged once per address and
        // window (`failed_auth.rs`): a line per attempt would let anyone fill the log.
        tracing::debug!(
            request_id,
            method = %method,
            path = uri.path(),
            status = problem.status,
            r#type = kind,
            "request refused"
        );
    } else {
        tracing::info!(
            request_id,
            method = %method,
            path = uri.path(),
            status = problem.status,
            r#type = kind,
            "request refused"
        );
    }
    let (mut parts, _) = response.into_parts();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = serde_json::to_vec(&problem).expect("a problem serialises");
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// Every error a handler can return.
#[derive(Debug)]
pub enum ApiError {
    Store(StoreError),
    Plugin(PluginError),
    Import(ImportError),
    Problem(Problem),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Store(e)
    }
}

impl From<PluginError> for ApiError {
    fn from(e: PluginError) -> Self {
        ApiError::Plugin(e)
    }
}

impl From<ImportError> for ApiError {
    fn from(e: ImportError) -> Self {
        ApiError::Import(e)
    }
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        ApiError::Problem(p)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The route that takes a next step an error points to.
fn route(step: &NextStep) -> String {
    match step {
        NextStep::FindContact => "GET /api/v1/contacts?identity=…".into(),
        NextStep::ListPlugins => "GET /api/v1/plugins".into(),
        NextStep::EnablePlugin(name) => format!("POST /api/v1/plugins/{name}/enable"),
        NextStep::DisablePlugin(name) => format!("POST /api/v1/plugins/{name}/disable"),
        NextStep::ConfigurePlugin(name) => format!("PUT /api/v1/plugins/{name}/settings"),
        NextStep::ListImports => "GET /api/v1/imports".into(),
        NextStep::ListTokens => "GET /api/v1/tokens".into(),
    }
}

fn store_problem(e: StoreError) -> Problem {
    // The service says what to do in words; an HTTP client is told the route that does it.
    let detail = match e.next_step() {
        Some(step) => format!("{e} ({})", route(step)),
        None => e.to_string(),
    };
    match e {
        StoreError::NotFound { .. } => Problem::not_found(detail),
        StoreError::InvalidInput(i) => Problem::invalid(i.field, i.message),
        StoreError::Conflict(_) | StoreError::Blocked { .. } => {
            Problem::new(StatusCode::CONFLICT, "conflict", "Conflict", detail)
        }
        StoreError::Erased { .. } => {
            Problem::new(StatusCode::GONE, "erased", "Data erased", detail)
        }
        StoreError::ImportAborted(_) => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "import-failed",
            "Import failed",
            detail,
        ),
        StoreError::WriterBusy { waited } => Problem::writer_busy(detail, waited.as_secs()),
        // Another process (a CLI import beside the server) holds SQLite's write lock past the
        // connection's busy timeout: the same situation, seen from outside this process.
        StoreError::Database { source, .. }
            if source.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) =>
        {
            Problem::writer_busy(
                format!("{detail}: another process (a CLI import?) is writing to the database; retry in a moment"),
                10,
            )
        }
        StoreError::Io { .. }
        | StoreError::Database { .. }
        | StoreError::Postgres { .. }
        | StoreError::Setup(_) => {
            Problem::internal(detail)
        }
    }
}

impl From<ApiError> for Problem {
    fn from(e: ApiError) -> Problem {
        match e {
            ApiError::Problem(p) => p,
            ApiError::Store(e) => store_problem(e),
            ApiError::Plugin(e) => {
                let kind = plugin_failure_kind(&e.failure);
                let status = match kind {
                    // Busy now, not broken: the same request can succeed later.
                    "plugin-busy" | "cancelled" => StatusCode::SERVICE_UNAVAILABLE,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                Problem::new(status, kind, "Plugin failed", e.to_string())
            }
            ApiError::Import(ImportError::Store(e)) => store_problem(e),
            ApiError::Import(e) => {
                let kind = import_error_kind(&e);
                let status = match kind {
                    "internal" => StatusCode::INTERNAL_SERVER_ERROR,
                    "cancelled" | "plugin-busy" => StatusCode::SERVICE_UNAVAILABLE,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                Problem::new(status, kind, "Import failed", e.to_string())
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        Problem::from(self).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The service names the next step in words; the API adds the route, the text stays the
    /// service's.
    #[test]
    fn a_next_step_becomes_the_route_that_takes_it() {
        let disabled = StoreError::Blocked {
            message: "plugin `csv` is disabled: enable it".into(),
            next: NextStep::EnablePlugin("csv".into()),
        };
        let problem = Problem::from(ApiError::Store(disabled));
        assert_eq!(problem.status, 409);
        assert_eq!(
            problem.detail,
            "plugin `csv` is disabled: enable it (POST /api/v1/plugins/csv/enable)"
        );
        let missing = StoreError::not_found_then(
            "a contact with email `a@b.it`",
            "check the spelling",
            NextStep::FindContact,
        );
        let problem = Problem::from(ApiError::Store(missing));
        assert_eq!(problem.status, 404);
        assert!(
            problem
                .detail
                .ends_with("check the spelling (GET /api/v1/contacts?identity=…)"),
            "{}",
            problem.detail
        );
        let plain = Problem::from(ApiError::Store(StoreError::not_found("contact 42")));
        assert_eq!(plain.detail, "contact 42 does not exist");
    }
}
