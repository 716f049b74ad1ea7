//! `imports`: the file is the request body, streamed to a file under the data directory (at most
//! `server.max_import_bytes`); the answer is `202` with the job at once, and the import runs on its own
//! thread. `GET /api/v1/imports/{id}` shows progress, then the report or the error.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::api::extract::{blocking, ApiPath, Caller};
use crate::api::problem::{ApiResult, Problem};
use crate::api::schema::Binary;
use crate::app::App;
use crate::domain::{SourceChannel, Timestamp};
use crate::runtime::PluginKind;
use crate::service::import::upload::StagedUpload;
use crate::service::import::{FieldPolicy, ImportRequest, OnError};
use crate::service::jobs::JobStatus;

/// Reads the query (`?plugin=csv&source=Fiera Milano 2026&channel=fair[&on_error=skip][&unknown_fields=reject]`)
/// into an [`ImportRequest`], with a message per parameter that is missing or wrong.
fn parse_query(raw: Option<&str>) -> Result<ImportRequest, Problem> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or_default())
        .map_err(|e| {
            Problem::bad_request("invalid-query", "Invalid query parameters", e.to_string())
        })?;
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let required = |value: Option<String>, name: &str, example: &str| {
        value.filter(|v| !v.trim().is_empty()).ok_or_else(|| {
            Problem::invalid(
                name,
                format!("`{name}` is required in the query, e.g. `{name}={example}`"),
            )
        })
    };
    let plugin = required(get("plugin"), "plugin", "csv")?;
    let source = required(get("source"), "source", "Fiera Milano 2026")?;
    let channel = required(get("channel"), "channel", "fair")?;
    let channel = SourceChannel::parse("channel", &channel)
        .map_err(|e| Problem::invalid(e.field, e.message))?;
    let on_error = match get("on_error").as_deref() {
        None | Some("abort") => OnError::Abort,
        Some("skip") => OnError::Skip,
        Some(other) => {
            return Err(Problem::invalid(
                "on_error",
                format!("`{other}` is not abort or skip"),
            ))
        }
    };
    let unknown_fields = match get("unknown_fields").as_deref() {
        None | Some("drop") => FieldPolicy::Drop,
        Some("reject") => FieldPolicy::Reject,
        Some(other) => {
            return Err(Problem::invalid(
                "unknown_fields",
                format!("`{other}` is not drop or reject"),
            ))
        }
    };
    let known = ImportRequest::PARAMETERS;
    if let Some((k, _)) = pairs.iter().find(|(k, _)| !known.contains(&k.as_str())) {
        return Err(Problem::bad_request(
            "unknown-field",
            "Unknown query parameter",
            format!(
                "unknown query parameter `{k}`; the parameters are: {}",
                known.join(", ")
            ),
        )
        .with_field(k.clone()));
    }
    Ok(ImportRequest {
        plugin,
        source,
        channel,
        on_error,
        unknown_fields,
    })
}

/// Writes the body to the upload, refusing it past `limit` bytes (the caller drops the upload, which
/// removes the partial file).
async fn save_body(body: Body, upload: &StagedUpload, limit: u64) -> Result<u64, Problem> {
    let io = |e: std::io::Error| {
        Problem::internal(format!(
            "cannot store the upload in {}: {e}",
            upload.path().display()
        ))
    };
    let mut file = tokio::fs::File::from_std(upload.writer().map_err(io)?);
    let mut stream = body.into_data_stream();
    let mut written = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            Problem::bad_request("unreadable-body", "Unreadable body", e.to_string())
        })?;
        written += chunk.len() as u64;
        if written > limit {
            return Err(Problem::too_large(
                "import file",
                limit,
                "server.max_import_bytes",
            ));
        }
        file.write_all(&chunk).await.map_err(io)?;
    }
    file.flush().await.map_err(io)?;
    Ok(written)
}

#[utoipa::path(post, path = "/api/v1/imports", operation_id = "start_import", tag = "imports", params(ImportRequest),
    request_body(content = inline(Binary), content_type = "application/octet-stream", description = "The file to import"),
    responses((status = 202, description = "The job, running; follow `Location`", body = JobStatus,
            headers(("location" = String, description = "`/api/v1/imports/{id}`: the job's progress, then its report"))),
        (status = 409, description = "The plugin is disabled"), (status = 413, description = "Larger than server.max_import_bytes")))]
pub async fn start(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    RawQuery(raw): RawQuery,
    body: Body,
) -> ApiResult<Response> {
    let q = parse_query(raw.as_deref())?;
    let lease = {
        let app = app.clone();
        let plugin = q.plugin.clone();
        blocking(move || Ok(app.plugins.lease(&plugin, PluginKind::Importer)?)).await?
    };
    let dir = app.uploads_dir();
    let upload = blocking(move || {
        StagedUpload::create(&dir).map_err(|e| {
            Problem::internal(format!(
                "cannot create an upload file in {}: {e}",
                dir.display()
            ))
            .into()
        })
    })
    .await?;
    save_body(body, &upload, app.config.server.max_import_bytes).await?;
    let options = q.options(who.actor(), Timestamp::now());
    let started = {
        let app = app.clone();
        blocking(move || {
            Ok(app
                .jobs
                .start(app.compliance.clone(), lease, upload, options)?)
        })
        .await?
    };
    let Some(status) = started else {
        return Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting-down",
            "Shutting down",
            "the server is shutting down and starts no new import: send the file again once it is back",
        )
        .into());
    };
    let location = format!("/api/v1/imports/{}", status.id);
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, location)],
        Json(status),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/imports/{id}", operation_id = "import_status", tag = "imports",
    params(("id" = u64, Path, description = "The job's id, from the answer that started it")),
    responses((status = 200, description = "Running with its progress, or finished with its report or error", body = JobStatus),
        (status = 404, description = "No job has this id (the newest 1000 are kept, across restarts)")))]
pub async fn status(
    State(app): State<Arc<App>>,
    ApiPath(id): ApiPath<u64>,
) -> ApiResult<Json<JobStatus>> {
    app.jobs.status(id).map(Json).ok_or_else(|| {
        Problem::not_found(format!(
            "import job {id} does not exist (the newest 1000 jobs are kept; an older import's batch is in the audit log)"
        ))
        .into()
    })
}

#[utoipa::path(get, path = "/api/v1/imports", operation_id = "list_imports", tag = "imports",
    responses((status = 200, description = "The newest jobs (at most 1000, across restarts), newest first", body = Vec<JobStatus>)))]
pub async fn list(State(app): State<Arc<App>>) -> Json<Vec<JobStatus>> {
    Json(app.jobs.list())
}

#[cfg(test)]
mod tests {
    use utoipa::OpenApi;

    /// The OpenAPI document describes the import's query as the API reads it: query parameters,
    /// the first three required.
    #[test]
    fn the_documented_parameters_are_the_query() {
        let doc = serde_json::to_value(crate::api::openapi::ApiDoc::openapi()).unwrap();
        let params = doc["paths"]["/api/v1/imports"]["post"]["parameters"]
            .as_array()
            .expect("parameters")
            .clone();
        let described: Vec<(String, String, bool)> = params
            .iter()
            .map(|p| {
                (
                    p["name"].as_str().unwrap().to_string(),
                    p["in"].as_str().unwrap().to_string(),
                    p["required"].as_bool().unwrap_or(false),
                )
            })
            .collect();
        let expected: Vec<(String, String, bool)> = super::ImportRequest::PARAMETERS
            .iter()
            .enumerate()
            .map(|(i, name)| (name.to_string(), "query".to_string(), i < 3))
            .collect();
        assert_eq!(described, expected);
    }
}
