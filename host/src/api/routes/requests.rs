//! Data-subject requests (DPO): access/portability packages rendered by an exporter plugin, and
//! erasure (Art. 17). Retention runs: [`super::retention`].

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use crate::api::extract::{at_input, blocking, ApiJson, Caller};
use crate::api::problem::{ApiError, ApiResult, Problem};
use crate::api::schema::Binary;
use crate::app::App;
use crate::domain::Timestamp;
use crate::runtime::PluginKind;
use crate::service::export::ExportError;
use crate::store::ErasureReport;

impl From<ExportError> for ApiError {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::Plugin(p) => ApiError::Plugin(p),
            ExportError::Store(s) => ApiError::Store(s),
            ExportError::Invalid(m) => ApiError::Problem(Problem::invalid("plugin", m)),
        }
    }
}

/// An access (Art. 15) or portability (Art. 20) request.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessRequest {
    /// An email, phone, `system:id`, or `#42` for contact 42.
    #[schema(min_length = 1)]
    pub subject: String,
    /// An enabled exporter plugin (default `json`).
    pub plugin: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/requests/access", operation_id = "access_request", tag = "requests",
    request_body(content = AccessRequest, example = json!({"subject": "mario.rossi@example.com", "plugin": "json"})),
    responses((status = 200, description = "The document the exporter rendered, in its media type (the bundled `json` exporter: application/json; `csv-export`: a zip of CSV files)",
            content((Binary = "*/*")),
            headers(("content-disposition" = String, description = "`attachment; filename=\"…\"`: the exporter's file name"))),
        (status = 404, description = "No such subject")))]
pub async fn access(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiJson(body): ApiJson<AccessRequest>,
) -> ApiResult<Response> {
    let document = blocking(move || {
        let plugin = body.plugin.as_deref().unwrap_or("json");
        let lease = app.plugins.lease(plugin, PluginKind::Exporter)?;
        let subject = at_input("subject", app.compliance.parse_subject(&body.subject))?;
        Ok(app.compliance.access_package(
            &lease.plugin,
            &subject,
            Timestamp::now(),
            &who.actor(),
        )?)
    })
    .await?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        document.file_name.replace('"', "")
    );
    Ok((
        [
            (header::CONTENT_TYPE, document.media_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        document.bytes,
    )
        .into_response())
}

/// An erasure request (Art. 17).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErasureRequest {
    /// An email, phone, `system:id`, or `#42` for contact 42.
    #[schema(min_length = 1)]
    pub subject: String,
    /// Why, kept in the audit log, e.g. `Art. 17 request of 2026-11-20`.
    #[schema(min_length = 1, max_length = 200)]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/requests/erasure", operation_id = "erasure_request", tag = "requests",
    request_body(content = ErasureRequest, example = json!({"subject": "mario.rossi@example.com", "reason": "Art. 17 request of 2026-11-20"})),
    responses((status = 200, description = "What was erased, and what a legal obligation keeps", body = ErasureReport),
        (status = 404, description = "No such subject"),
        (status = 409, description = "Under legal hold")))]
pub async fn erasure(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiJson(body): ApiJson<ErasureRequest>,
) -> ApiResult<Json<ErasureReport>> {
    blocking(move || {
        let c = &app.compliance;
        let subject = at_input("subject", c.parse_subject(&body.subject))?;
        Ok(c.erase_subject(&who.actor(), &subject, &body.reason)?)
    })
    .await
    .map(Json)
}
