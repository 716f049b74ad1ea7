//! Privacy notices recorded over the API for a contact created over the API.

use crate::support::server::TestServer;
use serde_json::json;

#[test]
fn a_contact_created_over_the_api_on_a_contract_gets_a_notice_and_may_then_be_processed() {
    let server = TestServer::start();
    let c = server.client();
    let published = c.post(
        "/api/v1/notices",
        &server.dpo,
        &json!({"version": "2026-01", "published_at": "2026-01-15"}),
    );
    assert_eq!(published.status, 201, "{:?}", published.body);
    let created = c.post(
        "/api/v1/contacts",
        &server.operator,
        &json!({"identities": [{"email": "luca.verdi@example.it"}], "fields": [], "source_label": "signed order", "channel": "manual"}),
    );
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = &created.body["id"];
    let basis = c.post(
        &format!("/api/v1/contacts/{id}/legal-bases"),
        &server.operator,
        &json!({"purpose": "contract", "basis": "contract", "start": "2026-02-01"}),
    );
    assert_eq!(basis.status, 204, "{:?}", basis.body);
    let before = can_process(&server);
    assert_eq!(before["allowed"], false, "{before}");
    let path = format!("/api/v1/contacts/{id}/notices");
    let unknown = c.post(&path, &server.operator, &json!({"version": "1999-01"}));
    assert_eq!(unknown.status, 404, "{:?}", unknown.body);
    let given = c.post(
        &path,
        &server.operator,
        &json!({"version": "2026-01", "at": "2026-02-01"}),
    );
    assert_eq!(given.status, 204, "{:?}", given.body);
    let after = can_process(&server);
    assert_eq!(after["allowed"], true, "{after}");
}

fn can_process(server: &TestServer) -> serde_json::Value {
    let answer = server.client().get(
        "/api/v1/can-process?subject=luca.verdi@example.it&purpose=contract&channel=email",
        &server.operator,
    );
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.body
}
