//! The OpenAPI 3.1 document, generated from the handlers' annotations, and the `/docs` page that
//! renders it (Scalar, a pinned release loaded from a CDN by the browser and checked by its
//! integrity hash: nothing is downloaded at build time).

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

/// The Scalar release `/docs` loads, pinned: an unpinned URL would run whatever the CDN serves today
/// in an admin's browser, next to their token.
const SCALAR_VERSION: &str = "1.76.0";
/// Subresource integrity of `dist/browser/standalone.js` of that release (the bytes jsDelivr serves
/// are the npm package's). To move to another release:
/// `npm pack @scalar/api-reference@X.Y.Z`, unpack, then
/// `openssl dgst -sha384 -binary package/dist/browser/standalone.js | openssl base64 -A`.
const SCALAR_INTEGRITY: &str =
    "sha384-oH1C0RwqcwbVXkC+r8A+4qRoyEUQdtxAzOwumkxZtQBBcsy61FOoPt7B50OVJYYQ";

fn docs_page() -> String {
    format!(
        r#"<!doctype html>
<html>
  <head>
    <title>Custode API</title>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
  </head>
  <body>
    <div id="app"></div>
    <script src="https://cdn.jsdelivr.net/npm/@scalar/api-reference@{SCALAR_VERSION}/dist/browser/standalone.js"
            integrity="{SCALAR_INTEGRITY}" crossorigin="anonymous"></script>
    <script>Scalar.createApiReference('#app', {{ url: '/api/v1/openapi.json' }})</script>
  </body>
</html>
"#
    )
}

pub async fn docs() -> Html<String> {
    Html(docs_page())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_docs_page_loads_a_pinned_scalar_release_with_its_integrity_hash() {
        let page = docs_page();
        assert!(page.contains(&format!(
            "https://cdn.jsdelivr.net/npm/@scalar/api-reference@{SCALAR_VERSION}/dist/browser/standalone.js"
        )));
        assert!(SCALAR_VERSION.split('.').all(|n| n.parse::<u32>().is_ok()));
        // SHA-384 is 48 bytes: 64 characters of base64, no padding.
        let hash = SCALAR_INTEGRITY.strip_prefix("sha384-").unwrap();
        assert_eq!(hash.len(), 64);
        assert!(page.contains(&format!(
            r#"integrity="{SCALAR_INTEGRITY}" crossorigin="anonymous""#
        )));
        assert!(page.contains("url: '/api/v1/openapi.json'"));
    }
}
