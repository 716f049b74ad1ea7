//! The retention policy over HTTP (DPO): a run of every enabled rule (`POST /api/v1/retention/runs`
//! without `rule`, handled with the single rule's run in `requests.rs`) and the explanation of one
//! subject, as of any date.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::api::extract::{blocking, ApiPath, ApiQuery};
use crate::api::problem::ApiResult;
use crate::app::App;
use crate::domain::{ContactId, Timestamp};
use crate::service::policy::{lease_policy, Explanation, PolicyReport};
use crate::service::retention::{RetentionOptions, RetentionReport};

/// What a retention run answers: one rule's report, or the whole policy's.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum RunReport {
    Rule(RetentionReport),
    Policy(PolicyReport),
}

/// Runs every enabled retention rule as one policy.
pub(super) fn run_policy(app: &App, options: &RetentionOptions) -> ApiResult<RunReport> {
    let leases = lease_policy(&app.plugins)?;
    let rules: Vec<_> = leases.iter().map(|l| &*l.plugin).collect();
    Ok(RunReport::Policy(
        app.compliance.run_policy(&rules, options)?,
    ))
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

#[utoipa::path(get, path = "/api/v1/retention/explain/{contact_id}", operation_id = "explain_retention", tag = "requests",
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
