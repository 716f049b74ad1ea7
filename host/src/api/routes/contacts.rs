//! `contacts`: list (filters, cursor paging), get with field provenance, create, rectify, restrict,
//! and each contact's legal bases and provenance (its consents: [`super::consents`]). A role sees
//! only the fields (and the email and phone identities) `[access.visible_fields]` allows it:
//! [`Visibility`].

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::api::extract::{blocking, ApiJson, ApiPath, ApiQuery, Caller};
use crate::api::problem::ApiResult;
use crate::api::visibility::Visibility;
use crate::app::App;
use crate::domain::{BasisPeriod, ContactDetails, ContactId, ProvenanceEntry, Timestamp};
use crate::service::AllowedFilter;
use crate::store::{ContactFilter, ContactPage, NewContact, Rectification};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// An email, phone or `system:id`: the contact with this identity.
    identity: Option<String>,
    /// Contacts with data from a source with this label.
    source: Option<String>,
    /// Only contacts that may be processed for this purpose (with `channel`).
    purpose: Option<String>,
    /// The channel for `purpose` (default `any`).
    channel: Option<String>,
    /// With `purpose`: `false` lists the contacts that may NOT be processed: those to remedy
    /// (obtain consent, record a basis) or delete.
    allowed: Option<bool>,
    /// Contacts changed at or after this time (RFC 3339, date or seconds).
    updated_since: Option<String>,
    /// The previous page's `next`.
    after: Option<i64>,
    /// Page size, at most 1000 (default 100).
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts", params(ListQuery),
    responses((status = 200, description = "A page of contacts; pass `next` as `after` for the next page", body = Object)))]
pub async fn list(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<ContactPage>> {
    blocking(move || {
        let c = &app.compliance;
        let filter = ContactFilter {
            identity: q
                .identity
                .as_deref()
                .map(|t| c.parse_identity(t))
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

#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = i64, Path)),
    responses((status = 200, description = "The contact: identities, field values with history and provenance", body = Object)))]
pub async fn get(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<i64>,
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

#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts",
    request_body(content = Object, description = "identities, fields, source_label, channel, collected_at?, last_interaction?"),
    responses((status = 201, body = Created), (status = 409, description = "An identity belongs to another contact")))]
pub async fn create(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiJson(new): ApiJson<NewContact>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    blocking(move || Ok(app.compliance.create_contact(&who.actor(), &new)?))
        .await
        .map(|id| (StatusCode::CREATED, Json(Created { id: id.0 })))
}

#[utoipa::path(post, path = "/api/v1/contacts/{id}/rectify", tag = "contacts", params(("id" = i64, Path)),
    request_body(content = Object, description = "fields, add_identities, remove_identities, reason"),
    responses((status = 200, description = "The contact after the change", body = Object)))]
pub async fn rectify(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<Rectification>,
) -> ApiResult<Json<ContactDetails>> {
    blocking(move || {
        let details = app
            .compliance
            .rectify(&who.actor(), ContactId(id), &change)?;
        Ok(Visibility::of(&app.config.access, who.role).details(details))
    })
    .await
    .map(Json)
}

/// Restrict processing to storage (Art. 18), or lift the restriction.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Restriction {
    pub restricted: bool,
    /// From when (default now).
    pub since: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/contacts/{id}/restrict", tag = "contacts", params(("id" = i64, Path)),
    request_body = Restriction, responses((status = 204)))]
pub async fn restrict(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<i64>,
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

#[utoipa::path(get, path = "/api/v1/contacts/{id}/legal-bases", tag = "contacts", params(("id" = i64, Path)),
    responses((status = 200, body = Object)))]
pub async fn legal_bases(
    State(app): State<Arc<App>>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<BasisPeriod>>> {
    blocking(move || Ok(app.compliance.legal_bases(ContactId(id))?))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/api/v1/contacts/{id}/legal-bases", tag = "contacts", params(("id" = i64, Path)),
    request_body(content = Object, description = "purpose, basis, start, end?"), responses((status = 204)))]
pub async fn add_legal_basis(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<i64>,
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

#[utoipa::path(get, path = "/api/v1/contacts/{id}/provenance", tag = "contacts", params(("id" = i64, Path)),
    responses((status = 200, description = "Where the contact's data came from (Art. 15(1)(g))", body = Object)))]
pub async fn provenance(
    State(app): State<Arc<App>>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<ProvenanceEntry>>> {
    blocking(move || Ok(app.compliance.contact(ContactId(id))?.provenance))
        .await
        .map(Json)
}
