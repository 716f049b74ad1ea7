//! Data-subject requests and retention through the API, with the installed plugins.

use crate::support::repo_root;
use crate::support::server::TestServer;
use serde_json::json;

#[test]
fn a_dpo_exports_erases_and_runs_retention_through_the_api() {
    let server = TestServer::start();
    let c = server.client();
    let csv = std::fs::read(repo_root().join("examples/contacts.csv")).unwrap();
    let job = c.import(
        &server.operator,
        "plugin=csv&source=Fiera%20Milano%202026&channel=fair",
        &csv,
    );
    assert_eq!(job["state"], "succeeded", "{job}");

    let access = c.post(
        "/api/v1/requests/access",
        &server.dpo,
        &json!({"subject": "mario.rossi@example.it"}),
    );
    assert_eq!(access.status, 200, "{:?}", access.body);
    assert!(
        access.content_type.starts_with("application/json"),
        "{}",
        access.content_type
    );
    assert!(
        access.body.to_string().contains("Fiera Milano 2026"),
        "{}",
        access.body
    );
    assert_eq!(
        c.post(
            "/api/v1/requests/access",
            &server.operator,
            &json!({"subject": "#1"})
        )
        .status,
        403
    );

    let dry = c.post(
        "/api/v1/retention/runs",
        &server.dpo,
        &json!({"rule": "legitimate-interest", "dry_run": true}),
    );
    assert_eq!(dry.status, 200, "{:?}", dry.body);
    assert_eq!(dry.body["subjects"], 4);
    assert_eq!(dry.body["dry_run"], true);
    let wrong = c.post(
        "/api/v1/retention/runs",
        &server.dpo,
        &json!({"rule": "csv"}),
    );
    assert_eq!(wrong.status, 422, "{:?}", wrong.body);

    let erased = c.post(
        "/api/v1/requests/erasure",
        &server.dpo,
        &json!({"subject": "giulia.bianchi@example.it", "reason": "Art. 17 request"}),
    );
    assert_eq!(erased.status, 200, "{:?}", erased.body);
    assert_eq!(erased.body["identities_suppressed"], 2);
    let again = c.get(
        &format!("/api/v1/contacts/{}", erased.body["contact"]),
        &server.dpo,
    );
    assert!(again.body["erased_at"].is_string(), "{:?}", again.body);
    let check = c.post(
        "/api/v1/suppression/check",
        &server.operator,
        &json!({"identity": "giulia.bianchi@example.it"}),
    );
    assert_eq!(check.body["suppressed"], true, "{:?}", check.body);
}

/// A write sent with an `Idempotency-Key`: (status, replayed?, body).
fn send_keyed(
    server: &TestServer,
    method: &str,
    path: &str,
    token: &str,
    key: &str,
    body: &serde_json::Value,
) -> (u16, bool, serde_json::Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let request = ureq::http::Request::builder()
        .method(method)
        .uri(format!("{}{path}", server.url))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key)
        .body(body.to_string().into_bytes())
        .unwrap();
    let mut response = agent.run(request).unwrap();
    let replayed = response.headers().contains_key("idempotent-replayed");
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (
        status,
        replayed,
        serde_json::from_str(&text).unwrap_or_default(),
    )
}

/// A client retrying after a lost answer gets the first answer and writes nothing; the same key for
/// another request is refused; and an erasure leaves nothing of the person in the stored answers.
#[test]
fn a_retried_write_with_an_idempotency_key_is_answered_once() {
    let server = TestServer::start();
    let (op, dpo) = (server.operator.as_str(), server.dpo.as_str());
    let new = json!({
        "identities": [{"email": "valentina.segreti@example.it"}],
        "fields": [{"name": "first_name", "value": "Valentina"}],
        "source_label": "phone call",
        "channel": "phone"
    });
    let first = send_keyed(&server, "POST", "/api/v1/contacts", op, "k-create", &new);
    assert_eq!((first.0, first.1), (201, false), "{:?}", first.2);
    let retry = send_keyed(&server, "POST", "/api/v1/contacts", op, "k-create", &new);
    assert_eq!(
        retry,
        (201, true, first.2.clone()),
        "the first answer again"
    );
    let listed = server.client().get("/api/v1/contacts", dpo);
    assert_eq!(
        listed.body["items"].as_array().unwrap().len(),
        1,
        "written once"
    );

    let mut other = new.clone();
    other["identities"][0]["email"] = json!("someone.else@example.it");
    let reused = send_keyed(&server, "POST", "/api/v1/contacts", op, "k-create", &other);
    assert_eq!(reused.0, 422);
    assert_eq!(
        reused.2["type"],
        "urn:custode:problem:idempotency-key-reused"
    );
    let mine = send_keyed(&server, "POST", "/api/v1/contacts", dpo, "k-create", &other);
    assert_eq!(mine.0, 201, "keys are per token: {:?}", mine.2);

    let refused =
        json!({"identities": [{"email": "not an email"}], "source_label": "x", "channel": "phone"});
    let bad = send_keyed(&server, "POST", "/api/v1/contacts", op, "k-bad", &refused);
    let bad_again = send_keyed(&server, "POST", "/api/v1/contacts", op, "k-bad", &refused);
    assert_eq!((bad.0, bad_again.0, bad_again.1), (422, 422, true));
    assert_eq!(bad.2["type"], bad_again.2["type"]);
    let token = send_keyed(
        &server,
        "POST",
        "/api/v1/tokens",
        &server.admin,
        "k-token",
        &json!({"name": "x", "role": "auditor"}),
    );
    assert_eq!(
        token.2["type"],
        "urn:custode:problem:idempotency-key-unsupported"
    );

    let id = first.2["id"].as_i64().unwrap();
    let rectify = json!({"fields": [{"name": "last_name", "value": "Segreti"}], "reason": "the customer asked"});
    let path = format!("/api/v1/contacts/{id}/rectify");
    let rectified = send_keyed(&server, "POST", &path, dpo, "k-rectify", &rectify);
    assert_eq!(rectified.0, 200, "{:?}", rectified.2);
    assert!(rectified.2.to_string().contains("Segreti"));
    let erased = server.client().post(
        "/api/v1/requests/erasure",
        dpo,
        &json!({"subject": format!("#{id}"), "reason": "Art. 17 request"}),
    );
    assert_eq!(erased.status, 200, "{:?}", erased.body);
    let after = send_keyed(&server, "POST", &path, dpo, "k-rectify", &rectify);
    assert_eq!(after.0, 409, "{:?}", after.2);
    assert_eq!(
        after.2["type"],
        "urn:custode:problem:idempotency-answer-erased"
    );
    let bytes = std::fs::read(server.dir.path().join("idempotency.db")).unwrap();
    let text = String::from_utf8_lossy(&bytes).to_lowercase();
    assert!(
        !text.contains("segreti"),
        "an erased person's data stays in the stored answers"
    );
}
