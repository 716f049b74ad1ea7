//! Retention (DPO): runs of one rule plugin or of the whole policy (every enabled rule combined), dry
//! or applied, recorded and shown with their decisions; the confirmation of a run the blast-radius
//! guard held; the review queue; the explanation of one subject's outcome, as of any date.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use crate::api::extract::{blocking, ApiJson, ApiPath, ApiQuery, Caller};
use crate::api::problem::{ApiError, ApiResult, Problem};
use crate::app::App;
use crate::domain::{ContactId, Timestamp};
use crate::runtime::PluginKind;
use crate::service::policy::{lease_policy, Explanation};
use crate::service::retention::{
    RetentionError, RetentionOptions, RetentionReport, ReviewItem, ReviewRequest, RunRecord,
};

impl From<RetentionError> for ApiError {
    fn from(e: RetentionError) -> Self {
        match e {
            RetentionError::Plugin(p) => ApiError::Plugin(p),
            RetentionError::Store(s) => ApiError::Store(s),
            RetentionError::Invalid(m) => ApiError::Problem(Problem::invalid("rule", m)),
            ran @ RetentionError::AlreadyRan(_) => ApiError::Problem(Problem::new(
                StatusCode::CONFLICT,
                "run-already-made",
                "This scheduled run was already made",
                ran.to_string(),
            )),
            busy @ RetentionError::Busy(_) => ApiError::Problem(Problem::new(
                StatusCode::CONFLICT,
                "run-under-way",
                "A retention run is under way",
                busy.to_string(),
            )),
        }
    }
}

/// A retention run.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionRun {
    /// An enabled retention-rule plugin, e.g. `legitimate-interest`; not given: every enabled rule,
    /// combined as one policy.
    pub rule: Option<String>,
    /// Only report what would be done (default false).
    #[serde(default)]
    pub dry_run: bool,
    /// Decide as of this time instead of now (to look ahead in a dry run).
    #[schema(value_type = Option<Timestamp>)]
    pub at: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/retention/runs", operation_id = "retention_run", tag = "retention",
    request_body(content = RetentionRun, example = json!({"rule": "legitimate-interest", "dry_run": true, "at": "2028-06-30"})),
    responses((status = 200, description = "The run (of the rule, or without `rule` of every enabled rule combined) as recorded: `applied`, `dry`, or `waiting-for-confirmation` when it would erase more than `[retention]` allows (nothing applied; counts by rule)", body = RetentionReport),
        (status = 404, description = "No plugin has this name"),
        (status = 409, description = "The plugin is disabled or not a retention rule, no rule is enabled (without `rule`), or another run is under way (its id in the detail)")))]
pub async fn run(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiJson(body): ApiJson<RetentionRun>,
) -> ApiResult<Json<RetentionReport>> {
    blocking(move || {
        let now = match body.at.as_deref() {
            Some(t) => Timestamp::parse("at", t).map_err(crate::service::Error::from)?,
            None => Timestamp::now(),
        };
        let mut options = RetentionOptions::requested(who.actor(), now, body.dry_run);
        options.guard = app.config.retention.guard;
        let Some(rule) = &body.rule else {
            let leases = lease_policy(&app.plugins)?;
            let rules: Vec<_> = leases.iter().map(|l| &*l.plugin).collect();
            return Ok(app.compliance.run_policy(&rules, &options)?);
        };
        let lease = app.plugins.lease(rule, PluginKind::RetentionRule)?;
        Ok(app.compliance.run_retention(&lease.plugin, &options)?)
    })
    .await
    .map(Json)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RunsQuery {
    /// The previous page's last id: runs older than it.
    before: Option<i64>,
    /// Page size, at most 100 (default 20).
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/retention/runs", operation_id = "retention_runs", tag = "retention", params(RunsQuery),
    responses((status = 200, description = "Recorded runs, newest first, with their counts", body = Vec<RunRecord>)))]
pub async fn runs(
    State(app): State<Arc<App>>,
    ApiQuery(q): ApiQuery<RunsQuery>,
) -> ApiResult<Json<Vec<RunRecord>>> {
    blocking(move || {
        Ok(app
            .compliance
            .retention_runs(q.before, q.limit.unwrap_or(20).min(100))?)
    })
    .await
    .map(Json)
}

/// A run named in the path.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RunPath {
    /// The run's id.
    pub id: i64,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DecisionsQuery {
    /// The previous page's `next`: decisions after it.
    after: Option<u64>,
    /// Decisions per page, at most 1000 (default 100).
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/retention/runs/{id}", operation_id = "retention_run_show", tag = "retention", params(RunPath, DecisionsQuery),
    responses((status = 200, description = "The run with a page of its decisions and their outcomes; pass `next` as `after` for the next page", body = RetentionReport),
        (status = 404, description = "No run has this id")))]
pub async fn show(
    State(app): State<Arc<App>>,
    ApiPath(RunPath { id }): ApiPath<RunPath>,
    ApiQuery(q): ApiQuery<DecisionsQuery>,
) -> ApiResult<Json<RetentionReport>> {
    blocking(move || {
        Ok(app
            .compliance
            .retention_run(id, q.after, q.limit.unwrap_or(100).min(1000))?)
    })
    .await
    .map(Json)
}

#[utoipa::path(post, path = "/api/v1/retention/runs/{id}/confirm", operation_id = "retention_run_confirm", tag = "retention", params(RunPath),
    responses((status = 200, description = "The held run, applied", body = RetentionReport),
        (status = 404, description = "No run has this id"),
        (status = 409, description = "The run is not waiting for confirmation, or another run is under way")))]
pub async fn confirm(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(RunPath { id }): ApiPath<RunPath>,
) -> ApiResult<Json<RetentionReport>> {
    blocking(move || Ok(app.compliance.confirm_retention_run(id, &who.actor())?))
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReviewQuery {
    /// Resolved items too (default: only the open ones).
    #[serde(default)]
    all: bool,
    /// The previous page's last id.
    after: Option<i64>,
    /// Page size, at most 1000 (default 100).
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/retention/review", operation_id = "review_items", tag = "retention", params(ReviewQuery),
    responses((status = 200, description = "Contacts a rule asked a DPO to review, oldest first", body = Vec<ReviewItem>)))]
pub async fn review_items(
    State(app): State<Arc<App>>,
    ApiQuery(q): ApiQuery<ReviewQuery>,
) -> ApiResult<Json<Vec<ReviewItem>>> {
    blocking(move || {
        Ok(app
            .compliance
            .review_items(q.all, q.after, q.limit.unwrap_or(100).min(1000))?)
    })
    .await
    .map(Json)
}

/// A review item named in the path.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ReviewPath {
    /// The item's id.
    pub id: i64,
}

#[utoipa::path(post, path = "/api/v1/retention/review/{id}", operation_id = "review_resolve", tag = "retention", params(ReviewPath),
    request_body(content = ReviewRequest, description = "`keep` with `review_after`, `erase`, or `anonymise` with `categories`",
        example = json!({"decision": "erase", "reason": "no basis found, checked with sales"})),
    responses((status = 200, description = "The item, resolved (audited)", body = ReviewItem),
        (status = 422, description = "No reason, a keep without a future `review_after`, an anonymisation without `categories`"),
        (status = 404, description = "No item has this id"),
        (status = 409, description = "Already resolved, or the contact is under legal hold or restricted")))]
pub async fn review_resolve(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(ReviewPath { id }): ApiPath<ReviewPath>,
    ApiJson(request): ApiJson<ReviewRequest>,
) -> ApiResult<Json<ReviewItem>> {
    blocking(move || {
        let resolution = request.resolution().map_err(crate::service::Error::from)?;
        Ok(app
            .compliance
            .resolve_review(&who.actor(), id, &resolution)?)
    })
    .await
    .map(Json)
}

/// A contact named in the path.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ExplainPath {
    /// The contact's id.
    pub contact_id: i64,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExplainQuery {
    /// Decide as of this time instead of now, e.g. `2027-01-01` to see what the policy will say.
    #[param(value_type = Option<Timestamp>)]
    at: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/retention/explain/{contact_id}", operation_id = "explain_retention", tag = "retention",
    params(ExplainPath, ExplainQuery),
    responses((status = 200, description = "Each enabled rule's verdict about the contact, with its reason and legal reference, and the policy's combined outcome", body = Explanation),
        (status = 404, description = "No contact has this id"),
        (status = 409, description = "No retention rule is enabled, or an enabled one does not load"),
        (status = 410, description = "The contact was erased")))]
pub async fn explain(
    State(app): State<Arc<App>>,
    ApiPath(ExplainPath { contact_id }): ApiPath<ExplainPath>,
    ApiQuery(q): ApiQuery<ExplainQuery>,
) -> ApiResult<Json<Explanation>> {
    blocking(move || {
        let at = match q.at.as_deref() {
            Some(t) => Timestamp::parse("at", t).map_err(crate::service::Error::from)?,
            None => Timestamp::now(),
        };
        let leases = lease_policy(&app.plugins)?;
        let rules: Vec<_> = leases.iter().map(|l| &*l.plugin).collect();
        Ok(app
            .compliance
            .explain_retention(&rules, ContactId(contact_id), at)?)
    })
    .await
    .map(Json)
}
