//! `plugins`: upload a component (the body is its bytes), list, inspect, enable, disable, configure,
//! delete. Changes take effect at once, without a restart.

use std::sync::Arc;

use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::Json;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::api::extract::{blocking, body_rejection, ApiJson, ApiPath, Caller};
use crate::api::problem::{ApiResult, Problem};
use crate::app::App;
use crate::runtime::Inspection;
use crate::service::plugins::{Installed, PluginInfo, SettingsChange};

#[utoipa::path(get, path = "/api/v1/plugins", tag = "plugins",
    responses((status = 200, body = Vec<PluginInfo>)))]
pub async fn list(State(app): State<Arc<App>>) -> Json<Vec<PluginInfo>> {
    Json(app.plugins.list())
}

/// An installed plugin and what its component declares.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PluginDetails {
    pub plugin: PluginInfo,
    /// describe(), imports and exports, digest, API version.
    #[schema(value_type = Object)]
    pub inspection: Inspection,
}

#[utoipa::path(get, path = "/api/v1/plugins/{name}", tag = "plugins", params(("name" = String, Path)),
    responses((status = 200, body = PluginDetails), (status = 404)))]
pub async fn inspect(
    State(app): State<Arc<App>>,
    ApiPath(name): ApiPath<String>,
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

#[utoipa::path(post, path = "/api/v1/plugins", tag = "plugins",
    request_body(content = Vec<u8>, content_type = "application/wasm", description = "The component (.wasm)"),
    responses((status = 201, description = "Installed (disabled) or upgraded", body = Installed),
        (status = 200, description = "The same component was installed already", body = Installed),
        (status = 422, description = "Not a usable plugin: the runtime's message says why", body = Problem)))]
pub async fn upload(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
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
    let installed = blocking(move || Ok(app.plugins.install(&who.actor(), &bytes)?)).await?;
    let status = if installed.outcome == "unchanged" {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(installed)))
}

#[utoipa::path(post, path = "/api/v1/plugins/{name}/enable", tag = "plugins", params(("name" = String, Path)),
    responses((status = 200, body = PluginInfo), (status = 422, description = "Its settings do not fit it")))]
pub async fn enable(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<PluginInfo>> {
    blocking(move || Ok(app.plugins.set_enabled(&who.actor(), &name, true)?))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/api/v1/plugins/{name}/disable", tag = "plugins", params(("name" = String, Path)),
    responses((status = 200, body = PluginInfo)))]
pub async fn disable(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<PluginInfo>> {
    blocking(move || Ok(app.plugins.set_enabled(&who.actor(), &name, false)?))
        .await
        .map(Json)
}

#[utoipa::path(put, path = "/api/v1/plugins/{name}/settings", tag = "plugins", params(("name" = String, Path)),
    request_body = SettingsChange,
    responses((status = 200, body = PluginInfo), (status = 422, description = "A key the plugin does not declare, a missing required key, or limits out of range")))]
pub async fn configure(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(name): ApiPath<String>,
    ApiJson(change): ApiJson<SettingsChange>,
) -> ApiResult<Json<PluginInfo>> {
    blocking(move || Ok(app.plugins.configure(&who.actor(), &name, &change)?))
        .await
        .map(Json)
}

#[utoipa::path(delete, path = "/api/v1/plugins/{name}", tag = "plugins", params(("name" = String, Path)),
    responses((status = 204), (status = 409, description = "Enabled, or in use by a running job")))]
pub async fn delete(
    State(app): State<Arc<App>>,
    Caller(who): Caller,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<StatusCode> {
    blocking(move || Ok(app.plugins.delete(&who.actor(), &name)?))
        .await
        .map(|()| StatusCode::NO_CONTENT)
}
