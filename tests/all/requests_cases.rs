//! Data-subject requests as tracked cases, through the server: each kind from opening to closing,
//! extensions (allowed, too long, too late), refusal, a person Custode does not know, the document
//! deleted once delivered, duplicates, due-soon and overdue lists, metrics. The CLI's case commands
//! are in `requests_cases_cli.rs`.

use crate::support::server::TestServer;
use custode::domain::Timestamp;
use serde_json::{json, Value};

fn server() -> TestServer {
    let server = TestServer::start_with(|config| {
        let marketing = config
            .compliance
            .purposes
            .iter_mut()
            .find(|p| p.name == "marketing")
            .unwrap();
        marketing.recipients = vec!["Mailer S.r.l. (sends the newsletter)".into()];
    });
    let csv = std::fs::read(crate::support::repo_root().join("examples/contacts.csv")).unwrap();
    let job = server.client().import(
        &server.operator,
        "plugin=csv&source=Fiera%20Milano%202026&channel=fair",
        &csv,
    );
    assert_eq!(job["state"], "succeeded", "{job}");
    server
}

fn open(server: &TestServer, kind: &str, subject: &str, received: Option<Timestamp>) -> Value {
    let mut body =
        json!({"kind": kind, "subject": subject, "channel": "email", "notes": "by email"});
    if let Some(at) = received {
        body["received_at"] = json!(at);
    }
    let answer = server.client().post("/api/v1/requests", &server.dpo, &body);
    assert_eq!(answer.status, 201, "{:?}", answer.body);
    answer.body
}

fn step(server: &TestServer, id: &Value, action: &str, body: Value, status: u16) -> Value {
    let answer = server.client().post(
        &format!("/api/v1/requests/{id}/{action}"),
        &server.dpo,
        &body,
    );
    assert_eq!(answer.status, status, "{action}: {:?}", answer.body);
    answer.body
}

fn verify(server: &TestServer, id: &Value) {
    let case = step(
        server,
        id,
        "verify",
        json!({"outcome": "verified", "method": "reply from the address on file"}),
        200,
    );
    assert_eq!(case["identity"], "verified");
}

fn actions(case: &Value) -> Vec<String> {
    case["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap().to_string())
        .collect()
}

fn can_process(server: &TestServer, subject: &str, purpose: &str) -> Value {
    let answer = server.client().get(
        &format!("/api/v1/can-process?subject={subject}&purpose={purpose}&channel=email"),
        &server.dpo,
    );
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.body
}

#[test]
fn an_access_request_from_opening_to_closing_keeps_the_document_only_until_delivered() {
    let server = server();
    let c = server.client();
    let case = open(&server, "access", "mario.rossi@example.it", None);
    let id = &case["id"];
    assert_eq!(case["status"], "open");
    assert_eq!(case["identity"], "unverified");
    assert!(case["due_at"].as_str().unwrap() > case["received_at"].as_str().unwrap());
    // Not before the identity is verified.
    let refused = step(&server, id, "fulfil", json!({"plugin": "json"}), 409);
    assert!(
        refused["detail"].as_str().unwrap().contains("verified"),
        "{refused}"
    );
    verify(&server, id);
    let done = step(
        &server,
        id,
        "fulfil",
        json!({"plugin": "json", "note": "sent by email"}),
        200,
    );
    assert_eq!(done["status"], "fulfilled");
    assert!(done["document"]["sha256"].is_string(), "{done}");
    let document = c.get(&format!("/api/v1/requests/{id}/document"), &server.dpo);
    assert_eq!(document.status, 200);
    assert!(
        document.body.to_string().contains("Fiera Milano 2026"),
        "{}",
        document.body
    );
    // Operators do not see cases.
    assert_eq!(
        c.get(&format!("/api/v1/requests/{id}"), &server.operator)
            .status,
        403
    );
    let delivered = step(
        &server,
        id,
        "delivered",
        json!({"note": "registered email"}),
        200,
    );
    assert!(delivered["document"].is_null());
    assert_eq!(
        c.get(&format!("/api/v1/requests/{id}/document"), &server.dpo)
            .status,
        404
    );
    step(&server, id, "delivered", json!({}), 409);
    let closed = step(&server, id, "close", json!({}), 200);
    assert_eq!(closed["status"], "closed");
    assert_eq!(
        actions(&closed),
        [
            "opened",
            "identity-verified",
            "fulfilled",
            "document-delivered",
            "closed"
        ]
    );
    // Every step is in the audit log too, without the person's data.
    let audit = c
        .get(&format!("/api/v1/audit?target=request:{id}"), &server.dpo)
        .body;
    let audited: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        audited,
        [
            "request.opened",
            "request.identity-verified",
            "request.fulfilled",
            "request.document-delivered",
            "request.closed"
        ]
    );
    assert!(!audit.to_string().contains("mario.rossi"), "{audit}");
    step(&server, id, "close", json!({}), 409);
}

#[test]
fn erasure_rectification_restriction_objection_and_portability_cases_do_what_they_say() {
    let server = server();
    let c = server.client();

    let portability = open(&server, "portability", "giulia.bianchi@example.it", None);
    verify(&server, &portability["id"]);
    let done = step(
        &server,
        &portability["id"],
        "fulfil",
        json!({"plugin": "csv-export"}),
        200,
    );
    assert!(
        done["document"]["file_name"]
            .as_str()
            .unwrap()
            .ends_with(".csv"),
        "{done}"
    );
    assert!(
        done["recipients"].as_array().unwrap().is_empty(),
        "portability informs nobody"
    );

    let rectification = open(&server, "rectification", "mario.rossi@example.it", None);
    verify(&server, &rectification["id"]);
    step(&server, &rectification["id"], "fulfil", json!({}), 422);
    let changes = json!({"changes": {"fields": [{"name": "company", "value": "Rossi Forniture S.p.A."}], "reason": ""}});
    let done = step(&server, &rectification["id"], "fulfil", changes, 200);
    assert_eq!(
        done["recipients"],
        json!(["Mailer S.r.l. (sends the newsletter)"]),
        "Art. 19"
    );
    let contact = c
        .get(
            &format!("/api/v1/contacts/{}", done["contact_id"]),
            &server.dpo,
        )
        .body;
    assert!(
        contact.to_string().contains("Rossi Forniture S.p.A."),
        "{contact}"
    );

    let objection = open(&server, "objection", "mario.rossi@example.it", None);
    verify(&server, &objection["id"]);
    assert_eq!(
        can_process(&server, "mario.rossi@example.it", "marketing")["allowed"],
        true
    );
    step(
        &server,
        &objection["id"],
        "fulfil",
        json!({"purposes": ["no-such-purpose"]}),
        422,
    );
    step(
        &server,
        &objection["id"],
        "fulfil",
        json!({"purposes": ["marketing"]}),
        200,
    );
    assert_eq!(
        can_process(&server, "mario.rossi@example.it", "marketing")["allowed"],
        false
    );

    let restriction = open(&server, "restriction", "mario.rossi@example.it", None);
    verify(&server, &restriction["id"]);
    let done = step(
        &server,
        &restriction["id"],
        "fulfil",
        json!({"restrict": true}),
        200,
    );
    assert_eq!(
        done["recipients"],
        json!(["Mailer S.r.l. (sends the newsletter)"])
    );
    let contact = c
        .get(
            &format!("/api/v1/contacts/{}", done["contact_id"]),
            &server.dpo,
        )
        .body;
    assert!(!contact["restricted_since"].is_null(), "{contact}");

    let erasure = open(&server, "erasure", "mario.rossi@example.it", None);
    verify(&server, &erasure["id"]);
    let done = step(&server, &erasure["id"], "fulfil", json!({}), 200);
    assert!(
        done["answer"].as_str().unwrap().contains("erased"),
        "{done}"
    );
    let gone = c.get(
        &format!("/api/v1/contacts/{}", done["contact_id"]),
        &server.dpo,
    );
    // Only the tombstone is left.
    assert!(gone.body["erased_at"].is_string(), "{:?}", gone.body);
    assert_eq!(gone.body["identities"], json!([]));

    for case in [
        &portability,
        &rectification,
        &objection,
        &restriction,
        &erasure,
    ] {
        let closed = step(
            &server,
            &case["id"],
            "close",
            json!({"note": "answered"}),
            200,
        );
        assert_eq!(closed["status"], "closed");
        assert_eq!(actions(&closed).last().unwrap(), "closed");
    }
    // The case outlives the erasure: the request and its answer stay on record.
    let kept = c
        .get(&format!("/api/v1/requests/{}", erasure["id"]), &server.dpo)
        .body;
    assert_eq!(
        actions(&kept),
        ["opened", "identity-verified", "fulfilled", "closed"]
    );
}

#[test]
fn extensions_are_allowed_within_the_first_month_up_to_two_months() {
    let server = server();
    let fresh = open(&server, "access", "mario.rossi@example.it", None);
    let id = &fresh["id"];
    let too_long = step(
        &server,
        id,
        "extend",
        json!({"months": 3, "reason": "complex"}),
        422,
    );
    assert!(
        too_long["detail"].as_str().unwrap().contains("at most 2"),
        "{too_long}"
    );
    let extended = step(
        &server,
        id,
        "extend",
        json!({"months": 1, "reason": "the data is in three systems"}),
        200,
    );
    assert_eq!(extended["extended_months"], 1);
    assert!(extended["due_at"].as_str().unwrap() > fresh["due_at"].as_str().unwrap());
    assert_eq!(extended["first_due_at"], fresh["due_at"]);
    step(
        &server,
        id,
        "extend",
        json!({"months": 2, "reason": "more"}),
        422,
    );
    let twice = step(
        &server,
        id,
        "extend",
        json!({"months": 1, "reason": "still more"}),
        200,
    );
    assert_eq!(twice["extended_months"], 2);

    // Received forty days ago: the first month has passed.
    let old = open(
        &server,
        "erasure",
        "giulia.bianchi@example.it",
        Some(Timestamp::now().add_days(-40)),
    );
    assert_eq!(old["overdue"], true);
    let too_late = step(
        &server,
        &old["id"],
        "extend",
        json!({"months": 1, "reason": "forgot"}),
        409,
    );
    assert!(
        too_late["detail"]
            .as_str()
            .unwrap()
            .contains("first month ended"),
        "{too_late}"
    );

    // Lists: overdue, due soon; and the metrics.
    let c = server.client();
    let overdue = c.get("/api/v1/requests?overdue=true", &server.dpo).body;
    assert_eq!(overdue.as_array().unwrap().len(), 1, "{overdue}");
    assert_eq!(overdue[0]["id"], old["id"]);
    let soon = c
        .get("/api/v1/requests?due_within_days=7", &server.dpo)
        .body;
    assert!(soon.as_array().unwrap().is_empty(), "{soon}");
    let access = c
        .get("/api/v1/requests?kind=access&status=open", &server.dpo)
        .body;
    assert_eq!(access.as_array().unwrap().len(), 1);
    let bad = c.get("/api/v1/requests?kind=deletion", &server.dpo);
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    let metrics = c.send("GET", "/api/v1/metrics", Some(&server.admin), None);
    let text = metrics
        .body
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| metrics.body.to_string());
    assert!(text.contains("custode_requests_open 2"), "{text}");
    assert!(text.contains("custode_requests_overdue 1"), "{text}");
}

#[test]
fn refusals_unknown_persons_and_duplicates() {
    let server = server();
    let first = open(&server, "access", "mario.rossi@example.it", None);
    let second = open(&server, "access", "333 123 4567", None);
    assert_eq!(
        second["duplicate_of"],
        json!([first["id"]]),
        "the same person by phone"
    );
    let refused = step(
        &server,
        &second["id"],
        "refuse",
        json!({"ground": "excessive", "reason": "the same request is open as case 1"}),
        200,
    );
    assert_eq!(refused["status"], "refused");
    let answer = refused["answer"].as_str().unwrap();
    assert!(
        answer.contains("excessive") && answer.contains("supervisory authority"),
        "{answer}"
    );
    step(&server, &second["id"], "fulfil", json!({}), 409);
    step(&server, &second["id"], "close", json!({}), 200);
    step(&server, &first["id"], "close", json!({}), 409);

    let unknown = open(&server, "erasure", "nobody@example.org", None);
    assert!(unknown["contact_id"].is_null());
    let answered = step(&server, &unknown["id"], "fulfil", json!({}), 200);
    assert!(
        answered["answer"]
            .as_str()
            .unwrap()
            .contains("no personal data"),
        "{answered}"
    );
    assert_eq!(actions(&answered), ["opened", "fulfilled"]);
    step(&server, &unknown["id"], "close", json!({}), 200);

    let c = server.client();
    for (body, field) in [
        (
            json!({"kind": "access", "subject": "not a person", "channel": "email"}),
            "subject",
        ),
        (
            json!({"kind": "access", "subject": "a@example.org", "channel": "email", "language": "klingon"}),
            "language",
        ),
        (
            json!({"kind": "access", "subject": "a@example.org", "channel": "email", "received_at": "2999-01-01"}),
            "received_at",
        ),
    ] {
        let answer = c.post("/api/v1/requests", &server.dpo, &body);
        assert_eq!(answer.status, 422, "{body}: {:?}", answer.body);
        assert_eq!(answer.body["field"], field, "{:?}", answer.body);
    }
    assert_eq!(c.get("/api/v1/requests/999", &server.dpo).status, 404);
}
