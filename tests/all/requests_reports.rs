//! What an access case hands its exporter: the request (kind, language, received, due) reaches a
//! plugin API 0.2.0 exporter, the bundled `json` writes it, and the bundled `access-report` answers
//! in the person's language with the data, the due date and what Art. 15(1) requires.

use crate::support::server::TestServer;
use serde_json::{json, Value};

fn server() -> TestServer {
    let server = TestServer::start_with(|config| {
        let compliance = &mut config.compliance;
        compliance.controller_name = "Rossi Forniture S.r.l.".into();
        compliance.controller_contact = Some("privacy@rossi.it, Via Roma 1, 20121 Milano".into());
        compliance.supervisory_authority =
            Some("Garante per la protezione dei dati personali, www.garanteprivacy.it".into());
        let marketing = compliance
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

fn post(server: &TestServer, path: &str, body: Value) -> Value {
    let answer = server.client().post(path, &server.dpo, &body);
    assert!(
        answer.status < 300,
        "{path}: {} {:?}",
        answer.status,
        answer.body
    );
    answer.body
}

/// Opens an access case in `language`, verifies it, fulfils it with `plugin`; the case and its document.
fn fulfilled(server: &TestServer, language: &str, plugin: &str) -> (Value, String, String) {
    let case = post(
        server,
        "/api/v1/requests",
        json!({"kind": "access", "subject": "mario.rossi@example.it", "channel": "email", "language": language}),
    );
    let id = &case["id"];
    post(
        server,
        &format!("/api/v1/requests/{id}/verify"),
        json!({"outcome": "verified", "method": "reply from the address on file"}),
    );
    let done = post(
        server,
        &format!("/api/v1/requests/{id}/fulfil"),
        json!({"plugin": plugin}),
    );
    let document = server
        .client()
        .get(&format!("/api/v1/requests/{id}/document"), &server.dpo);
    assert_eq!(document.status, 200, "{:?}", document.body);
    let text = match document.body {
        Value::String(s) => s,
        other => serde_json::to_string(&other).unwrap(),
    };
    (done, document.content_type, text)
}

#[test]
fn an_access_case_hands_its_request_to_the_exporter() {
    let server = server();
    let (case, media_type, text) = fulfilled(&server, "it", "json");
    assert!(media_type.starts_with("application/json"), "{media_type}");
    let document: Value = serde_json::from_str(&text).unwrap();
    let request = &document["request"];
    assert_eq!(request["id"], case["id"], "{document}");
    assert_eq!(request["kind"], "access");
    assert_eq!(request["language"], "it");
    assert_eq!(request["received_at"], case["received_at"]);
    assert_eq!(request["due_at"], case["due_at"]);

    // A direct export, answering no case, has none.
    let direct = server.client().post(
        "/api/v1/requests/access",
        &server.dpo,
        &json!({"subject": "mario.rossi@example.it", "plugin": "json"}),
    );
    assert_eq!(direct.status, 200, "{:?}", direct.body);
    assert!(direct.body["contact_id"].is_number(), "{}", direct.body);
    assert!(direct.body["request"].is_null(), "{}", direct.body);
}

const MESI: [&str; 12] = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
];

/// `2026-02-12T00:00:00Z` as an Italian reader writes it: `12 febbraio 2026`.
fn italian_date(iso: &str) -> String {
    let (y, m, d) = (&iso[0..4], &iso[5..7], &iso[8..10]);
    let month = MESI[m.parse::<usize>().unwrap() - 1];
    format!("{} {month} {y}", d.parse::<u32>().unwrap())
}

#[test]
fn the_access_report_answers_an_italian_request_in_italian() {
    let server = server();
    let (case, media_type, html) = fulfilled(&server, "it", "access-report");
    assert_eq!(media_type, "text/html; charset=utf-8");
    let file_name = case["document"]["file_name"].as_str().unwrap();
    assert!(
        file_name.starts_with("access-report-") && file_name.ends_with(".html"),
        "{file_name}"
    );
    let due = italian_date(case["due_at"].as_str().unwrap());
    for expected in [
        "<html lang=\"it\">",
        "I tuoi dati personali",
        "La tua richiesta",
        "accesso ai dati (art. 15 GDPR)",
        &format!("<th scope=\"row\">Risposta dovuta entro il</th><td>{due}</td>"),
        "Rossi Forniture S.r.l.",
        "privacy@rossi.it, Via Roma 1, 20121 Milano",
        "<th scope=\"row\">Nome</th><td>Mario",
        "<th scope=\"row\">Cognome</th><td>Rossi",
        "mario.rossi@example.it",
        "Fiera Milano 2026 (fiera)",
        "Mailer S.r.l. (sends the newsletter)",
        "Perché usiamo i tuoi dati",
        "Per quanto tempo conserviamo i tuoi dati",
        "I tuoi consensi e la loro storia",
        "I tuoi diritti",
        "Come presentare un reclamo",
        "Garante per la protezione dei dati personali, www.garanteprivacy.it",
    ] {
        assert!(html.contains(expected), "missing {expected:?} in\n{html}");
    }
    assert!(!html.contains("<script"), "{html}");

    // The same request in English.
    let (_, _, english) = fulfilled(&server, "en", "access-report");
    assert!(english.contains("<html lang=\"en\">") && english.contains("Answer due by"));
}

#[test]
fn the_access_report_refuses_a_language_it_is_not_written_in() {
    let server = server();
    let answer = server.client().put(
        "/api/v1/plugins/access-report/settings",
        &server.admin,
        &json!({"config": {"language": "fr"}}),
    );
    assert_eq!(answer.status, 422, "{:?}", answer.body);
    let detail = answer.body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("language") && detail.contains("`fr`") && detail.contains("en or it"),
        "{detail}"
    );
    let accepted = server.client().put(
        "/api/v1/plugins/access-report/settings",
        &server.admin,
        &json!({"config": {"language": "it"}}),
    );
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
}
