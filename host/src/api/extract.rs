//! Extractors whose rejections are problem details: JSON bodies (malformed JSON, unknown fields named,
//! invalid values with the field), query strings, path parameters, and the caller; and [`blocking`],
//! which runs a handler's service call off the async workers with the request's writer wait.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::problem::{ApiError, Problem};
use crate::app::App;
use crate::service::tokens::Principal;
use crate::store::with_write_wait;
use crate::store::StoreError;

/// A JSON body, read within the body limit and deserialised with problem-details errors.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Problem> {
        let limit = request.extensions().get::<BodyLimit>().map_or(0, |l| l.0);
        check_json_type(request.headers())?;
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|e| body_rejection(e, limit))?;
        // Every body is an object, as the OpenAPI document says; serde would also read a struct
        // from an array of its fields in order (`[null, null]`), which no client means.
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
            return Err(Problem::invalid(
                "body",
                "the body is a JSON array: send a JSON object, e.g. {\"name\": \"value\"}",
            ));
        }
        parse_json(&bytes).map(ApiJson)
    }
}

/// A body read as JSON must say it is JSON: a form or text sent by mistake (`curl -d` sends
/// `application/x-www-form-urlencoded`) is refused rather than read as something it is not.
fn check_json_type(headers: &axum::http::HeaderMap) -> Result<(), Problem> {
    let value = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let essence = value
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    let json = essence.as_deref().is_some_and(|t| {
        t == "application/json" || (t.starts_with("application/") && t.ends_with("+json"))
    });
    if json {
        return Ok(());
    }
    let sent = match value {
        Some(v) => format!(
            "`Content-Type: {}`",
            v.chars()
                .filter(|c| !c.is_control())
                .take(100)
                .collect::<String>()
        ),
        None => "no `Content-Type`".to_string(),
    };
    Err(Problem::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
        "Unsupported media type",
        format!("the body was sent with {sent}: send a JSON object with `Content-Type: application/json`"),
    ))
}

/// The JSON body limit in force, for the message of a too-large body.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub u64);

pub fn body_rejection(e: BytesRejection, limit: u64) -> Problem {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return Problem::too_large("request body", limit, "server.max_body_bytes");
    }
    Problem::bad_request("unreadable-body", "Unreadable body", e.body_text())
}

/// Deserialises JSON, telling malformed JSON, unknown fields and invalid values apart, and naming
/// where in the body the problem is (`identities[0].email`).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    // JSON text is UTF-8 (RFC 8259); serde_json skips over unknown values without checking it, which
    // would make a body with a stray byte "valid JSON of the wrong shape" instead of unreadable.
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(Problem::bad_request(
            "malformed-json",
            "Malformed JSON",
            format!("the body is not valid JSON: it is not UTF-8 text (byte {} is not part of a UTF-8 character); send the JSON object encoded as UTF-8", e.valid_up_to()),
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        let well_formed = || serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok();
        if inner.is_syntax() && well_formed() {
            // Valid JSON serde_json still calls a syntax error: an enum object with a second key, as
            // in `{"email": …, "phone": …}` for one identity. Say so, at its path.
            let field = if path == "." { "body".to_string() } else { path };
            return Problem::invalid(
                field.clone(),
                format!("`{field}` is not in the expected form: an object that is one of several kinds, such as an identity, has exactly one key, e.g. {{\"email\": \"…\"}}, {{\"phone\": \"…\"}} or {{\"external\": {{\"system\": \"erp\", \"id\": \"…\"}}}}"),
            );
        }
        if inner.is_syntax() || inner.is_eof() {
            return Problem::bad_request(
                "malformed-json",
                "Malformed JSON",
                format!("the body is not valid JSON ({message}): send a JSON object with `Content-Type: application/json`"),
            );
        }
        let at = |field: &str| match path.as_str() {
            "." | "" => field.to_string(),
            parent => format!("{parent}.{field}"),
        };
        if let Some(rest) = message.strip_prefix("unknown field `") {
            // For an unknown field the path already ends with the field's name.
            let field = match path.as_str() {
                "." | "" => rest.split('`').next().unwrap_or_default().to_string(),
                full => full.to_string(),
            };
            return Problem::bad_request(
                "unknown-field",
                "Unknown field",
                format!("unknown field `{field}`{}: remove it or correct its spelling", rest.split_once('`').map_or("", |(_, tail)| tail).split(" at line").next().unwrap_or_default()),
            )
            .with_field(field);
        }
        if let Some(rest) = message.strip_prefix("missing field `") {
            let field = at(rest.split('`').next().unwrap_or_default());
            return Problem::invalid(field.clone(), format!("`{field}` is required"));
        }
        let field = if path == "." { "body".to_string() } else { path };
        let message = message.split(" at line ").next().unwrap_or_default().to_string();
        Problem::invalid(field.clone(), format!("{field}: {message}"))
    })?;
    // One JSON value and nothing after it: `{"a": 1} {"b": 2}` is not a body to half-read.
    de.end().map_err(|e| {
        Problem::bad_request(
            "malformed-json",
            "Malformed JSON",
            format!("the body has more after its JSON object ({e}): send exactly one JSON object"),
        )
    })?;
    Ok(value)
}

/// The field a serde message is about, when it names one (`missing field `x``).
fn field_of(message: &str) -> String {
    for marker in ["missing field `", "field `"] {
        if let Some(rest) = message.split(marker).nth(1) {
            return rest.split('`').next().unwrap_or_default().to_string();
        }
    }
    "query".to_string()
}

/// Query-string parameters.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        let query = parts.uri.query().unwrap_or_default();
        serde_urlencoded::from_str(query)
            .map(ApiQuery)
            .map_err(|e| {
                let message = e.to_string();
                Problem::bad_request(
                    "invalid-query",
                    "Invalid query parameters",
                    format!("the query string is not valid: {message}"),
                )
                .with_field(field_of(&message))
            })
    }
}

/// Path parameters.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|e| {
                Problem::bad_request("invalid-path", "Invalid path parameter", e.body_text())
            })
    }
}

/// Names `input` (a body property or query parameter) as the field at fault of an invalid-input
/// error: the service parses the text without knowing where it came from, and an identity's parser
/// says `email`, `phone` or `subject`.
pub fn at_input<T>(input: &str, result: crate::service::Result<T>) -> crate::service::Result<T> {
    result.map_err(|e| match e {
        StoreError::InvalidInput(mut invalid) => {
            invalid.field = input.to_string();
            StoreError::InvalidInput(invalid)
        }
        other => other,
    })
}

/// The authenticated caller (set by the access middleware).
pub struct Caller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Caller)
            .ok_or_else(|| Problem::unauthorized("this route needs a bearer token"))
    }
}

tokio::task_local! {
    /// `[server] write_wait_secs` of the server answering this request.
    static WRITE_WAIT: Duration;
}

/// Middleware: the writes of this request's handler wait for the database's writer at most
/// `[server] write_wait_secs` ([`blocking`] carries the limit to the thread that runs them).
pub async fn bounded_writes(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let wait = Duration::from_secs(app.config.server.write_wait_secs);
    WRITE_WAIT.scope(wait, next.run(request)).await
}

/// Runs blocking work (every service call may touch the database or a plugin) off the async workers,
/// with the request's bound on waiting for the writer.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let wait = WRITE_WAIT.try_with(|w| *w).ok();
    let work = move || match wait {
        Some(limit) => with_write_wait(limit, f),
        None => f(),
    };
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        ApiError::Problem(Problem::internal(format!(
            "the request's work stopped: {e}"
        )))
    })?
}
