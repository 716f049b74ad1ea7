//! `contacts`: list (filters, cursor paging), get with field provenance, create, rectify, restrict,
//! legal hold, and each contact's legal bases and provenance (its consents: [`super::consents`]). A role sees
//! only the fields (and the email and phone identities) `[access.visible_fields]` allows it:
//! [`Visibility`].

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::api::extract::{at_input, blocking, ApiJson, ApiPath, ApiQuery, Caller};
use crate::api::problem::ApiResult;
use crate::api::visibility::Visibility;
use crate::app::App;
use crate::domain::{
    BasisPeriod, ConsentChannel, ContactDetails, ContactId, ProvenanceEntry, Timestamp,
};
use crate::service::AllowedFilter;
use crate::store::{ContactFilter, ContactPage, NewContact, Rectification};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// An email, phone or `system:id`: the contact with this identity.
    #[param(example = "mario.rossi@example.com")]
    identity: Option<String>,
    /// Contacts with data from a source with this label.
    #[param(example = "Fiera Milano 2026")]
    source: Option<String>,
    /// Only contacts that may be processed for this purpose (with `channel`).
    #[param(example = "marketing")]
    purpose: Option<String>,
    /// The channel for `purpose` (default `any`).
    #[param(value_type = Option<ConsentChannel>)]
    channel: Option<String>,
    /// With `purpose`: `false` lists the contacts that may NOT be processed: those to remedy
    /// (obtain consent, record a basis) or delete.
    allowed: Option<bool>,
    /// Contacts changed at or after this time.
    #[param(value_type = Option<Timestamp>)]
    updated_since: Option<String>,
    /// The previous page's `next`.
    after: Option<i64>,
    /// Page size, at most 1000 (default 100).
    limit: Option<u32>,
}

/// A contact named in the path.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ContactPath {
    /// The contact's id.
    pub id: i64,
}

#[utoipa::path(get, path = "/api/v1/contacts", operation_id = "list_contacts", tag = "contacts", params(ListQuery),
    responses((status = 200, description = "A page of contacts; pass `next` as `after` for the next page", body = ContactPage)))]
pub async fn list(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<ContactPage>> {
    blocking(move || {
        let c = &app.compliance;
        // A filter value that names nothing is refused: an empty page would read as "nobody".
        if let Some(purpose) = &q.purpose {
            c.policy()
                .catalogue
                .require_purpose("purpose", purpose)
                .map_err(crate::service::Error::from)?;
        } else if q.channel.is_some() || q.allowed.is_some() {
            let name = if q.channel.is_some() { "channel" } else { "allowed" };
            return Err(crate::service::Error::invalid(
                name,
                format!("`{name}` filters by what may be done for a purpose: add `purpose=`, e.g. `purpose=marketing`"),
            )
            .into());
        }
        if let Some(channel) = &q.channel {
            ConsentChannel::parse("channel", channel).map_err(crate::service::Error::from)?;
        }
        let filter = ContactFilter {
            identity: q
                .identity
                .as_deref()
                .map(|t| at_input("identity", c.parse_identity(t)))
                .transpose()?,
            source_label: q.source,
            updated_since: q
                .updated_since
                .as_deref()
                .map(|t| Timestamp::parse("updated_since", t))
                .transpose()
                .map_err(crate::service::Error::from)?,
            after: q.after.map(ContactId),
            limit: q.limit.unwrap_or(100).min(1000),
        };
        let allowed = q.purpose.map(|purpose| AllowedFilter {
            purpose,
            channel: q.channel.unwrap_or_else(|| "any".into()),
            at: None,
            allowed: q.allowed.unwrap_or(true),
        });
        let page = c.list_contacts(&filter, allowed.as_ref())?;
        Ok(Visibility::of(&app.config.access, who.role).page(page))
    })
    .await
    .map(Json)
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}", operation_id = "get_contact", tag = "contacts", params(ContactPath),
    responses((status = 200, description = "The contact: identities, field values with history and provenance", body = ContactDetails),
        (status = 404, description = "No contact has this id")))]
pub async fn get(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(ContactPath { id }): ApiPath<ContactPath>,
) -> ApiResult<Json<ContactDetails>> {
    blocking(move || {
        let details = app.compliance.contact(ContactId(id))?;
        Ok(Visibility::of(&app.config.access, who.role).details(details))
    })
    .await
    .map(Json)
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Created {
    pub id: i64,
}

#[utoipa::path(post, path = "/api/v1/contacts", operation_id = "create_contact", tag = "contacts",
    request_body(content = NewContact, description = "A contact entered by hand: its identities, field values of the field catalogue, and where the data came from",
        example = json!({
            "identities": [{"email": "mario.rossi@example.com"}, {"phone": "+39 333 123 4567"}],
            "fields": [
                {"name": "first_name", "value": "Mario"},
                {"name": "last_name", "value": "Rossi"},
                {"name": "company", "value": "Rossi Forniture S.r.l."}
            ],
            "source_label": "business card from Fiera Milano 2026",
            "channel": "business-card",
            "collected_at": "2026-03-12",
            "last_interaction": "2026-03-12T10:30:00Z"
        })),
    responses((status = 201, description = "Created: its id", body = Created),
        (status = 403, description = "A field or identity the caller's role may not see (`[access.visible_fields]`)"),
        (status = 409, description = "An identity belongs to another contact")))]
pub async fn create(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiJson(new): ApiJson<NewContact>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    Visibility::of(&app.config.access, who.role)
        .check_write(&new.fields, [("identities", new.identities.as_slice())])?;
    blocking(move || Ok(app.compliance.create_contact(&who.actor(), &new)?))
        .await
        .map(|id| (StatusCode::CREATED, Json(Created { id: id.0 })))
}

#[utoipa::path(post, path = "/api/v1/contacts/{id}/rectify", operation_id = "rectify_contact", tag = "contacts", params(ContactPath),
    request_body(content = Rectification, description = "A correction (Art. 16): new field values, identities to add and to remove, and why",
        example = json!({
            "fields": [{"name": "company", "value": "Rossi Forniture S.p.A."}],
            "add_identities": [{"external": {"system": "erp", "id": "C-1042"}}],
            "remove_identities": [{"phone": "+39 333 123 4567"}],
            "reason": "the customer wrote on 2026-04-01 with the new company name"
        })),
    responses((status = 200, description = "The contact after the change", body = ContactDetails),
        (status = 403, description = "A field or identity the caller's role may not see (`[access.visible_fields]`)"),
        (status = 404, description = "No contact has this id"),
        (status = 409, description = "An identity to add belongs to another contact")))]
pub async fn rectify(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(ContactPath { id }): ApiPath<ContactPath>,
    ApiJson(change): ApiJson<Rectification>,
) -> ApiResult<Json<ContactDetails>> {
    Visibility::of(&app.config.access, who.role).check_write(
        &change.fields,
        [
            ("add_identities", change.add_identities.as_slice()),
            ("remove_identities", change.remove_identities.as_slice()),
        ],
    )?;
    blocking(move || {
        let details = app
            .compliance
            .rectify(&who.actor(), ContactId(id), &change)?;
        Ok(Visibility::of(&app.config.access, who.role).details(details))
    })
    .await
    .map(Json)
}

/// Restrict processing to storage (Art. 18), or lift the restriction. Each restriction is kept as a
/// period (see the contact's `restrictions`), so questions about a past time are answered with it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Restriction {
    pub restricted: bool,
    /// From when the restriction applies, or, lifting it, when it ended (default now; a lift is
    /// never in the future, and periods never overlap).
    #[schema(value_type = Option<Timestamp>)]
    pub since: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/contacts/{id}/restrict", operation_id = "restrict_contact", tag = "contacts", params(ContactPath),
    request_body(content = Restriction, example = json!({"restricted": true, "since": "2026-04-02"})),
    responses((status = 204, description = "Restricted, or the restriction lifted"),
        (status = 400, description = "A lift before the restriction's start or in the future, or a start inside an earlier restriction"),
        (status = 404, description = "No contact has this id"),
        (status = 409, description = "Already restricted, or nothing to lift")))]
pub async fn restrict(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(ContactPath { id }): ApiPath<ContactPath>,
    ApiJson(r): ApiJson<Restriction>,
) -> ApiResult<StatusCode> {
    blocking(move || {
        let since = r
            .since
            .as_deref()
            .map(|t| Timestamp::parse("since", t))
            .transpose()
            .map_err(crate::service::Error::from)?;
        Ok(app
            .compliance
            .restrict(&who.actor(), ContactId(id), r.restricted, since)?)
    })
    .await
    .map(|()| StatusCode::NO_CONTENT)
}

/// Place a legal hold (litigation, an authority's request: nothing of the contact may be erased or
/// anonymised, by a request or a retention rule, until it is lifted), or lift it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LegalHold {
    pub held: bool,
    /// Why, kept in the audit log and, while the hold is in force, shown with it (also in the person's
    /// access package); no personal data.
    #[schema(min_length = 1, max_length = 200)]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/contacts/{id}/legal-hold", operation_id = "legal_hold", tag = "contacts", params(ContactPath),
    request_body(content = LegalHold, example = json!({"held": true, "reason": "litigation 2026/114, court of Milan"})),
    responses((status = 204, description = "Held from now, or the hold lifted"),
        (status = 404, description = "No contact has this id"),
        (status = 409, description = "Already held, or nothing to lift"),
        (status = 410, description = "The contact is erased"),
        (status = 422, description = "No reason, or one longer than 200 characters")))]
pub async fn legal_hold(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(ContactPath { id }): ApiPath<ContactPath>,
    ApiJson(h): ApiJson<LegalHold>,
) -> ApiResult<StatusCode> {
    blocking(move || {
        Ok(app
            .compliance
            .legal_hold(&who.actor(), ContactId(id), h.held, &h.reason)?)
    })
    .await
    .map(|()| StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}/legal-bases", operation_id = "legal_bases", tag = "contacts", params(ContactPath),
    responses((status = 200, description = "The contact's legal-basis periods", body = Vec<BasisPeriod>),
        (status = 404, description = "No contact has this id")))]
pub async fn legal_bases(
    State(app): State<Arc<App>>,
    ApiPath(ContactPath { id }): ApiPath<ContactPath>,
) -> ApiResult<Json<Vec<BasisPeriod>>> {
    blocking(move || Ok(app.compliance.legal_bases(ContactId(id))?))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/api/v1/contacts/{id}/legal-bases", tag = "contacts", params(ContactPath),
    request_body(content = BasisPeriod, description = "A legal basis for a purpose of the catalogue, from `start` until `end` (open when absent)",
        example = json!({"purpose": "customer-care", "basis": "legitimate-interest", "start": "2026-03-12"})),
    responses((status = 204, description = "Recorded"), (status = 404, description = "No contact has this id")))]
pub async fn add_legal_basis(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(ContactPath { id }): ApiPath<ContactPath>,
    ApiJson(period): ApiJson<BasisPeriod>,
) -> ApiResult<StatusCode> {
    blocking(move || {
        Ok(app
            .compliance
            .add_legal_basis(&who.actor(), ContactId(id), &period)?)
    })
    .await
    .map(|()| StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}/provenance", operation_id = "provenance", tag = "contacts", params(ContactPath),
    responses((status = 200, description = "Where the contact's data came from", body = Vec<ProvenanceEntry>),
        (status = 404, description = "No contact has this id")))]
pub async fn provenance(
    State(app): State<Arc<App>>,
    ApiPath(ContactPath { id }): ApiPath<ContactPath>,
) -> ApiResult<Json<Vec<ProvenanceEntry>>> {
    blocking(move || Ok(app.compliance.contact(ContactId(id))?.provenance))
        .await
        .map(Json)
}

/// A privacy notice version the contact received (Art. 13–14).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeGiven {
    /// A published version (`GET /api/v1/notices`), e.g. `2026-01`.
    #[schema(min_length = 1, max_length = 100)]
    pub version: String,
    /// When the contact received it (default now).
    #[schema(value_type = Option<Timestamp>)]
    pub at: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/contacts/{id}/notices", operation_id = "record_notice_receipt", tag = "contacts", params(ContactPath),
    request_body(content = NoticeGiven, example = json!({"version": "2026-01", "at": "2026-03-12T10:30:00Z"})),
    responses((status = 204, description = "Recorded"),
        (status = 404, description = "No contact has this id, or no notice this version")))]
pub async fn record_notice(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(ContactPath { id }): ApiPath<ContactPath>,
    ApiJson(body): ApiJson<NoticeGiven>,
) -> ApiResult<StatusCode> {
    blocking(move || {
        let receipt = crate::service::notice_receipt(&body.version, body.at.as_deref())?;
        Ok(app
            .compliance
            .record_notice_receipt(&who.actor(), ContactId(id), &receipt)?)
    })
    .await
    .map(|()| StatusCode::NO_CONTENT)
}
