//! The retention policy through the server: the four bundled rules enabled and configured over the
//! HTTP API, run together on a realistic mix of people as one recorded run (the report of a single
//! rule's run), a dry run looking ahead, and explanations.

use crate::support::server::{Client, TestServer};
use custode::domain::Timestamp;
use serde_json::{json, Value};

fn days_ago(days: i64) -> String {
    Timestamp::now().add_days(-days).date_string()
}

fn years_ago(years: i64) -> String {
    days_ago(years * 365 + years / 4)
}

/// Creates a contact; returns its id.
fn contact(
    c: &Client,
    dpo: &str,
    email: &str,
    fields: Value,
    collected: &str,
    last: Option<&str>,
) -> i64 {
    let mut body = json!({
        "identities": [{"email": email}],
        "fields": fields,
        "source_label": "test",
        "channel": "business-card",
        "collected_at": collected,
    });
    if let Some(last) = last {
        body["last_interaction"] = json!(last);
    }
    let created = c.post("/api/v1/contacts", dpo, &body);
    assert_eq!(created.status, 201, "{:?}", created.body);
    created.body["id"].as_i64().unwrap()
}

fn basis(
    c: &Client,
    dpo: &str,
    id: i64,
    purpose: &str,
    basis: &str,
    start: &str,
    end: Option<&str>,
) {
    let mut body = json!({"purpose": purpose, "basis": basis, "start": start});
    if let Some(end) = end {
        body["end"] = json!(end);
    }
    let answer = c.post(&format!("/api/v1/contacts/{id}/legal-bases"), dpo, &body);
    assert_eq!(answer.status, 204, "{:?}", answer.body);
}

fn consent(c: &Client, dpo: &str, email: &str, action: &str, at: &str) {
    let answer = c.post(
        "/api/v1/consent-events",
        dpo,
        &json!({"subject": email, "purpose": "marketing", "channel": "email", "action": action,
                "at": at, "evidence": {"method": "web form"}}),
    );
    assert_eq!(answer.status, 201, "{:?}", answer.body);
}

fn name(first: &str) -> Value {
    json!([{"name": "first_name", "value": first}, {"name": "last_name", "value": "Rossi"}])
}

/// The recorded decision of the report about `id`, if any.
fn decision_of(report: &Value, id: i64) -> Option<&Value> {
    report["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["contact_id"] == id)
}

fn action(d: &Value) -> String {
    match d["action"]["categories"].as_array() {
        Some(c) => format!(
            "anonymise {}",
            c.iter()
                .map(|c| c.as_str().unwrap())
                .collect::<Vec<_>>()
                .join(",")
        ),
        None => d["action"]["action"].as_str().unwrap().to_string(),
    }
}

#[test]
fn the_policy_decides_a_realistic_mix_and_explains_it() {
    let server = TestServer::start();
    let c = server.client();
    let (admin, dpo) = (&server.admin, &server.dpo);

    // The four bundled rules are installed and enabled; configure one through the API.
    let plugins = c.get("/api/v1/plugins", admin);
    let rules: Vec<&str> = plugins
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "retention-rule" && p["enabled"] == true)
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for rule in [
        "accounting",
        "consent-withdrawn",
        "legitimate-interest",
        "no-basis",
    ] {
        assert!(rules.contains(&rule), "{rule} in {rules:?}");
    }
    let set = c.put(
        "/api/v1/plugins/consent-withdrawn/settings",
        admin,
        &json!({"config": {"grace_days": "30"}}),
    );
    assert_eq!(set.status, 200, "{:?}", set.body);

    // A customer on legitimate interest, silent for 26 months.
    let silent = contact(
        &c,
        dpo,
        "silent@example.it",
        name("Silvia"),
        &days_ago(900),
        Some(&days_ago(26 * 31)),
    );
    basis(
        &c,
        dpo,
        silent,
        "customer-care",
        "legitimate-interest",
        &days_ago(900),
        None,
    );
    // Former customers whose accounting obligation ended 11 and 3 years ago.
    let invoices = |first: &str| json!([{"name": "first_name", "value": first}, {"name": "vat_id", "value": "IT01234567890"}]);
    let old = contact(
        &c,
        dpo,
        "old@example.it",
        invoices("Oreste"),
        &years_ago(15),
        Some(&years_ago(11)),
    );
    let recent = contact(
        &c,
        dpo,
        "recent@example.it",
        invoices("Renata"),
        &years_ago(8),
        Some(&years_ago(3)),
    );
    for (id, ended) in [(old, years_ago(11)), (recent, years_ago(3))] {
        basis(
            &c,
            dpo,
            id,
            "accounting",
            "legal-obligation",
            &years_ago(15),
            Some(&ended),
        );
        basis(
            &c,
            dpo,
            id,
            "contract",
            "contract",
            &years_ago(15),
            Some(&ended),
        );
    }
    // Newsletter subscribers who withdrew 40 and 10 days ago.
    let gone = contact(
        &c,
        dpo,
        "gone@example.it",
        name("Gino"),
        &days_ago(400),
        Some(&days_ago(40)),
    );
    let leaving = contact(
        &c,
        dpo,
        "leaving@example.it",
        name("Lea"),
        &days_ago(400),
        Some(&days_ago(10)),
    );
    for (email, withdrawn) in [("gone@example.it", 40), ("leaving@example.it", 10)] {
        consent(&c, dpo, email, "granted", &days_ago(400));
        consent(&c, dpo, email, "withdrawn", &days_ago(withdrawn));
    }
    // A bought list, 45 days old, with no basis and no consent.
    let bought = contact(
        &c,
        dpo,
        "bought@example.it",
        name("Bruno"),
        &days_ago(45),
        None,
    );
    // A silent customer who asked for restriction.
    let restricted = contact(
        &c,
        dpo,
        "restricted@example.it",
        name("Rita"),
        &days_ago(900),
        Some(&days_ago(26 * 31)),
    );
    basis(
        &c,
        dpo,
        restricted,
        "customer-care",
        "legitimate-interest",
        &days_ago(900),
        None,
    );
    let r = c.post(
        &format!("/api/v1/contacts/{restricted}/restrict"),
        dpo,
        &json!({"restricted": true}),
    );
    assert!(r.status < 300, "{:?}", r.body);
    // A customer heard from last month: nobody asks anything.
    let active = contact(
        &c,
        dpo,
        "active@example.it",
        name("Attilio"),
        &days_ago(300),
        Some(&days_ago(30)),
    );
    basis(
        &c,
        dpo,
        active,
        "customer-care",
        "legitimate-interest",
        &days_ago(300),
        None,
    );

    // Who goes in the next 30 days: a dry run as of then changes nothing.
    let ahead = c.post(
        "/api/v1/retention/runs",
        dpo,
        &json!({"dry_run": true, "at": Timestamp::now().add_days(30).date_string()}),
    );
    assert_eq!(ahead.status, 200, "{:?}", ahead.body);
    assert_eq!(
        ahead.body["rules"].as_array().unwrap().len(),
        4,
        "{}",
        ahead.body
    );
    let leaving_then =
        decision_of(&ahead.body, leaving).expect("the grace period ends within 30 days");
    assert_eq!(action(leaving_then), "erase", "{leaving_then}");
    assert_eq!(leaving_then["outcome"], "would apply (dry run)");
    assert_eq!(action(decision_of(&ahead.body, bought).unwrap()), "review");
    assert_eq!(
        c.get(&format!("/api/v1/contacts/{leaving}"), dpo).body["erased_at"],
        Value::Null
    );

    // Why Renata's data goes only in part: each rule's verdict with its reason, before the run.
    let why = c.get(&format!("/api/v1/retention/explain/{recent}"), dpo);
    assert_eq!(why.status, 200, "{:?}", why.body);
    let verdicts = why.body["rules"].as_array().unwrap();
    assert_eq!(verdicts.len(), 4);
    let accounting = verdicts
        .iter()
        .find(|v| v["rule"].as_str().unwrap().starts_with("accounting@"))
        .unwrap();
    assert!(
        accounting["reason"]
            .as_str()
            .unwrap()
            .contains("the accounting records (financial) stay until"),
        "{accounting}"
    );
    assert!(
        why.body["reason"]
            .as_str()
            .unwrap()
            .contains("becomes this anonymisation"),
        "{}",
        why.body
    );

    // The run, now: recorded as one run of the four rules, applied (four erasures and
    // anonymisations are below the guard's floor).
    let run = c.post("/api/v1/retention/runs", dpo, &json!({}));
    assert_eq!(run.status, 200, "{:?}", run.body);
    let report = &run.body;
    assert_eq!(report["subjects"], 8, "{report}");
    assert_eq!(report["state"], "applied", "{report}");
    assert_eq!(report["rules"].as_array().unwrap().len(), 4, "{report}");
    let outcome = |id: i64| {
        decision_of(report, id).map(|d| (action(d), d["outcome"].as_str().unwrap().to_string()))
    };
    assert_eq!(
        outcome(silent),
        Some(("erase".into(), "applied".into())),
        "{report}"
    );
    assert_eq!(
        outcome(old),
        Some(("erase".into(), "applied".into())),
        "{report}"
    );
    assert_eq!(
        outcome(recent),
        Some(("anonymise contact".into(), "applied".into())),
        "{report}"
    );
    assert_eq!(
        outcome(gone),
        Some(("erase".into(), "applied".into())),
        "{report}"
    );
    assert_eq!(outcome(leaving), None, "within the grace period: {report}");
    assert_eq!(
        outcome(bought),
        Some(("review".into(), "for review".into())),
        "{report}"
    );
    assert_eq!(
        outcome(restricted),
        Some(("review".into(), "for review".into())),
        "{report}"
    );
    assert_eq!(outcome(active), None);
    assert_eq!(
        (
            &report["erased"],
            &report["anonymised"],
            &report["to_review"],
            &report["kept"],
            &report["not_applied"]
        ),
        (&json!(3), &json!(1), &json!(2), &json!(2), &json!(0)),
        "{report}"
    );
    // Each recorded decision names the rules that decided and every rule's verdict.
    let recent_d = decision_of(report, recent).unwrap();
    assert_eq!(recent_d["rules"], json!(["accounting"]), "{recent_d}");
    let recorded = recent_d["reason"].as_str().unwrap();
    assert!(
        recorded.starts_with("policy [") && recorded.contains("accounting anonymise"),
        "{recent_d}"
    );
    // The verdicts of the rules that decided something come first; the others said nothing.
    let verdicts = &recorded[..recorded.find("]:").expect("the verdicts, then the reason")];
    assert!(verdicts.contains("accounting anonymise"), "{recent_d}");
    // The same run is listed and shown like a single rule's.
    let id = report["id"].as_i64().unwrap();
    let shown = c.get(&format!("/api/v1/retention/runs/{id}"), dpo);
    assert_eq!(shown.status, 200, "{:?}", shown.body);
    assert_eq!(shown.body["erased"], 3, "{}", shown.body);
    // The restricted customer and the bought list wait in the review queue.
    let queue = c.get("/api/v1/retention/review", dpo).body;
    let queued: Vec<i64> = queue
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["contact_id"].as_i64().unwrap())
        .collect();
    assert!(
        queued.contains(&bought) && queued.contains(&restricted),
        "{queue}"
    );
    assert!(decision_of(report, restricted).unwrap()["legal_reference"] == "GDPR Art. 18");

    // What happened to the people.
    let details = |id: i64| c.get(&format!("/api/v1/contacts/{id}"), dpo).body;
    for id in [silent, old, gone] {
        assert!(details(id)["erased_at"].is_string(), "{}", details(id));
    }
    let recent_now = details(recent).to_string();
    assert!(
        recent_now.contains("IT01234567890"),
        "the accounting record stays: {recent_now}"
    );
    assert!(
        !recent_now.contains("Renata"),
        "the rest goes: {recent_now}"
    );
    for id in [leaving, bought, restricted, active] {
        assert_eq!(details(id)["erased_at"], Value::Null);
    }

    // Explain: today the rules say nothing about Lea; in 25 days her grace period is over.
    let today = c.get(&format!("/api/v1/retention/explain/{leaving}"), dpo);
    assert_eq!(today.status, 200, "{:?}", today.body);
    assert_eq!(action(&today.body), "keep");
    assert_eq!(today.body["rules"].as_array().unwrap().len(), 4);
    let later = Timestamp::now().add_days(25).date_string();
    let then = c.get(
        &format!("/api/v1/retention/explain/{leaving}?at={later}"),
        dpo,
    );
    assert_eq!(then.status, 200, "{:?}", then.body);
    assert_eq!(action(&then.body), "erase", "{}", then.body);
    assert!(then.body["at"].as_str().unwrap().starts_with(&later));
    let cw = then.body["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| {
            v["rule"]
                .as_str()
                .unwrap()
                .starts_with("consent-withdrawn@")
        })
        .unwrap();
    assert!(
        cw["reason"]
            .as_str()
            .unwrap()
            .contains("erasure holds from"),
        "{cw}"
    );
    assert_eq!(cw["legal_reference"], "GDPR Art. 7(3), Art. 17(1)(b)");

    // Hostile and wrong inputs.
    assert_eq!(
        c.get(&format!("/api/v1/retention/explain/{silent}"), dpo)
            .status,
        410
    );
    assert_eq!(c.get("/api/v1/retention/explain/424242", dpo).status, 404);
    assert_eq!(
        c.get(
            &format!("/api/v1/retention/explain/{bought}?at=yesterday"),
            dpo
        )
        .status,
        422
    );
    assert_eq!(
        c.get(
            &format!("/api/v1/retention/explain/{bought}"),
            &server.operator
        )
        .status,
        403
    );

    // A disabled rule leaves the policy; with none enabled, the policy says what to do.
    for rule in [
        "accounting",
        "consent-withdrawn",
        "legitimate-interest",
        "no-basis",
    ] {
        let off = c.post(
            &format!("/api/v1/plugins/{rule}/disable"),
            admin,
            &json!({}),
        );
        assert!(off.status < 300, "{:?}", off.body);
    }
    let none = c.post("/api/v1/retention/runs", dpo, &json!({"dry_run": true}));
    assert_eq!(none.status, 409, "{:?}", none.body);
    assert!(
        none.body["detail"]
            .as_str()
            .unwrap()
            .contains("no retention rule is enabled"),
        "{:?}",
        none.body
    );
}

/// A batch large enough to be split among worker threads gets exactly the decisions, in the same
/// order, as one worker evaluating it alone: the split changes only who does the work.
#[test]
fn a_batch_split_among_workers_decides_as_one_worker_does() {
    use custode::domain::{ContactId, SubjectView};
    use custode::runtime::{Plugin, PluginSettings};
    use custode::service::policy::PolicyJob;

    let runtime = crate::support::runtime();
    let rules: Vec<Plugin> = [
        "accounting",
        "consent-withdrawn",
        "legitimate-interest",
        "no-basis",
    ]
    .iter()
    .map(|name| {
        let bundled = custode::bundled::get(name).expect("a bundled rule");
        Plugin::load(&runtime, bundled.bytes, PluginSettings::default()).unwrap()
    })
    .collect();
    let rules: Vec<&Plugin> = rules.iter().collect();
    // The kit's sample subjects (each a different legal situation), repeated with their dates
    // moved by a few days each time, 2,000 subjects in all.
    let samples = crate::support::repo_root().join("host/assets/samples/subjects.json");
    let samples: Vec<SubjectView> =
        serde_json::from_slice(&std::fs::read(samples).unwrap()).unwrap();
    let views: Vec<SubjectView> = (0..2_000)
        .map(|i| {
            let mut v = samples[i % samples.len()].clone();
            v.contact_id = ContactId(i as i64 + 1);
            let shift = (i / samples.len()) as i64 * 3;
            v.created_at = v.created_at.add_days(-shift);
            v.last_interaction = v.last_interaction.map(|t| t.add_days(-shift));
            v
        })
        .collect();
    let at = Timestamp::parse("at", "2026-12-01").unwrap();

    let alone = PolicyJob::start(&rules)
        .unwrap()
        .with_workers(1)
        .combined(at, &views)
        .unwrap();
    let split = PolicyJob::start(&rules)
        .unwrap()
        .with_workers(3)
        .combined(at, &views)
        .unwrap();
    assert!(
        alone.len() > 100 && alone.len() < views.len(),
        "the sample should give a mix: {} decisions for {} subjects",
        alone.len(),
        views.len()
    );
    assert_eq!(split, alone);
    let ids: Vec<i64> = split.iter().map(|d| d.contact_id.0).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "out of order: {ids:?}");
}
