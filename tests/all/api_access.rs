//! The role × route matrix, end to end: every route, every role, and no token get 401/403 exactly
//! where the matrix says; and the matrix, the router and the OpenAPI document list the same routes.
//! `/docs` loads everything it needs from this server.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use crate::support::server::TestServer;
use custode::api::access::ROUTES;
use custode::domain::Role;
use serde_json::{json, Value};

/// A concrete path for a route: parameters filled with values that exist nowhere, so an allowed
/// call answers 404/409/422 and changes nothing that matters.
fn concrete(path: &str) -> String {
    path.replace("{name}", "no-such-thing")
        .replace("{id}", "999999")
        .replace("{contact_id}", "999999")
}

#[test]
fn every_route_answers_each_role_as_the_matrix_says() {
    // Two failed authentications a route, all from this address: far past the default limit.
    let server = TestServer::start_with(|c| c.server.failed_auth_limit = 100_000);
    let client = server.client();
    let roles = [Role::Admin, Role::Dpo, Role::Operator, Role::Auditor];
    let mut checked = 0;
    for route in ROUTES {
        let path = concrete(route.path);
        let body = (route.method != "GET" && route.method != "DELETE").then_some(&b"{}"[..]);
        let anonymous = client.send(route.method, &path, None, body);
        let bad_token = client.send(route.method, &path, Some("custode_0000"), body);
        if route.roles.is_empty() {
            assert!(
                anonymous.status < 400,
                "{} {path} is public but answered {}",
                route.method,
                anonymous.status
            );
            continue;
        }
        for answer in [&anonymous, &bad_token] {
            assert_eq!(
                answer.status, 401,
                "{} {path} without a valid token: {:?}",
                route.method, answer.body
            );
            assert_eq!(answer.body["type"], "urn:custode:problem:unauthorized");
        }
        for role in roles {
            let answer = client.send(route.method, &path, Some(server.token(role)), body);
            if route.roles.contains(&role) {
                // Allowed: answered on its merits (the parameters name nothing, so usually 4xx),
                // never refused, and never a server error.
                assert!(
                    answer.status != 401 && answer.status != 403 && answer.status < 500,
                    "{} {path} must be allowed for {role} and answered without a server error, got {}: {:?}",
                    route.method,
                    answer.status,
                    answer.body
                );
            } else {
                assert_eq!(
                    answer.status, 403,
                    "{} {path} must be refused to {role}: {:?}",
                    route.method, answer.body
                );
                assert_eq!(answer.body["type"], "urn:custode:problem:forbidden");
                let detail = answer.body["detail"].as_str().unwrap();
                assert!(
                    detail.contains(role.as_str()) && detail.contains(route.path),
                    "{detail}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 4 * 30, "only {checked} checks");
}

#[test]
fn the_openapi_document_lists_exactly_the_routes_of_the_matrix() {
    let server = TestServer::start();
    let doc = server
        .client()
        .send("GET", "/api/v1/openapi.json", None, None);
    assert_eq!(doc.status, 200);
    assert!(
        doc.body["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc.body["openapi"]
    );
    let mut documented = BTreeSet::new();
    for (path, item) in doc.body["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let public = ["/healthz", "/docs", "/api/v1/openapi.json"];
    let matrix: BTreeSet<(String, String)> = ROUTES
        .iter()
        .filter(|r| !public.contains(&r.path))
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    assert_eq!(documented, matrix);
    let docs = server.client().send("GET", "/docs", None, None);
    assert!(docs.body.as_str().unwrap().contains("/api/v1/openapi.json"));
}

/// A GET over a plain connection, to see the bytes and headers exactly as sent: the status line and
/// headers (lower-cased), and the body.
fn raw_get(addr: SocketAddr, path: &str, accept_encoding: &str) -> (String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept-Encoding: {accept_encoding}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let end = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(answer[..end].to_vec()).unwrap();
    (head.to_lowercase(), answer[end + 4..].to_vec())
}

/// `/docs` works without internet access: the page loads Scalar from this server, and its
/// Content-Security-Policy lets the browser reach nothing else. The script is sent compressed to a
/// client that accepts gzip and plain to one that does not, cached for good (its URL names the release).
#[test]
fn the_docs_page_loads_its_script_from_this_server_and_nothing_else() {
    let server = TestServer::start();
    let (head, page) = raw_get(server.addr, "/docs", "gzip");
    assert!(head.starts_with("http/1.1 200"), "{head}");
    let page = String::from_utf8(page).unwrap();
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "{page}"
    );
    assert!(
        head.contains("content-security-policy: default-src 'none'; script-src 'self' 'sha256-")
            && head.contains("connect-src 'self';"),
        "{head}"
    );
    let script = page
        .split("<script src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    assert!(
        script.starts_with("/docs/assets/scalar-api-reference-"),
        "{script}"
    );

    let (head, compressed) = raw_get(server.addr, script, "br;q=1.0, gzip;q=0.8");
    assert!(head.starts_with("http/1.1 200"), "{head}");
    for header in [
        "content-type: text/javascript; charset=utf-8",
        "content-encoding: gzip",
        "cache-control: public, max-age=31536000, immutable",
        "vary: accept-encoding",
    ] {
        assert!(head.contains(header), "{header} missing in {head}");
    }
    assert_eq!(&compressed[..2], [0x1f, 0x8b], "gzip magic");

    let (head, plain) = raw_get(server.addr, script, "gzip;q=0, identity");
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(!head.contains("content-encoding"), "{head}");
    assert!(plain.starts_with(b"(function(){"), "not the script");
    assert!(plain.len() > 3 * compressed.len());
    assert!(
        head.contains(&format!("content-length: {}", plain.len())),
        "{head}"
    );
}

#[test]
fn a_role_sees_only_its_fields_and_the_identities_behind_them_in_every_answer() {
    // Operators here may see the first name and the phone, not the email.
    let server = TestServer::start_with(|c| {
        c.access
            .visible_fields
            .insert("operator".into(), vec!["first_name".into(), "phone".into()]);
    });
    let client = server.client();
    let created = client.post(
        "/api/v1/contacts",
        &server.dpo,
        &json!({
            "identities": [
                {"email": "anna.neri@example.org"},
                {"phone": "+39 333 123 4567"},
                {"external": {"system": "erp", "id": "C-42"}}
            ],
            "fields": [
                {"name": "first_name", "value": "Anna"},
                {"name": "company", "value": "Neri Srl"},
                {"name": "email", "value": "anna.neri@example.org"}
            ],
            "source_label": "phone call",
            "channel": "phone"
        }),
    );
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    let path = format!("/api/v1/contacts/{id}");
    let field_names = |body: &Value| -> BTreeSet<String> {
        body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_string())
            .collect()
    };
    let identity_kinds = |identities: &Value| -> BTreeSet<String> {
        identities
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                let i = i.get("identity").unwrap_or(i);
                i.as_object().unwrap().keys().next().unwrap().clone()
            })
            .collect()
    };
    let set =
        |items: &[&str]| -> BTreeSet<String> { items.iter().map(|s| s.to_string()).collect() };

    let dpo = client.get(&path, &server.dpo);
    assert_eq!(dpo.status, 200, "{:?}", dpo.body);
    assert_eq!(
        field_names(&dpo.body),
        set(&["first_name", "company", "email"])
    );
    assert_eq!(
        identity_kinds(&dpo.body["identities"]),
        set(&["email", "phone", "external"])
    );

    let operator = client.get(&path, &server.operator);
    assert_eq!(operator.status, 200, "{:?}", operator.body);
    assert_eq!(field_names(&operator.body), set(&["first_name"]));
    assert_eq!(
        identity_kinds(&operator.body["identities"]),
        set(&["phone", "external"])
    );

    let list = client.get("/api/v1/contacts", &server.operator);
    assert_eq!(list.status, 200, "{:?}", list.body);
    let item = &list.body["items"][0];
    assert_eq!(item["id"], id);
    assert_eq!(
        identity_kinds(&item["identities"]),
        set(&["phone", "external"])
    );

    let rectified = client.post(
        &format!("{path}/rectify"),
        &server.operator,
        &json!({"fields": [{"name": "first_name", "value": "Annamaria"}], "reason": "she wrote"}),
    );
    assert_eq!(rectified.status, 200, "{:?}", rectified.body);
    assert_eq!(field_names(&rectified.body), set(&["first_name"]));
    assert_eq!(
        identity_kinds(&rectified.body["identities"]),
        set(&["phone", "external"])
    );

    // Nothing an operator can read about the contact holds the email address.
    for answer in [
        operator,
        list,
        rectified,
        client.get(&format!("{path}/provenance"), &server.operator),
        client.get(&format!("{path}/consents"), &server.operator),
        client.get(&format!("{path}/legal-bases"), &server.operator),
    ] {
        assert!(answer.status < 300, "{:?}", answer.body);
        assert!(
            !answer.body.to_string().contains("anna.neri"),
            "{}",
            answer.body
        );
    }
    assert_eq!(client.get(&path, &server.auditor).status, 403);
}

/// Guessing tokens is limited per client address: past the limit every route that needs a token
/// answers 429 with `Retry-After`, a right token included (it must not tell a guesser which guess
/// was right), while public routes still answer.
#[test]
fn failed_authentication_is_limited_per_address() {
    let server = TestServer::start_with(|c| {
        c.server.failed_auth_limit = 3;
        c.server.failed_auth_window_secs = 600;
    });
    let client = server.client();
    for i in 0..3 {
        let guess = format!("custode_guess{i}");
        let answer = client.send("GET", "/api/v1/contacts", Some(&guess), None);
        assert_eq!(answer.status, 401, "guess {i}: {:?}", answer.body);
    }
    for token in [None, Some("custode_guess9"), Some(server.admin.as_str())] {
        let answer = client.send("GET", "/api/v1/contacts", token, None);
        assert_eq!(answer.status, 429, "{:?}", answer.body);
        assert_eq!(answer.content_type, "application/problem+json");
        assert_eq!(
            answer.body["type"],
            "urn:custode:problem:too-many-failed-authentications"
        );
        let retry: u64 = answer
            .retry_after
            .parse()
            .expect("a Retry-After in seconds");
        assert!((1..=600).contains(&retry), "{retry}");
    }
    assert_eq!(client.send("GET", "/healthz", None, None).status, 200);
}

/// An admin cannot lock every admin out through the API: a token's own revocation is refused with
/// the reason; another admin's token may go.
#[test]
fn a_token_cannot_revoke_itself_through_the_api() {
    let server = TestServer::start();
    let client = server.client();
    let own = client.send("DELETE", "/api/v1/tokens/ada", Some(&server.admin), None);
    assert_eq!(own.status, 409, "{:?}", own.body);
    assert!(own.body["detail"]
        .as_str()
        .unwrap()
        .contains("making this request"));
    let created = client.post(
        "/api/v1/tokens",
        &server.admin,
        &json!({"name": "second-admin", "role": "admin"}),
    );
    assert_eq!(created.status, 201, "{:?}", created.body);
    let second = created.body["token"].as_str().unwrap().to_string();
    let other = client.send("DELETE", "/api/v1/tokens/ada", Some(&second), None);
    assert_eq!(other.status, 204, "{:?}", other.body);
    let me = client.send("DELETE", "/api/v1/tokens/second-admin", Some(&second), None);
    assert_eq!(me.status, 409, "the last admin stays: {:?}", me.body);
    assert_eq!(client.get("/api/v1/tokens", &second).status, 200);
}
