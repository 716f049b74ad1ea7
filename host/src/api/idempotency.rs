//! Retries without double writes: a write (`POST`, `PUT`, `PATCH`, `DELETE`) sent with an
//! `Idempotency-Key` header is answered once; the same token sending the same key again gets the
//! first answer (same status and body, `Idempotent-Replayed: true`) and nothing is written. The
//! same key with a different request (method, path, query or body) is refused with 422, and while
//! the first is still running with 409. Answers are kept for `[server] idempotency_hours`; keys are
//! per token. Only final answers are kept: a 5xx (a busy writer, a shutdown) is worth retrying.
//!
//! Not on the routes whose bodies are streamed, not held (`POST /api/v1/imports`: a re-import of
//! the same file is recognised and changes nothing; `POST /api/v1/plugins`), nor on
//! `POST /api/v1/tokens`, whose answer is a secret shown once (a retried creation is refused as a
//! conflict: names are unique). Every erasure blanks the stored answers (`service/idempotency.rs`).

use axum::body::{to_bytes, Body};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::problem::Problem;
use super::state::ApiState;
use crate::service::idempotency::Answer;
use crate::service::tokens::Principal;

pub const HEADER: &str = "idempotency-key";
const ERASURE: &str = "/api/v1/requests/erasure";
/// Writes whose key is refused: see the module.
pub const UNSUPPORTED: [&str; 3] = ["/api/v1/imports", "/api/v1/plugins", "/api/v1/tokens"];

pub async fn guard(State(api): State<ApiState>, request: Request, next: Next) -> Response {
    let write = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_default();
    let response = match request.headers().get(HEADER) {
        Some(value) if write => match valid_key(value, &path) {
            Ok(key) => match keyed(&api, key, &path, request, next).await {
                Ok(response) => response,
                Err(problem) => problem.into_response(),
            },
            Err(problem) => problem.into_response(),
        },
        _ => next.run(request).await,
    };
    if path == ERASURE && response.status().is_success() {
        let app = api.app.clone();
        let blanked = tokio::task::spawn_blocking(move || app.answers.blank_bodies()).await;
        if !matches!(blanked, Ok(Ok(()))) {
            tracing::error!("cannot blank the stored idempotent answers after an erasure: they may show the erased person until they expire");
        }
    }
    response
}

fn valid_key(value: &HeaderValue, path: &str) -> Result<String, Problem> {
    if UNSUPPORTED.contains(&path) {
        return Err(Problem::bad_request(
            "idempotency-key-unsupported",
            "Idempotency key not supported here",
            format!("`{path}` does not take an `Idempotency-Key`: an import of the same file again changes nothing, a plugin or token name that exists is refused as a conflict; send the request without it"),
        ));
    }
    let bytes = value.as_bytes();
    if bytes.is_empty() || bytes.len() > 255 || !bytes.iter().all(|b| (0x21..=0x7e).contains(b)) {
        return Err(Problem::bad_request(
            "invalid-idempotency-key",
            "Invalid idempotency key",
            "the `Idempotency-Key` must be 1 to 255 visible ASCII characters (a UUID is a good key)",
        ));
    }
    Ok(String::from_utf8_lossy(bytes).into_owned())
}

async fn keyed(
    api: &ApiState,
    key: String,
    path: &str,
    request: Request,
    next: Next,
) -> Result<Response, Problem> {
    let Some(principal) = request.extensions().get::<Principal>().cloned() else {
        return Ok(next.run(request).await); // a public route: nothing to repeat
    };
    let config = &api.app.config.server;
    let max_age = config.idempotency_hours.saturating_mul(3600);
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, config.max_body_bytes).await.map_err(|_| {
        Problem::too_large(
            "request body",
            config.max_body_bytes as u64,
            "server.max_body_bytes",
        )
    })?;
    let mut hash = Sha256::new();
    for part in [
        parts.method.as_str().as_bytes(),
        parts.uri.path().as_bytes(),
        parts.uri.query().unwrap_or("").as_bytes(),
        &bytes,
    ] {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    let fingerprint = hash.finalize().to_vec();
    let slot = (principal.name.clone(), key.clone());
    let Some(_running) = api.in_flight.begin(slot) else {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "idempotency-key-in-use",
            "Idempotency key in use",
            "a request with this `Idempotency-Key` is still running: wait for its answer, then retry to read it",
        ));
    };
    let answers = api.app.answers.clone();
    let (who, k) = (principal.name.to_string(), key.clone());
    let stored = tokio::task::spawn_blocking(move || answers.get(&who, &k, max_age))
        .await
        .map_err(|e| Problem::internal(format!("the answer store lookup stopped: {e}")))?
        .map_err(|e| Problem::internal(e.to_string()))?;
    if let Some(first) = stored {
        if first.fingerprint != fingerprint {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "Idempotency key reused",
                format!("this `Idempotency-Key` was used for a different request (method, path, query or body) in the last {} hours: use a new key for a new request", config.idempotency_hours),
            ));
        }
        return Ok(replay(first));
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    if response.status().is_server_error() {
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    let body = to_bytes(body, usize::MAX)
        .await
        .map_err(|e| Problem::internal(format!("cannot read the answer: {e}")))?;
    let header_text = |name| {
        parts
            .headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    // A problem's body is written by `problem::render`, outside this layer: the problem is kept.
    let (content_type, stored_body) = match parts.extensions.get::<Problem>() {
        Some(problem) => (
            Some(PROBLEM.to_string()),
            serde_json::to_vec(problem).unwrap_or_default(),
        ),
        None => (header_text(header::CONTENT_TYPE), body.to_vec()),
    };
    let answer = Answer {
        fingerprint,
        status: parts.status.as_u16(),
        content_type,
        location: header_text(header::LOCATION),
        body: Some(stored_body),
    };
    let answers = api.app.answers.clone();
    let who = principal.name.to_string();
    let saved =
        tokio::task::spawn_blocking(move || answers.put(&who, &key, &answer, max_age)).await;
    if !matches!(saved, Ok(Ok(()))) {
        tracing::error!(
            path,
            "cannot store an idempotent answer: a retry of this request would write again"
        );
    }
    Ok(Response::from_parts(parts, Body::from(body)))
}

/// Marks a stored problem (re-rendered on replay, with the retry's request id).
const PROBLEM: &str = "application/problem+json";

fn replay(first: Answer) -> Response {
    let Some(body) = first.body else {
        return Problem::new(
            StatusCode::CONFLICT,
            "idempotency-answer-erased",
            "Answer erased",
            format!("this request was already done (answered {}); its answer was removed when a person's data was erased: read the current state instead of retrying", first.status),
        )
        .into_response();
    };
    let mut response = if first.content_type.as_deref() == Some(PROBLEM) {
        match serde_json::from_slice::<Problem>(&body) {
            Ok(problem) => problem.into_response(),
            Err(_) => Problem::internal("a stored answer cannot be read").into_response(),
        }
    } else {
        let mut response = Response::new(Body::from(body));
        *response.status_mut() = StatusCode::from_u16(first.status).unwrap_or(StatusCode::OK);
        for (name, value) in [
            (header::CONTENT_TYPE, first.content_type),
            (header::LOCATION, first.location),
        ] {
            if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                response.headers_mut().insert(name, v);
            }
        }
        response
    };
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}
