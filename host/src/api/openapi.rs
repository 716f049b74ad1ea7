//! The OpenAPI 3.1 document, generated from the handlers' annotations, and the `/docs` page that
//! renders it (Scalar, loaded from a CDN by the browser: nothing is downloaded at build time).

use axum::response::Html;
use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::routes::{admin, compliance, consents, contacts, imports, plugins, requests};

#[derive(OpenApi)]
#[openapi(
    info(title = "Custode", description = "GDPR compliance engine for customer data: contacts, consents, legal bases, can-process, imports through sandboxed WebAssembly plugins, audit log. Every route but /healthz, /docs and this document needs `Authorization: Bearer <token>`; errors are application/problem+json (RFC 9457)."),
    paths(
        plugins::list, plugins::upload, plugins::inspect, plugins::delete, plugins::enable,
        plugins::disable, plugins::configure,
        admin::tokens, admin::create_token, admin::revoke_token, admin::settings, admin::backup,
        admin::metrics, admin::audit, admin::audit_verify,
        contacts::list, contacts::create, contacts::get, contacts::rectify, contacts::restrict,
        consents::contact_consents, contacts::legal_bases, contacts::add_legal_basis, contacts::provenance,
        compliance::can_process, compliance::record_consent, compliance::suppress,
        compliance::check_suppression, compliance::purposes, compliance::fields,
        compliance::notices, compliance::publish_notice,
        imports::start, imports::status, imports::list,
        requests::access, requests::erasure, requests::retention_run,
    ),
    components(schemas(super::problem::Problem)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

pub async fn docs() -> Html<&'static str> {
    Html(
        r#"<!doctype html>
<html>
  <head>
    <title>Custode API</title>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
  </head>
  <body>
    <script id="api-reference" data-url="/api/v1/openapi.json"></script>
    <script src="https://cdn.jsdelivr.net/npm/@scalar/api-reference"></script>
  </body>
</html>
"#,
    )
}
