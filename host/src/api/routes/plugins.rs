//! `plugins`: upload a component (the body is its bytes), list, inspect, enable, disable, configure,
//! delete. Changes take effect at once, without a restart.

use std::sync::Arc;

use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::Json;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::api::extract::{blocking, body_rejection, ApiJson, ApiPath, ApiQuery, Caller};
use crate::api::problem::{ApiResult, Problem};
use crate::api::schema::Binary;
use crate::app::App;
use crate::runtime::Inspection;
use crate::service::plugins::{Installed, PluginInfo, SettingsChange};

#[utoipa::path(get, path = "/api/v1/plugins", operation_id = "list_plugins", tag = "plugins",
    responses((status = 200, description = "The installed plugins", body = Vec<PluginInfo>)))]
pub async fn list(State(app): State<Arc<App>>) -> Json<Vec<PluginInfo>> {
    Json(app.plugins.list())
}

/// A plugin named in the path.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PluginPath {
    /// The plugin's name, e.g. `csv`.
    pub name: String,
}

/// An installed plugin and what its component declares.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PluginDetails {
    pub plugin: PluginInfo,
    /// describe(), imports and exports, digest, API version.
    pub inspection: Inspection,
}

#[utoipa::path(get, path = "/api/v1/plugins/{name}", operation_id = "inspect_plugin", tag = "plugins", params(PluginPath),
    responses((status = 200, description = "The plugin and what its component declares", body = PluginDetails),
        (status = 404, description = "No plugin has this name")))]
pub async fn inspect(
    State(app): State<Arc<App>>,
    ApiPath(PluginPath { name }): ApiPath<PluginPath>,
) -> ApiResult<Json<PluginDetails>> {
    blocking(move || {
        Ok(PluginDetails {
            plugin: app.plugins.info(&name)?,
            inspection: app.plugins.inspect(&name)?,
        })
    })
    .await
    .map(Json)
}

/// The query of an upload.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The installed plugin the upload replaces (its settings and state are kept). Required when a
    /// plugin of the upload's name is installed; the upload must have that name and kind.
    #[param(example = "csv")]
    replace: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/plugins", operation_id = "upload_plugin", tag = "plugins", params(UploadQuery),
    request_body(description = "The component (.wasm); any media type is read as its bytes",
        content((inline(Binary) = "application/wasm"), (inline(Binary) = "application/octet-stream"))),
    responses((status = 201, description = "Installed (disabled), or replaced the plugin named by `replace`", body = Installed),
        (status = 200, description = "The same component was installed already", body = Installed),
        (status = 409, description = "A plugin of its name is installed and `replace` does not name it, or it is of another kind"),
        (status = 422, description = "Not a usable plugin: the runtime's message says why")))]
pub async fn upload(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiQuery(query): ApiQuery<UploadQuery>,
    request: Request,
) -> ApiResult<(StatusCode, Json<Installed>)> {
    let limit = app.config.server.max_plugin_bytes as u64;
    let bytes =
        Bytes::from_request(request, &())
            .await
            .map_err(|e| match body_rejection(e, limit) {
                p if p.status == 413 => {
                    Problem::too_large("plugin component", limit, "server.max_plugin_bytes")
                }
                p => p,
            })?;
    if bytes.is_empty() {
        return Err(Problem::invalid(
            "body",
            "the body is empty: send the component's bytes, e.g. `curl --data-binary @plugin.wasm`",
        )
        .into());
    }
    let installed = blocking(move || {
        Ok(app
            .plugins
            .install(&who.actor(), &bytes, query.replace.as_deref())?)
    })
    .await?;
    let status = if installed.outcome == "unchanged" {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(installed)))
}

#[utoipa::path(post, path = "/api/v1/plugins/{name}/enable", operation_id = "enable_plugin", tag = "plugins", params(PluginPath),
    responses((status = 200, description = "Enabled", body = PluginInfo), (status = 404, description = "No plugin has this name"),
        (status = 422, description = "Its settings do not fit it")))]
pub async fn enable(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(PluginPath { name }): ApiPath<PluginPath>,
) -> ApiResult<Json<PluginInfo>> {
    blocking(move || Ok(app.plugins.set_enabled(&who.actor(), &name, true)?))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/api/v1/plugins/{name}/disable", operation_id = "disable_plugin", tag = "plugins", params(PluginPath),
    responses((status = 200, description = "Disabled", body = PluginInfo), (status = 404, description = "No plugin has this name")))]
pub async fn disable(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(PluginPath { name }): ApiPath<PluginPath>,
) -> ApiResult<Json<PluginInfo>> {
    blocking(move || Ok(app.plugins.set_enabled(&who.actor(), &name, false)?))
        .await
        .map(Json)
}

#[utoipa::path(put, path = "/api/v1/plugins/{name}/settings", operation_id = "configure_plugin", tag = "plugins", params(PluginPath),
    request_body(content = SettingsChange, example = json!({
        "limits": {"deadline_ms": 5000, "memory_bytes": 67108864},
        "config": {"delimiter": ";"}
    })),
    responses((status = 200, description = "The plugin with its new settings", body = PluginInfo),
        (status = 404, description = "No plugin has this name"),
        (status = 422, description = "A key the plugin does not declare, a missing required key, or limits out of range")))]
pub async fn configure(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(PluginPath { name }): ApiPath<PluginPath>,
    ApiJson(change): ApiJson<SettingsChange>,
) -> ApiResult<Json<PluginInfo>> {
    blocking(move || Ok(app.plugins.configure(&who.actor(), &name, &change)?))
        .await
        .map(Json)
}

#[utoipa::path(delete, path = "/api/v1/plugins/{name}", operation_id = "delete_plugin", tag = "plugins", params(PluginPath),
    responses((status = 204, description = "Deleted"), (status = 404, description = "No plugin has this name"),
        (status = 409, description = "Enabled, or in use by a running job")))]
pub async fn delete(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(PluginPath { name }): ApiPath<PluginPath>,
) -> ApiResult<StatusCode> {
    blocking(move || Ok(app.plugins.delete(&who.actor(), &name)?))
        .await
        .map(|()| StatusCode::NO_CONTENT)
}
