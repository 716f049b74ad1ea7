//! Bad input is answered with RFC 9457 problem details: a stable type, the status, a detail that
//! names the thing and the fix, the field, and the request id of the response.

use crate::support::server::{Answer, TestServer};
use serde_json::json;

fn assert_problem(a: &Answer, status: u16, kind: &str, detail_has: &str) {
    assert_eq!(a.status, status, "{:?}", a.body);
    assert_eq!(a.content_type, "application/problem+json");
    assert_eq!(
        a.body["type"],
        format!("urn:custode:problem:{kind}"),
        "{:?}",
        a.body
    );
    assert_eq!(a.body["status"], status);
    assert!(!a.body["title"].as_str().unwrap().is_empty());
    let detail = a.body["detail"].as_str().unwrap();
    assert!(
        detail.contains(detail_has),
        "`{detail}` should contain `{detail_has}`"
    );
    assert!(!a.request_id.is_empty());
    assert_eq!(a.body["request_id"], a.request_id.as_str());
}

fn contact(email: &str) -> serde_json::Value {
    json!({
        "identities": [{"email": email}],
        "fields": [{"name": "first_name", "value": "Mario"}],
        "source_label": "phone call",
        "channel": "phone"
    })
}

#[test]
fn bad_input_is_answered_with_problem_details() {
    let server = TestServer::start_with(|c| c.server.max_body_bytes = 4096);
    let c = server.client();
    let op = &server.operator;

    let malformed = c.send(
        "POST",
        "/api/v1/contacts",
        Some(op),
        Some(b"{\"identities\": [".as_slice()),
    );
    assert_problem(&malformed, 400, "malformed-json", "not valid JSON");

    let mut unknown = contact("mario.rossi@example.it");
    unknown["colour"] = json!("blue");
    let a = c.post("/api/v1/contacts", op, &unknown);
    assert_problem(&a, 400, "unknown-field", "unknown field `colour`");
    assert_eq!(a.body["field"], "colour");
    let nested = c.post(
        "/api/v1/consent-events",
        op,
        &json!({
            "subject": "mario.rossi@example.it", "purpose": "marketing", "channel": "email",
            "action": "withdrawn", "evidence": {"method": "unsubscribe link", "signed": true}
        }),
    );
    assert_problem(
        &nested,
        400,
        "unknown-field",
        "unknown field `evidence.signed`",
    );

    // Unknown fields are refused at any depth, named by their path.
    let mut deep = contact("mario.rossi@example.it");
    deep["fields"][0]["colour"] = json!(1);
    let a = c.post("/api/v1/contacts", op, &deep);
    assert_problem(&a, 400, "unknown-field", "unknown field `fields[0].colour`");
    assert_eq!(a.body["field"], "fields[0].colour");
    let mut deep = contact("mario.rossi@example.it");
    deep["identities"] = json!([{"external": {"system": "erp", "id": "C-1", "kind": "crm"}}]);
    let a = c.post("/api/v1/contacts", op, &deep);
    assert_problem(
        &a,
        400,
        "unknown-field",
        "unknown field `identities[0].external.kind`",
    );
    let rectify = c.post(
        "/api/v1/contacts/1/rectify",
        op,
        &json!({"fields": [{"name": "city", "value": "Roma", "source": "x"}], "reason": "moved"}),
    );
    assert_problem(&rectify, 400, "unknown-field", "`fields[0].source`");
    // An external id from JSON is checked as the CLI and importers check it.
    let mut bad_id = contact("mario.rossi@example.it");
    bad_id["identities"] = json!([{"external": {"system": "my erp", "id": "C-1"}}]);
    let a = c.post("/api/v1/contacts", op, &bad_id);
    assert_problem(&a, 422, "invalid-input", "not a usable system name");
    assert_eq!(a.body["field"], "identities[0].external");
    let mut two = contact("mario.rossi@example.it");
    two["identities"] = json!([{"email": "mario.rossi@example.it", "phone": "+393331234567"}]);
    let a = c.post("/api/v1/contacts", op, &two);
    assert_problem(&a, 422, "invalid-input", "has exactly one key");
    assert_eq!(a.body["field"], "identities[0]");

    let invalid = c.post("/api/v1/contacts", op, &contact("mario.rossi@"));
    assert_problem(
        &invalid,
        422,
        "invalid-input",
        "email `mario.rossi@` is not a valid address: it has no domain",
    );
    assert_eq!(invalid.body["field"], "identities[0].email");

    let big = json!({ "identity": "x".repeat(5000), "reason": "too long" });
    assert_problem(
        &c.post("/api/v1/suppression", op, &big),
        413,
        "body-too-large",
        "server.max_body_bytes",
    );

    let missing = c.post("/api/v1/tokens", &server.admin, &json!({"name": "crm"}));
    assert_problem(&missing, 422, "invalid-input", "`role` is required");
    let role = c.post(
        "/api/v1/tokens",
        &server.admin,
        &json!({"name": "crm", "role": "boss"}),
    );
    assert_problem(
        &role,
        422,
        "invalid-input",
        "`boss` is not a known role: use one of admin, dpo, operator, auditor",
    );

    let query = c.get(
        "/api/v1/can-process?subject=mario%40example.it&purpose=marketing",
        op,
    );
    assert_problem(&query, 400, "invalid-query", "channel");
    let subject = c.get(
        "/api/v1/can-process?subject=nobody&purpose=marketing&channel=email",
        op,
    );
    assert_problem(
        &subject,
        422,
        "invalid-input",
        "`nobody` is not an email, a phone number or an external id",
    );

    assert_problem(
        &c.get("/api/v1/contacts/424242", op),
        404,
        "not-found",
        "contact 424242 does not exist",
    );
    assert_problem(
        &c.get("/api/v1/nothing-here", op),
        404,
        "not-found",
        "there is no route GET /api/v1/nothing-here",
    );
    assert_problem(
        &c.send("PATCH", "/api/v1/contacts", Some(op), None),
        405,
        "method-not-allowed",
        "PATCH is not allowed",
    );

    let created = c.post("/api/v1/contacts", op, &contact("mario.rossi@example.it"));
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_problem(
        &c.post("/api/v1/contacts", op, &contact("Mario.Rossi@example.it")),
        409,
        "conflict",
        "",
    );
    // A response that is not a problem carries the request id too.
    assert!(!created.request_id.is_empty());
}
