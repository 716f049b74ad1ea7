//! Legal hold over the API and the CLI: placed and lifted with a reason, audited, stops erasure and
//! retention, and shown in the person's access package.

use crate::support::server::TestServer;
use crate::support::{custode_binary, repo_root};
use serde_json::json;

#[test]
fn a_dpo_holds_a_contact_with_a_reason_that_is_audited_and_shown_to_the_person() {
    let server = TestServer::start();
    let c = server.client();
    let csv = std::fs::read(repo_root().join("examples/contacts.csv")).unwrap();
    let job = c.import(
        &server.operator,
        "plugin=csv&source=Fiera%202026&channel=fair",
        &csv,
    );
    assert_eq!(job["state"], "succeeded", "{job}");
    let path = "/api/v1/contacts/1/legal-hold";
    let reason = "litigation 2026/114, court of Milan";

    // Only a DPO places holds, and a hold without a reason is refused.
    let by_operator = c.post(
        path,
        &server.operator,
        &json!({"held": true, "reason": reason}),
    );
    assert_eq!(by_operator.status, 403, "{:?}", by_operator.body);
    let no_reason = c.post(path, &server.dpo, &json!({"held": true, "reason": "  "}));
    assert_eq!(no_reason.status, 422, "{:?}", no_reason.body);
    assert!(no_reason.body["detail"]
        .as_str()
        .unwrap()
        .contains("reason"));
    let nobody = c.post(
        "/api/v1/contacts/999/legal-hold",
        &server.dpo,
        &json!({"held": true, "reason": reason}),
    );
    assert_eq!(nobody.status, 404, "{:?}", nobody.body);

    let held = c.post(path, &server.dpo, &json!({"held": true, "reason": reason}));
    assert_eq!(held.status, 204, "{:?}", held.body);
    let again = c.post(path, &server.dpo, &json!({"held": true, "reason": reason}));
    assert_eq!(again.status, 409, "{:?}", again.body);
    let contact = c.get("/api/v1/contacts/1", &server.dpo);
    assert_eq!(
        contact.body["legal_hold_reason"], reason,
        "{}",
        contact.body
    );
    assert!(
        contact.body["legal_hold_since"].is_string(),
        "{}",
        contact.body
    );

    // Erasure is refused while the hold is in force.
    let erase = c.post(
        "/api/v1/requests/erasure",
        &server.dpo,
        &json!({"subject": "#1", "reason": "request of 2026-11-20"}),
    );
    assert_eq!(erase.status, 409, "{:?}", erase.body);

    // The person is told of the hold, since when and why.
    let access = c.post(
        "/api/v1/requests/access",
        &server.dpo,
        &json!({"subject": "#1"}),
    );
    assert_eq!(access.status, 200, "{:?}", access.body);
    let text = access.body.to_string();
    assert!(
        text.contains("under a legal hold since") && text.contains(reason),
        "{text}"
    );

    let lifted = c.post(
        path,
        &server.dpo,
        &json!({"held": false, "reason": "settled out of court"}),
    );
    assert_eq!(lifted.status, 204, "{:?}", lifted.body);
    let twice = c.post(
        path,
        &server.dpo,
        &json!({"held": false, "reason": "settled out of court"}),
    );
    assert_eq!(twice.status, 409, "{:?}", twice.body);
    let contact = c.get("/api/v1/contacts/1", &server.dpo);
    assert!(
        contact.body["legal_hold_since"].is_null(),
        "{}",
        contact.body
    );
    assert!(
        contact.body.get("legal_hold_reason").is_none(),
        "{}",
        contact.body
    );
    let access = c.post(
        "/api/v1/requests/access",
        &server.dpo,
        &json!({"subject": "#1"}),
    );
    assert!(
        !access.body.to_string().contains("legal hold since"),
        "{}",
        access.body
    );

    // Both are in the audit log with their reasons.
    let audit = c.get("/api/v1/audit?target=contact:1&limit=100", &server.dpo);
    let entries = audit
        .body
        .as_array()
        .unwrap_or_else(|| panic!("{:?}", audit.body));
    let find = |action: &str| {
        entries
            .iter()
            .find(|e| e["action"] == action)
            .unwrap_or_else(|| panic!("no {action} in {entries:?}"))
            .clone()
    };
    assert_eq!(find("contact.legal-hold")["details"]["reason"], reason);
    assert_eq!(
        find("contact.legal-hold-lift")["details"]["reason"],
        "settled out of court"
    );
}

#[test]
fn the_cli_places_and_lifts_a_legal_hold_locally() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let csv = repo_root().join("examples/contacts.csv");
    let run = |args: &[&str]| {
        std::process::Command::new(custode_binary())
            .arg("--data-dir")
            .arg(&data)
            .args(args)
            .output()
            .unwrap()
    };
    let import = run(&[
        "import",
        "--plugin",
        "csv",
        "--source",
        "Fiera 2026",
        "--channel",
        "fair",
        csv.to_str().unwrap(),
    ]);
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    let hold = run(&[
        "legal-hold",
        "--subject",
        "#2",
        "--reason",
        "tax audit 2026",
    ]);
    assert!(
        hold.status.success(),
        "{}",
        String::from_utf8_lossy(&hold.stderr)
    );
    assert!(String::from_utf8_lossy(&hold.stdout).contains("under legal hold"));
    let erase = run(&["erase", "--subject", "#2", "--reason", "request"]);
    assert!(!erase.status.success());
    assert!(
        String::from_utf8_lossy(&erase.stderr).contains("legal hold"),
        "{}",
        String::from_utf8_lossy(&erase.stderr)
    );
    let lift = run(&[
        "legal-hold",
        "--subject",
        "#2",
        "--reason",
        "audit closed",
        "--lift",
    ]);
    assert!(
        lift.status.success(),
        "{}",
        String::from_utf8_lossy(&lift.stderr)
    );
    let erase = run(&["erase", "--subject", "#2", "--reason", "request"]);
    assert!(
        erase.status.success(),
        "{}",
        String::from_utf8_lossy(&erase.stderr)
    );
}
