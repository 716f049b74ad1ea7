//! Retention runs through the API: recorded with their decisions, held by the blast-radius guard
//! until a DPO confirms, one at a time, and "review" decisions worked through as a queue.

use crate::support::server::TestServer;
use crate::support::{repo_root, runtime};
use custode::domain::{Actor, Role, Settings, SubjectView, Timestamp};
use custode::service::retention::{
    DecisionSource, RetentionError, RetentionOptions, RuleRef, RunDecision, RunState,
};
use custode::service::Compliance;
use serde_json::{json, Value};

/// A CSV of `n` people with no consent and no other basis: the bundled rule erases them all.
fn people_without_basis(n: usize) -> Vec<u8> {
    let mut csv = String::from("Nome;Cognome;E-mail;Telefono;Azienda;Consenso marketing;Versione informativa;Data raccolta;Fonte\n");
    for i in 0..n {
        csv.push_str(&format!(
            "P{i};Q{i};p{i}@example.it;;;no;2026-01;12/03/2026;Fiera\n"
        ));
    }
    csv.into_bytes()
}

fn import(server: &TestServer, csv: &[u8]) {
    let job = server.client().import(
        &server.operator,
        "plugin=csv&source=Fiera%202026&channel=fair",
        csv,
    );
    assert_eq!(job["state"], "succeeded", "{job}");
}

fn erased(server: &TestServer, id: i64) -> bool {
    server
        .app
        .compliance
        .contact(custode::domain::ContactId(id))
        .unwrap()
        .erased_at
        .is_some()
}

#[test]
fn a_run_erasing_most_of_the_crm_waits_for_a_dpo_and_is_recorded_with_each_decision() {
    let server = TestServer::start();
    let c = server.client();
    import(&server, &people_without_basis(20));
    let run = c.post(
        "/api/v1/retention/runs",
        &server.dpo,
        &json!({"rule": "legitimate-interest", "at": "2029-01-01"}),
    );
    assert_eq!(run.status, 200, "{:?}", run.body);
    assert_eq!(
        run.body["state"], "waiting-for-confirmation",
        "{}",
        run.body
    );
    assert_eq!(run.body["pending"], 20, "{}", run.body);
    assert_eq!(run.body["erased"], 0, "{}", run.body);
    assert_eq!(
        run.body["by_rule"],
        json!([{"rule": "legitimate-interest", "erase": 20, "anonymise": 0, "review": 0}])
    );
    assert!(
        (1..=20).all(|id| !erased(&server, id)),
        "the guard applies nothing"
    );
    let id = run.body["id"].as_i64().unwrap();

    // The run is listed, and its decisions are paged.
    let list = c.get("/api/v1/retention/runs", &server.auditor);
    assert_eq!(list.status, 200, "{:?}", list.body);
    assert_eq!(list.body[0]["id"], id);
    assert_eq!(list.body[0]["rules"][0]["name"], "legitimate-interest");
    assert_eq!(
        list.body[0]["rules"][0]["digest"].as_str().unwrap().len(),
        64
    );
    let page = c.get(
        &format!("/api/v1/retention/runs/{id}?limit=15"),
        &server.dpo,
    );
    assert_eq!(page.body["decisions"].as_array().unwrap().len(), 15);
    assert_eq!(page.body["decisions"][0]["outcome"], "pending");
    let next = page.body["next"].as_u64().unwrap();
    let rest = c.get(
        &format!("/api/v1/retention/runs/{id}?after={next}&limit=15"),
        &server.dpo,
    );
    assert_eq!(
        rest.body["decisions"].as_array().unwrap().len(),
        5,
        "{}",
        rest.body
    );
    assert!(rest.body["next"].is_null());

    // Only a DPO confirms; then it is applied, each erasure audited with the run.
    assert_eq!(
        c.post(
            &format!("/api/v1/retention/runs/{id}/confirm"),
            &server.operator,
            &json!({})
        )
        .status,
        403
    );
    let confirmed = c.post(
        &format!("/api/v1/retention/runs/{id}/confirm"),
        &server.dpo,
        &json!({}),
    );
    assert_eq!(confirmed.status, 200, "{:?}", confirmed.body);
    assert_eq!(confirmed.body["state"], "applied", "{}", confirmed.body);
    assert_eq!(
        (
            confirmed.body["erased"].as_u64(),
            confirmed.body["pending"].as_u64()
        ),
        (Some(20), Some(0))
    );
    assert!((1..=20).all(|id| erased(&server, id)));
    let again = c.post(
        &format!("/api/v1/retention/runs/{id}/confirm"),
        &server.dpo,
        &json!({}),
    );
    assert_eq!(again.status, 409, "{:?}", again.body);
    let audit = c.get("/api/v1/audit?target=contact:7&limit=100", &server.dpo);
    let erase = audit
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "contact.erase")
        .cloned();
    assert_eq!(erase.expect("an erasure entry")["details"]["run"], id);
    assert!(c.get("/api/v1/audit/verify", &server.dpo).body["problem"].is_null());
}

#[test]
fn a_small_daily_run_is_applied_at_once() {
    let server = TestServer::start();
    let c = server.client();
    let csv = std::fs::read(repo_root().join("examples/contacts.csv")).unwrap();
    import(&server, &csv);
    let run = c.post(
        "/api/v1/retention/runs",
        &server.dpo,
        &json!({"rule": "legitimate-interest", "at": "2029-01-01"}),
    );
    assert_eq!(run.body["state"], "applied", "{}", run.body);
    assert_eq!(
        (run.body["erased"].as_u64(), run.body["kept"].as_u64()),
        (Some(1), Some(3))
    );
    assert_eq!(run.body["decisions"][0]["outcome"], "applied");
}

/// A rule that says "erase everyone", whatever the person's situation.
struct EraseEveryone;

impl DecisionSource for EraseEveryone {
    fn rules(&self) -> Vec<RuleRef> {
        vec![RuleRef {
            name: "erase-everyone".into(),
            version: "6.6.6".into(),
            digest: "0".repeat(64),
        }]
    }
    fn decide(
        &mut self,
        _now: Timestamp,
        views: &[SubjectView],
    ) -> Result<Vec<RunDecision>, RetentionError> {
        Ok(views
            .iter()
            .map(|v| RunDecision {
                decision: custode::domain::RetentionDecision {
                    contact_id: v.contact_id,
                    action: custode::domain::RetentionAction::Erase,
                    reason: "because".into(),
                    legal_reference: "none".into(),
                    review_after: None,
                    holds_from: None,
                },
                rules: vec!["erase-everyone".into()],
            })
            .collect())
    }
}

#[test]
fn a_hostile_rule_that_erases_everyone_erases_nobody_without_confirmation() {
    let _ = runtime();
    let dir = tempfile::tempdir().unwrap();
    let c = Compliance::open(dir.path(), &Settings::default()).unwrap();
    let dpo = Actor::new("giulia.dpo", Role::Dpo);
    for i in 0..7 {
        let new = custode::store::NewContact {
            identities: vec![c.parse_identity(&format!("p{i}@example.it")).unwrap()],
            fields: vec![],
            source_label: "business card".into(),
            channel: custode::domain::SourceChannel::BusinessCard,
            collected_at: None,
            last_interaction: None,
        };
        c.create_contact(&dpo, &new).unwrap();
    }
    let options = RetentionOptions::requested(dpo.clone(), Timestamp::now(), false);
    let report = c.run_retention_with(&mut EraseEveryone, &options).unwrap();
    assert_eq!(report.state, RunState::WaitingForConfirmation);
    assert_eq!((report.erased, report.pending), (0, 7));
    assert!((1..=7).all(|id| c
        .contact(custode::domain::ContactId(id))
        .unwrap()
        .erased_at
        .is_none()));

    // Confirmed, it still cannot erase a contact under legal hold: that decision says why.
    c.legal_hold(
        &dpo,
        custode::domain::ContactId(3),
        true,
        "litigation 2026/114",
    )
    .unwrap();
    let report = c.confirm_retention_run(report.id, &dpo).unwrap();
    assert_eq!(
        (report.state, report.erased, report.not_applied),
        (RunState::Applied, 6, 1)
    );
    let held = report
        .decisions
        .iter()
        .find(|d| d.decision.decision.contact_id.0 == 3)
        .unwrap();
    assert!(
        held.outcome.starts_with("not applied") && held.outcome.contains("legal hold"),
        "{}",
        held.outcome
    );
}

/// The same hostile rule as a real plugin, installed and enabled by an admin over the API next to
/// the bundled rules: the policy run holds every erasure for a DPO and erases nobody, a customer
/// with a running contract included.
#[test]
fn an_installed_erase_everyone_plugin_erases_nobody_without_a_dpo() {
    let server = TestServer::start();
    let c = server.client();
    let (admin, dpo) = (&server.admin, &server.dpo);
    let uploaded = c.post_bytes(
        "/api/v1/plugins",
        admin,
        &crate::support::plugin_bytes("erase-everyone"),
    );
    assert_eq!(uploaded.status, 201, "{:?}", uploaded.body);
    let enabled = c.post("/api/v1/plugins/erase-everyone/enable", admin, &json!(null));
    assert_eq!(enabled.body["enabled"], true, "{:?}", enabled.body);

    import(&server, &people_without_basis(7));
    let customer = 1;
    let contract = c.post(
        &format!("/api/v1/contacts/{customer}/legal-bases"),
        dpo,
        &json!({"purpose": "contract", "basis": "contract", "start": "2026-01-10"}),
    );
    assert_eq!(contract.status, 204, "{:?}", contract.body);

    let run = c.post("/api/v1/retention/runs", dpo, &json!({}));
    assert_eq!(run.status, 200, "{:?}", run.body);
    let report = &run.body;
    assert_eq!(report["state"], "waiting-for-confirmation", "{report}");
    assert_eq!(report["erased"], 0, "{report}");
    let rules: Vec<&str> = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"erase-everyone"), "{report}");
    let by_rule = report["by_rule"].as_array().unwrap();
    let hostile = by_rule
        .iter()
        .find(|r| r["rule"] == "erase-everyone")
        .unwrap_or_else(|| panic!("the counts name the rule: {report}"));
    assert!(hostile["erase"].as_u64().unwrap() >= 6, "{report}");
    assert!(
        (1..=7).all(|id| !erased(&server, id)),
        "nothing is erased before a DPO confirms"
    );
}

#[test]
fn review_decisions_become_a_queue_a_dpo_works_through() {
    let server = TestServer::start();
    let c = server.client();
    let csv = std::fs::read(repo_root().join("examples/contacts.csv")).unwrap();
    import(&server, &csv);
    // A restricted contact is never erased by a rule: the bundled rule asks for a review.
    for id in [2, 3] {
        let r = c.post(
            &format!("/api/v1/contacts/{id}/restrict"),
            &server.dpo,
            &json!({"restricted": true}),
        );
        assert_eq!(r.status, 204, "{:?}", r.body);
    }
    let run = c.post(
        "/api/v1/retention/runs",
        &server.dpo,
        &json!({"rule": "legitimate-interest", "at": "2031-01-01"}),
    );
    assert_eq!(run.status, 200, "{:?}", run.body);
    assert!(run.body["to_review"].as_u64().unwrap() >= 2, "{}", run.body);
    let queue = c.get("/api/v1/retention/review", &server.dpo);
    assert_eq!(queue.status, 200, "{:?}", queue.body);
    let item_of = |queue: &Value, contact: i64| {
        queue
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["contact_id"] == contact)
            .map(|i| i["id"].as_i64().unwrap())
    };
    let (two, three) = (
        item_of(&queue.body, 2).unwrap(),
        item_of(&queue.body, 3).unwrap(),
    );
    assert_eq!(
        c.get("/api/v1/retention/review", &server.operator).status,
        403
    );

    // Keep needs a reason and a future date.
    let past = c.post(
        &format!("/api/v1/retention/review/{two}"),
        &server.dpo,
        &json!({"decision": "keep", "reason": "pending claim", "review_after": "2020-01-01"}),
    );
    assert_eq!(past.status, 422, "{:?}", past.body);
    let kept = c.post(&format!("/api/v1/retention/review/{two}"), &server.dpo, &json!({"decision": "keep", "reason": "pending claim, ticket 88", "review_after": "2099-06-30"}));
    assert_eq!(kept.status, 200, "{:?}", kept.body);
    assert_eq!(kept.body["state"], "kept");
    let twice = c.post(
        &format!("/api/v1/retention/review/{two}"),
        &server.dpo,
        &json!({"decision": "erase", "reason": "changed my mind"}),
    );
    assert_eq!(twice.status, 409, "{:?}", twice.body);

    // Erasing a restricted contact is refused until the restriction is lifted.
    let refused = c.post(
        &format!("/api/v1/retention/review/{three}"),
        &server.dpo,
        &json!({"decision": "erase", "reason": "no basis, checked"}),
    );
    assert_eq!(refused.status, 409, "{:?}", refused.body);
    c.post(
        "/api/v1/contacts/3/restrict",
        &server.dpo,
        &json!({"restricted": false}),
    );
    let gone = c.post(
        &format!("/api/v1/retention/review/{three}"),
        &server.dpo,
        &json!({"decision": "erase", "reason": "no basis, checked"}),
    );
    assert_eq!(gone.status, 200, "{:?}", gone.body);
    assert!(erased(&server, 3));

    // Both resolutions are audited.
    let audit = |target: &str| {
        c.get(
            &format!("/api/v1/audit?target={target}&limit=100"),
            &server.dpo,
        )
        .body
    };
    let keep_entry = audit("contact:2")
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "retention.review-keep")
        .cloned();
    assert_eq!(
        keep_entry.expect("audited")["details"]["reason"],
        "pending claim, ticket 88"
    );
    let erase_entry = audit("contact:3")
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "contact.erase")
        .cloned();
    assert_eq!(
        erase_entry.expect("audited")["details"]["review_item"],
        three
    );

    // The kept contact does not come back before its date, though the rule still asks.
    let again = c.post(
        "/api/v1/retention/runs",
        &server.dpo,
        &json!({"rule": "legitimate-interest", "at": "2031-01-01"}),
    );
    assert_eq!(again.status, 200, "{:?}", again.body);
    let open = c.get("/api/v1/retention/review", &server.dpo).body;
    assert!(item_of(&open, 2).is_none(), "{open}");
}
