//! `requests`: data-subject requests as tracked cases (Art. 12): open, list (due soon, overdue),
//! show with history, verify the identity, extend, refuse, fulfil, mark the document delivered,
//! close. The DPO's direct actions (`requests/access`, `requests/erasure`) are in [`super::requests`].

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use crate::api::extract::{blocking, ApiJson, ApiPath, ApiQuery, Caller};
use crate::api::problem::ApiResult;
use crate::api::schema::Binary;
use crate::app::App;
use crate::domain::{CaseStatus, RequestKind, Timestamp};
use crate::runtime::PluginKind;
use crate::service::cases::{CaseQuery, Fulfilment, OpenCase, Refusal, Verification};
use crate::service::Error;
use crate::store::cases::Case;

/// A case named in the path.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CasePath {
    /// The case's number.
    pub id: i64,
}

#[utoipa::path(post, path = "/api/v1/requests", operation_id = "open_request", tag = "requests",
    request_body(content = OpenCase, example = json!({"kind": "access", "subject": "mario.rossi@example.com", "channel": "email", "notes": "asked by email to privacy@", "language": "it"})),
    responses((status = 201, description = "The case, due one month after receipt (on the next working day when that is a weekend or public holiday); `duplicate_of` names open cases of the same person and kind", body = Case),
        (status = 400, description = "An unreadable identity, a receipt in the future, an unknown language")))]
pub async fn open(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiJson(body): ApiJson<OpenCase>,
) -> ApiResult<(StatusCode, Json<Case>)> {
    blocking(move || {
        Ok(app
            .compliance
            .open_case(&who.actor(), &body, Timestamp::now())?)
    })
    .await
    .map(|c| (StatusCode::CREATED, Json(c)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Cases in this state: `open` (not yet answered), `fulfilled`, `refused`, `closed`.
    #[param(value_type = Option<CaseStatus>)]
    status: Option<String>,
    /// Cases of this kind of request.
    #[param(value_type = Option<RequestKind>)]
    kind: Option<String>,
    /// Due on or before this day.
    #[param(value_type = Option<Timestamp>)]
    due_before: Option<String>,
    /// Open cases due within this many days (not yet overdue).
    due_within_days: Option<u32>,
    /// Only open cases past their due date.
    overdue: Option<bool>,
    /// At most this many (default 200, at most 1000), soonest due first.
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/requests", operation_id = "list_requests", tag = "requests", params(ListQuery),
    responses((status = 200, description = "Cases, soonest due first, without their history", body = Vec<Case>)))]
pub async fn list(
    State(app): State<Arc<App>>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<Case>>> {
    blocking(move || {
        let query = CaseQuery {
            status: q
                .status
                .as_deref()
                .map(|s| CaseStatus::parse("status", s))
                .transpose()
                .map_err(Error::from)?,
            kind: q
                .kind
                .as_deref()
                .map(|k| RequestKind::parse("kind", k))
                .transpose()
                .map_err(Error::from)?,
            due_before: q
                .due_before
                .as_deref()
                .map(|t| Timestamp::parse("due_before", t))
                .transpose()
                .map_err(Error::from)?,
            due_within_days: q.due_within_days,
            overdue: q.overdue.unwrap_or(false),
            limit: q.limit,
        };
        Ok(app.compliance.cases(&query, Timestamp::now())?)
    })
    .await
    .map(Json)
}

#[utoipa::path(get, path = "/api/v1/requests/{id}", operation_id = "get_request", tag = "requests", params(CasePath),
    responses((status = 200, description = "The case with its history", body = Case),
        (status = 404, description = "No case has this number")))]
pub async fn get(
    State(app): State<Arc<App>>,
    ApiPath(CasePath { id }): ApiPath<CasePath>,
) -> ApiResult<Json<Case>> {
    blocking(move || Ok(app.compliance.case(id, Timestamp::now())?))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/api/v1/requests/{id}/verify", operation_id = "verify_request", tag = "requests", params(CasePath),
    request_body(content = Verification, example = json!({"outcome": "verified", "method": "reply from the address on file", "by": "giulia.dpo", "at": "2026-03-26T10:00:00Z"})),
    responses((status = 200, description = "The case", body = Case),
        (status = 404, description = "No case has this number"),
        (status = 409, description = "The case was answered already")))]
pub async fn verify(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(CasePath { id }): ApiPath<CasePath>,
    ApiJson(body): ApiJson<Verification>,
) -> ApiResult<Json<Case>> {
    blocking(move || {
        Ok(app
            .compliance
            .verify_case(&who.actor(), id, &body, Timestamp::now())?)
    })
    .await
    .map(Json)
}

/// An extension of the deadline (Art. 12(3)).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Extension {
    /// 1 or 2: at most two further months in all.
    #[schema(minimum = 1, maximum = 2)]
    pub months: u32,
    /// Why (the complexity or number of requests), as the person is told.
    #[schema(min_length = 1, max_length = 1000)]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/requests/{id}/extend", operation_id = "extend_request", tag = "requests", params(CasePath),
    request_body(content = Extension, example = json!({"months": 2, "reason": "the data is spread over three systems that must be searched by hand"})),
    responses((status = 200, description = "The case with its new due date", body = Case),
        (status = 404, description = "No case has this number"),
        (status = 409, description = "Too late: the first month has passed (the person had to be told within it), or the case was answered"),
        (status = 422, description = "Too long: more than two further months in all")))]
pub async fn extend(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(CasePath { id }): ApiPath<CasePath>,
    ApiJson(body): ApiJson<Extension>,
) -> ApiResult<Json<Case>> {
    blocking(move || {
        Ok(app.compliance.extend_case(
            &who.actor(),
            id,
            body.months,
            &body.reason,
            Timestamp::now(),
        )?)
    })
    .await
    .map(Json)
}

#[utoipa::path(post, path = "/api/v1/requests/{id}/refuse", operation_id = "refuse_request", tag = "requests", params(CasePath),
    request_body(content = Refusal, example = json!({"ground": "excessive", "reason": "the same access request was answered in full on 2026-03-01 and nothing changed since"})),
    responses((status = 200, description = "The case, refused: its answer carries the reason and how to complain to a supervisory authority", body = Case),
        (status = 404, description = "No case has this number"),
        (status = 409, description = "The case was answered already")))]
pub async fn refuse(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(CasePath { id }): ApiPath<CasePath>,
    ApiJson(body): ApiJson<Refusal>,
) -> ApiResult<Json<Case>> {
    blocking(move || {
        Ok(app
            .compliance
            .refuse_case(&who.actor(), id, &body, Timestamp::now())?)
    })
    .await
    .map(Json)
}

#[utoipa::path(post, path = "/api/v1/requests/{id}/fulfil", operation_id = "fulfil_request", tag = "requests", params(CasePath),
    request_body(content = Fulfilment, description = "What the kind of request needs: `plugin` (access, portability), `changes` (rectification), `restrict` (restriction), `purposes` (objection)",
        example = json!({"plugin": "json", "note": "sent by registered email"})),
    responses((status = 200, description = "The case, fulfilled: its answer, the recipients to inform (rectification, erasure, restriction) and the document kept until delivered", body = Case),
        (status = 404, description = "No case has this number, or no plugin that name"),
        (status = 409, description = "The identity is not verified, or the case was answered already")))]
pub async fn fulfil(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(CasePath { id }): ApiPath<CasePath>,
    ApiJson(body): ApiJson<Fulfilment>,
) -> ApiResult<Json<Case>> {
    blocking(move || {
        let now = Timestamp::now();
        let case = app.compliance.case(id, now)?;
        let lease = match case.kind.produces_document() && case.contact_id.is_some() {
            true => Some(app.plugins.lease(
                body.plugin.as_deref().unwrap_or("json"),
                PluginKind::Exporter,
            )?),
            false => None,
        };
        let plugin = lease.as_ref().map(|l| &*l.plugin);
        Ok(app
            .compliance
            .fulfil_case(&who.actor(), id, &body, plugin, now)?)
    })
    .await
    .map(Json)
}

#[utoipa::path(get, path = "/api/v1/requests/{id}/document", operation_id = "request_document", tag = "requests", params(CasePath),
    responses((status = 200, description = "The access or portability document, while it is kept", content((Binary = "*/*")),
            headers(("content-disposition" = String, description = "`attachment; filename=\"…\"`"))),
        (status = 404, description = "No case has this number, or its document was delivered or deleted")))]
pub async fn document(
    State(app): State<Arc<App>>,
    ApiPath(CasePath { id }): ApiPath<CasePath>,
) -> ApiResult<Response> {
    let doc = blocking(move || Ok(app.compliance.case_document(id, Timestamp::now())?)).await?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        doc.info.file_name.replace('"', "")
    );
    Ok((
        [
            (header::CONTENT_TYPE, doc.info.media_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        doc.bytes,
    )
        .into_response())
}

/// A note on a step.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepNote {
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/requests/{id}/delivered", operation_id = "request_delivered", tag = "requests", params(CasePath),
    request_body(content = StepNote, example = json!({"note": "sent by registered email"})),
    responses((status = 200, description = "The case; its document is deleted", body = Case),
        (status = 404, description = "No case has this number"),
        (status = 409, description = "No document waits for delivery")))]
pub async fn delivered(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(CasePath { id }): ApiPath<CasePath>,
    ApiJson(body): ApiJson<StepNote>,
) -> ApiResult<Json<Case>> {
    blocking(move || {
        Ok(app.compliance.case_delivered(
            &who.actor(),
            id,
            body.note.as_deref(),
            Timestamp::now(),
        )?)
    })
    .await
    .map(Json)
}

#[utoipa::path(post, path = "/api/v1/requests/{id}/close", operation_id = "close_request", tag = "requests", params(CasePath),
    request_body(content = StepNote, example = json!({"note": "the person confirmed receipt"})),
    responses((status = 200, description = "The case, closed (a document still kept is deleted)", body = Case),
        (status = 404, description = "No case has this number"),
        (status = 409, description = "Not answered yet, or closed already")))]
pub async fn close(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(CasePath { id }): ApiPath<CasePath>,
    ApiJson(body): ApiJson<StepNote>,
) -> ApiResult<Json<Case>> {
    blocking(move || {
        Ok(app
            .compliance
            .close_case(&who.actor(), id, body.note.as_deref(), Timestamp::now())?)
    })
    .await
    .map(Json)
}
