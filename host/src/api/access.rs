//! Access control by role: the role × route matrix, and the middleware that enforces it.
//!
//! Every route is in [`ROUTES`] with the roles allowed to call it; a route missing from the table is
//! refused to everyone (deny by default). The middleware runs after routing, before the handler's
//! extractors, so a caller without the role gets 403 whatever the body holds, and it is a memory
//! lookup: the token's SHA-256 in the token map, then this table.

use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::conn::ClientAddr;
use super::problem::Problem;
use super::state::ApiState;
use crate::domain::Role;
use crate::service::tokens::Principal;

/// Who may call a route. An empty `roles` list means the route is public (no token needed).
#[derive(Debug, Clone, Copy)]
pub struct RouteAccess {
    pub method: &'static str,
    /// The route as registered, with `{param}` placeholders.
    pub path: &'static str,
    pub roles: &'static [Role],
}

const A: Role = Role::Admin;
const D: Role = Role::Dpo;
const O: Role = Role::Operator;
const U: Role = Role::Auditor;

macro_rules! routes {
    ($($method:literal $path:literal => [$($role:ident),*];)*) => {
        &[$(RouteAccess { method: $method, path: $path, roles: &[$($role),*] }),*]
    };
}

/// The role × route matrix. admin: plugins, settings, tokens, backup; dpo: everything about data
/// subjects and the audit log; operator: imports, contacts, consents (fields limited by
/// `[access.visible_fields]`); auditor: the audit log and reports, no personal data.
pub const ROUTES: &[RouteAccess] = routes! {
    "GET"    "/healthz"                              => [];
    "GET"    "/docs"                                 => [];
    "GET"    "/api/v1/openapi.json"                  => [];

    "GET"    "/api/v1/plugins"                       => [A, O];
    "POST"   "/api/v1/plugins"                       => [A];
    "GET"    "/api/v1/plugins/{name}"                => [A, O];
    "DELETE" "/api/v1/plugins/{name}"                => [A];
    "POST"   "/api/v1/plugins/{name}/enable"         => [A];
    "POST"   "/api/v1/plugins/{name}/disable"        => [A];
    "PUT"    "/api/v1/plugins/{name}/settings"       => [A];

    "GET"    "/api/v1/tokens"                        => [A];
    "POST"   "/api/v1/tokens"                        => [A];
    "DELETE" "/api/v1/tokens/{name}"                 => [A];
    "GET"    "/api/v1/settings"                      => [A, D];
    "POST"   "/api/v1/backup"                        => [A];
    "GET"    "/api/v1/metrics"                       => [A, U];

    "GET"    "/api/v1/contacts"                      => [D, O];
    "POST"   "/api/v1/contacts"                      => [D, O];
    "GET"    "/api/v1/contacts/{id}"                 => [D, O];
    "POST"   "/api/v1/contacts/{id}/rectify"         => [D, O];
    "POST"   "/api/v1/contacts/{id}/restrict"        => [D];
    "POST"   "/api/v1/contacts/{id}/legal-hold"      => [D];
    "GET"    "/api/v1/contacts/{id}/consents"        => [D, O];
    "GET"    "/api/v1/contacts/{id}/legal-bases"     => [D, O];
    "POST"   "/api/v1/contacts/{id}/legal-bases"     => [D, O];
    "GET"    "/api/v1/contacts/{id}/provenance"      => [D, O];
    "POST"   "/api/v1/contacts/{id}/notices"         => [D, O];
    "POST"   "/api/v1/consent-events"                => [D, O];
    "GET"    "/api/v1/can-process"                   => [D, O];
    "POST"   "/api/v1/suppression"                   => [D, O];
    "POST"   "/api/v1/suppression/check"             => [D, O];

    "GET"    "/api/v1/purposes"                      => [A, D, O, U];
    "GET"    "/api/v1/fields"                        => [A, D, O, U];
    "GET"    "/api/v1/notices"                       => [A, D, O, U];
    "POST"   "/api/v1/notices"                       => [D];

    "GET"    "/api/v1/imports"                       => [D, O];
    "POST"   "/api/v1/imports"                       => [D, O];
    "GET"    "/api/v1/imports/{id}"                  => [D, O];

    "GET"    "/api/v1/requests"                      => [D];
    "POST"   "/api/v1/requests"                      => [D];
    "GET"    "/api/v1/requests/{id}"                 => [D];
    "POST"   "/api/v1/requests/{id}/verify"          => [D];
    "POST"   "/api/v1/requests/{id}/extend"          => [D];
    "POST"   "/api/v1/requests/{id}/refuse"          => [D];
    "POST"   "/api/v1/requests/{id}/fulfil"          => [D];
    "GET"    "/api/v1/requests/{id}/document"        => [D];
    "POST"   "/api/v1/requests/{id}/delivered"       => [D];
    "POST"   "/api/v1/requests/{id}/close"           => [D];
    "POST"   "/api/v1/requests/access"               => [D];
    "POST"   "/api/v1/requests/erasure"              => [D];
    "POST"   "/api/v1/retention/runs"                => [D];
    "GET"    "/api/v1/retention/runs"                => [D, U];
    "GET"    "/api/v1/retention/runs/{id}"           => [D, U];
    "POST"   "/api/v1/retention/runs/{id}/confirm"   => [D];
    "GET"    "/api/v1/retention/review"              => [D];
    "POST"   "/api/v1/retention/review/{id}"         => [D];
    "GET"    "/api/v1/retention/explain/{contact_id}" => [D];

    "GET"    "/api/v1/audit"                         => [D, U];
    "GET"    "/api/v1/audit/verify"                  => [D, U];
};

/// The index of a route in [`ROUTES`] (the metrics count per route by it).
pub fn route_index(method: &str, path: &str) -> Option<usize> {
    // HEAD is answered by the GET handler, so it has the GET rule.
    let method = if method == "HEAD" { "GET" } else { method };
    ROUTES
        .iter()
        .position(|r| r.method == method && r.path == path)
}

/// The bearer token of a request, if it has one.
fn bearer(request: &Request) -> Option<&str> {
    let value = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Authenticates, authorises and measures every routed request.
pub async fn enforce(State(api): State<ApiState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let index = request
        .extensions()
        .get::<MatchedPath>()
        .and_then(|m| route_index(request.method().as_str(), m.as_str()));
    let response = match check(&api, &mut request, index, started) {
        Ok(()) => next.run(request).await,
        Err(problem) => problem.into_response(),
    };
    if let Some(i) = index {
        api.metrics
            .record(i, response.status().as_u16(), started.elapsed());
    }
    response
}

fn check(
    api: &ApiState,
    request: &mut Request,
    index: Option<usize>,
    now: Instant,
) -> Result<(), Problem> {
    let Some(route) = index.map(|i| &ROUTES[i]) else {
        let path = request
            .extensions()
            .get::<MatchedPath>()
            .map_or("?", |m| m.as_str());
        if ROUTES.iter().any(|r| r.path == path) {
            // A method the route does not have: any valid token may learn that (the router answers 405).
            authenticate(api, request, now)?;
            return Ok(());
        }
        // Deny by default: a route someone forgot to put in the matrix is usable by nobody.
        tracing::error!(method = %request.method(), path, "route missing from the access matrix: refused");
        return Err(Problem::forbidden(format!(
            "{} {path} is not in the access matrix; this is a bug in Custode, please report it",
            request.method()
        )));
    };
    if route.roles.is_empty() {
        return Ok(());
    }
    let principal = authenticate(api, request, now)?;
    if !route.roles.contains(&principal.role) {
        let roles: Vec<&str> = route.roles.iter().map(|r| r.as_str()).collect();
        return Err(Problem::forbidden(format!(
            "token `{}` has the role `{}`, but {} {} needs one of: {}",
            principal.name,
            principal.role,
            route.method,
            route.path,
            roles.join(", ")
        )));
    }
    request.extensions_mut().insert(principal);
    Ok(())
}

/// The caller's token, unless its address is locked out for failed authentication (then 429, and
/// the token is not even looked at: see `failed_auth.rs`). A failure counts against the address.
fn authenticate(api: &ApiState, request: &Request, now: Instant) -> Result<Principal, Problem> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<ClientAddr>>()
        .map(|c| c.0 .0.ip());
    let client = api.failed_auth.client(peer, request.headers());
    if let Some(locked) = api.failed_auth.check(client, now) {
        return Err(Problem::locked_out(locked));
    }
    let result = match bearer(request) {
        None => Err(Problem::unauthorized(
            "this route needs a bearer token: send `Authorization: Bearer <token>` (create one with `custode token create`)",
        )),
        Some(token) => api.app.tokens.authenticate(token).ok_or_else(|| {
            Problem::unauthorized(
                "the bearer token is not valid (unknown or revoked): ask an admin for a token",
            )
        }),
    };
    if result.is_err() {
        api.failed_auth.failed(client, now);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The routes to contacts' data are open to exactly the roles the domain says read contacts,
    /// the roles `[access.visible_fields]` may restrict.
    #[test]
    fn contact_routes_are_open_to_the_contact_readers() {
        let contact_routes: Vec<&RouteAccess> = ROUTES
            .iter()
            .filter(|r| r.method == "GET" && r.path.starts_with("/api/v1/contacts"))
            .collect();
        assert!(contact_routes.len() >= 5, "{contact_routes:?}");
        for route in contact_routes {
            assert_eq!(route.roles, Role::CONTACT_READERS, "{route:?}");
        }
    }
}
