//! `can-process`, `consent-events`, `suppression`, and the catalogues: `purposes`, `fields`, `notices`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::api::extract::{blocking, ApiJson, ApiQuery, Caller};
use crate::api::problem::ApiResult;
use crate::app::App;
use crate::domain::{
    ConsentAction, ConsentChannel, ConsentEvent, Decision, Evidence, FieldDef, Notice, PurposeDef,
    SuppressionScope, Timestamp,
};
use crate::service::{Error, SuppressionCheck};
use crate::store::SuppressionOutcome;

fn time(field: &str, text: Option<&str>) -> Result<Option<Timestamp>, Error> {
    text.map(|t| Timestamp::parse(field, t))
        .transpose()
        .map_err(Error::from)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CanProcessQuery {
    /// An email, phone, `system:id`, or `#42` for contact 42.
    subject: String,
    /// A purpose of the catalogue, e.g. `marketing`.
    purpose: String,
    /// email, phone, sms, post, messaging or any.
    channel: String,
    /// When (default now): RFC 3339, a date, or seconds since 1970.
    at: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/can-process", tag = "compliance", params(CanProcessQuery),
    responses((status = 200, description = "allowed, basis, rule, reason", body = Object)))]
pub async fn can_process(
    State(app): State<Arc<App>>,
    ApiQuery(q): ApiQuery<CanProcessQuery>,
) -> ApiResult<Json<Decision>> {
    blocking(move || {
        let c = &app.compliance;
        let subject = c.parse_subject(&q.subject)?;
        let at = time("at", q.at.as_deref())?;
        Ok(c.can_process(&subject, &q.purpose, &q.channel, at)?)
    })
    .await
    .map(Json)
}

/// A grant, withdrawal or objection, with its evidence (Art. 7(1)).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentEventBody {
    /// An email, phone, `system:id`, or `#42` for contact 42.
    pub subject: String,
    pub purpose: String,
    #[schema(value_type = String, example = "email")]
    pub channel: ConsentChannel,
    #[schema(value_type = String, example = "withdrawn")]
    pub action: ConsentAction,
    /// When it happened (default now).
    pub at: Option<String>,
    pub evidence: EvidenceBody,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceBody {
    /// How it was collected, e.g. `unsubscribe link`, `signed paper form`.
    pub method: String,
    pub notice_version: Option<String>,
    pub text: Option<String>,
    /// Who recorded it (default: the token's name).
    pub collected_by: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Recorded {
    pub contact: i64,
    /// The event's number in the ledger.
    pub seq: i64,
}

#[utoipa::path(post, path = "/api/v1/consent-events", tag = "compliance", request_body = ConsentEventBody,
    responses((status = 201, body = Recorded), (status = 404, description = "No contact has this identity")))]
pub async fn record_consent(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiJson(body): ApiJson<ConsentEventBody>,
) -> ApiResult<(StatusCode, Json<Recorded>)> {
    blocking(move || {
        let c = &app.compliance;
        let contact = c.resolve_contact(&c.parse_subject(&body.subject)?)?;
        let event = ConsentEvent {
            purpose: body.purpose,
            channel: body.channel,
            action: body.action,
            at: time("at", body.at.as_deref())?.unwrap_or_else(Timestamp::now),
            evidence: Evidence {
                method: body.evidence.method,
                notice_version: body.evidence.notice_version,
                text: body.evidence.text,
                collected_by: body
                    .evidence
                    .collected_by
                    .unwrap_or_else(|| who.name.to_string()),
            },
        };
        let seq = c.record_consent(&who.actor(), contact, &event)?;
        Ok(Recorded {
            contact: contact.0,
            seq,
        })
    })
    .await
    .map(|r| (StatusCode::CREATED, Json(r)))
}

/// An identity for the suppression list: it is stored only as a keyed hash.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuppressBody {
    /// An email, phone or `system:id`.
    pub identity: String,
    /// Why, e.g. `asked never to be contacted again`.
    pub reason: String,
    /// Only these purposes (default: all).
    pub purposes: Option<Vec<String>>,
}

#[utoipa::path(post, path = "/api/v1/suppression", tag = "compliance", request_body = SuppressBody,
    responses((status = 201, body = Object)))]
pub async fn suppress(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiJson(body): ApiJson<SuppressBody>,
) -> ApiResult<(StatusCode, Json<SuppressionOutcome>)> {
    blocking(move || {
        let c = &app.compliance;
        let identity = c.parse_identity(&body.identity)?;
        let scope = body
            .purposes
            .map_or(SuppressionScope::All, SuppressionScope::Purposes);
        Ok(c.suppress(&who.actor(), &identity, &body.reason, &scope)?)
    })
    .await
    .map(|o| (StatusCode::CREATED, Json(o)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckBody {
    /// An email, phone or `system:id`. Sent in the body, not the URL, so it stays out of access logs.
    pub identity: String,
}

#[utoipa::path(post, path = "/api/v1/suppression/check", tag = "compliance", request_body = CheckBody,
    responses((status = 200, description = "suppressed: yes or no, and the entry (never the plaintext: only hashes are stored)", body = Object)))]
pub async fn check_suppression(
    State(app): State<Arc<App>>,
    ApiJson(body): ApiJson<CheckBody>,
) -> ApiResult<Json<SuppressionCheck>> {
    blocking(move || {
        let c = &app.compliance;
        Ok(c.check_suppression(&c.parse_identity(&body.identity)?)?)
    })
    .await
    .map(Json)
}

#[utoipa::path(get, path = "/api/v1/purposes", tag = "catalogue",
    responses((status = 200, description = "The purpose catalogue", body = Object)))]
pub async fn purposes(State(app): State<Arc<App>>) -> Json<Vec<PurposeDef>> {
    Json(app.compliance.policy().catalogue.purposes().to_vec())
}

#[utoipa::path(get, path = "/api/v1/fields", tag = "catalogue",
    responses((status = 200, description = "The field catalogue: each field with its data category and the purposes that justify collecting it", body = Object)))]
pub async fn fields(State(app): State<Arc<App>>) -> Json<Vec<FieldDef>> {
    Json(app.compliance.policy().catalogue.fields().to_vec())
}

#[utoipa::path(get, path = "/api/v1/notices", tag = "catalogue",
    responses((status = 200, description = "Privacy notice versions", body = Object)))]
pub async fn notices(State(app): State<Arc<App>>) -> ApiResult<Json<Vec<Notice>>> {
    blocking(move || Ok(app.compliance.notices()?))
        .await
        .map(Json)
}

/// A new version of the privacy notice (Art. 13–14).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeBody {
    /// e.g. `2026-01`.
    pub version: String,
    /// Default now.
    pub published_at: Option<String>,
    /// The notice's text: only its SHA-256 is kept, to prove later which text a person saw.
    pub text: Option<String>,
    pub summary: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/notices", tag = "catalogue", request_body = NoticeBody,
    responses((status = 201, body = Object)))]
pub async fn publish_notice(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiJson(body): ApiJson<NoticeBody>,
) -> ApiResult<(StatusCode, Json<Notice>)> {
    blocking(move || {
        use sha2::Digest;
        let notice = Notice {
            version: body.version,
            published_at: time("published_at", body.published_at.as_deref())?
                .unwrap_or_else(Timestamp::now),
            text_digest: body
                .text
                .map(|t| hex::encode(sha2::Sha256::digest(t.as_bytes()))),
            summary: body.summary,
        };
        app.compliance.publish_notice(&who.actor(), &notice)?;
        Ok(notice)
    })
    .await
    .map(|n| (StatusCode::CREATED, Json(n)))
}
