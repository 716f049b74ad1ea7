//! `can-process`, `consent-events`, `suppression`, and the catalogues: `purposes`, `fields`, `notices`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::api::extract::{at_input, blocking, ApiJson, ApiQuery, Caller};
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
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CanProcessQuery {
    /// An email, phone, `system:id`, or `#42` for contact 42.
    #[param(example = "mario.rossi@example.com")]
    subject: String,
    /// A purpose of the catalogue.
    #[param(example = "marketing")]
    purpose: String,
    /// The channel to use; `any` asks about every channel.
    #[param(value_type = ConsentChannel)]
    channel: String,
    /// When (default now).
    #[param(value_type = Option<Timestamp>)]
    at: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/can-process", tag = "compliance", params(CanProcessQuery),
    responses((status = 200, description = "Whether the processing is allowed, on which basis, the rule that decided and the reason in words", body = Decision)))]
pub async fn can_process(
    State(app): State<Arc<App>>,
    ApiQuery(q): ApiQuery<CanProcessQuery>,
) -> ApiResult<Json<Decision>> {
    blocking(move || {
        let c = &app.compliance;
        let subject = at_input("subject", c.parse_subject(&q.subject))?;
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
    #[schema(min_length = 1)]
    pub subject: String,
    pub purpose: String,
    pub channel: ConsentChannel,
    pub action: ConsentAction,
    /// When it happened (default now).
    #[schema(value_type = Option<Timestamp>)]
    pub at: Option<String>,
    pub evidence: EvidenceBody,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceBody {
    /// How it was collected, e.g. `unsubscribe link`, `signed paper form`.
    #[schema(min_length = 1)]
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

#[utoipa::path(post, path = "/api/v1/consent-events", tag = "compliance",
    request_body(content = ConsentEventBody, example = json!({
        "subject": "mario.rossi@example.com",
        "purpose": "marketing",
        "channel": "email",
        "action": "granted",
        "at": "2026-03-12T10:30:00Z",
        "evidence": {
            "method": "signed paper form",
            "notice_version": "2026-01",
            "text": "I agree to receive offers by email",
            "collected_by": "stand B12"
        }
    })),
    responses((status = 201, description = "Recorded in the contact's consent ledger", body = Recorded), (status = 404, description = "No contact has this identity")))]
pub async fn record_consent(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiJson(body): ApiJson<ConsentEventBody>,
) -> ApiResult<(StatusCode, Json<Recorded>)> {
    blocking(move || {
        let c = &app.compliance;
        let subject = at_input("subject", c.parse_subject(&body.subject))?;
        let contact = c.resolve_contact(&subject)?;
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
    #[schema(min_length = 1)]
    pub identity: String,
    /// Why, e.g. `asked never to be contacted again`.
    #[schema(min_length = 1, max_length = 200)]
    pub reason: String,
    /// Only these purposes (default: all).
    pub purposes: Option<Vec<String>>,
}

#[utoipa::path(post, path = "/api/v1/suppression", operation_id = "suppress", tag = "compliance",
    request_body(content = SuppressBody, example = json!({
        "identity": "anna.bianchi@example.org",
        "reason": "asked never to be contacted again",
        "purposes": ["marketing"]
    })),
    responses((status = 201, description = "The entry, and the contact with this identity (now marked suppressed), if any", body = SuppressionOutcome)))]
pub async fn suppress(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiJson(body): ApiJson<SuppressBody>,
) -> ApiResult<(StatusCode, Json<SuppressionOutcome>)> {
    blocking(move || {
        let c = &app.compliance;
        let identity = at_input("identity", c.parse_identity(&body.identity))?;
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
    #[schema(min_length = 1)]
    pub identity: String,
}

#[utoipa::path(post, path = "/api/v1/suppression/check", operation_id = "check_suppression", tag = "compliance",
    request_body(content = CheckBody, example = json!({"identity": "anna.bianchi@example.org"})),
    responses((status = 200, description = "suppressed: yes or no, and the entry (never the plaintext: only hashes are stored)", body = SuppressionCheck)))]
pub async fn check_suppression(
    State(app): State<Arc<App>>,
    ApiJson(body): ApiJson<CheckBody>,
) -> ApiResult<Json<SuppressionCheck>> {
    blocking(move || {
        let c = &app.compliance;
        let identity = at_input("identity", c.parse_identity(&body.identity))?;
        Ok(c.check_suppression(&identity)?)
    })
    .await
    .map(Json)
}

#[utoipa::path(get, path = "/api/v1/purposes", operation_id = "purposes", tag = "catalogue",
    responses((status = 200, description = "The purpose catalogue", body = Vec<PurposeDef>)))]
pub async fn purposes(State(app): State<Arc<App>>) -> Json<Vec<PurposeDef>> {
    Json(app.compliance.policy().catalogue.purposes().to_vec())
}

#[utoipa::path(get, path = "/api/v1/fields", operation_id = "fields", tag = "catalogue",
    responses((status = 200, description = "The field catalogue: each field's data category and the purposes that justify collecting it", body = Vec<FieldDef>)))]
pub async fn fields(State(app): State<Arc<App>>) -> Json<Vec<FieldDef>> {
    Json(app.compliance.policy().catalogue.fields().to_vec())
}

#[utoipa::path(get, path = "/api/v1/notices", operation_id = "notices", tag = "catalogue",
    responses((status = 200, description = "Privacy notice versions", body = Vec<Notice>)))]
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
    #[schema(min_length = 1, max_length = 100)]
    pub version: String,
    /// Default now.
    #[schema(value_type = Option<Timestamp>)]
    pub published_at: Option<String>,
    /// The notice's text: only its SHA-256 is kept, to prove later which text a person saw.
    pub text: Option<String>,
    pub summary: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/notices", tag = "catalogue",
    request_body(content = NoticeBody, example = json!({
        "version": "2026-01",
        "published_at": "2026-01-15",
        "text": "Rossi Forniture S.r.l. processes your data to ...",
        "summary": "Adds the newsletter and the retention periods"
    })),
    responses((status = 201, description = "The version recorded, with the SHA-256 of its text", body = Notice),
        (status = 409, description = "This version exists")))]
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
