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
