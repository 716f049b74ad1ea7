//! Two servers on one PostgreSQL database, as a company with several Custode servers runs them:
//! imports on both at once stay whole and merge the same person once, a suppression added on one is
//! honoured by the other at once, the audit chain holds the actions of both, and the retention
//! schedule runs once however many servers ask. Skipped without `CUSTODE_TEST_POSTGRES`.

use crate::support::postgres::TestDb;
use crate::support::server::TestServer;
use custode::domain::Timestamp;
use custode::service::retention::schedule::Schedule;
use serde_json::json;

const HEADER: &str = "Nome;Cognome;E-mail;Telefono;Azienda;Consenso marketing;Versione informativa;Data raccolta;Fonte\n";

/// A fair's file of `n` people `first..first+n`, plus Mario, who is in both servers' files.
fn fair_file(first: u32, n: u32) -> Vec<u8> {
    let mut csv = HEADER.to_string();
    csv.push_str("Mario;Rossi;mario.rossi@example.it;;Rossi S.r.l.;sì;2026-01;12/03/2026;Fiera\n");
    for i in first..first + n {
        csv.push_str(&format!(
            "Persona;Numero{i};persona{i}@example.it;;;sì;2026-01;12/03/2026;Fiera\n"
        ));
    }
    csv.into_bytes()
}

fn contacts(server: &TestServer) -> usize {
    let c = server.client();
    let mut total = 0;
    let mut after = String::new();
    loop {
        let page = c
            .get(&format!("/api/v1/contacts?limit=500{after}"), &server.dpo)
            .body;
        total += page["items"].as_array().unwrap().len();
        match page["next"].as_i64() {
            Some(next) => after = format!("&after={next}"),
            None => return total,
        }
    }
}

#[test]
fn two_servers_on_one_postgresql_database_act_as_one_installation() {
    let Some(db) = TestDb::create() else { return };
    let a = TestServer::start_shared(&db.url, None, "a");
    let b = TestServer::start_shared(&db.url, Some(a.dir.path()), "b");

    // Imports on both servers at once: each is whole, and Mario is one contact.
    let query = "plugin=csv&source=Fiera%202026&channel=fair";
    let (job_a, job_b) = std::thread::scope(|s| {
        let on_a = s.spawn(|| a.client().import(&a.operator, query, &fair_file(0, 300)));
        let on_b = s.spawn(|| b.client().import(&b.operator, query, &fair_file(1000, 300)));
        (on_a.join().unwrap(), on_b.join().unwrap())
    });
    assert_eq!(job_a["state"], "succeeded", "{job_a}");
    assert_eq!(job_b["state"], "succeeded", "{job_b}");
    let created =
        job_a["report"]["created"].as_u64().unwrap() + job_b["report"]["created"].as_u64().unwrap();
    let merged = job_a["report"]["merged"].as_u64().unwrap()
        + job_a["report"]["unchanged"].as_u64().unwrap()
        + job_b["report"]["merged"].as_u64().unwrap()
        + job_b["report"]["unchanged"].as_u64().unwrap();
    assert_eq!((created, merged), (601, 1), "{job_a} {job_b}");
    assert_eq!(contacts(&a), 601);
    assert_eq!(contacts(&b), 601);

    // A suppression added on A is honoured by B at once: by its next import and its answers.
    let added = a.client().post(
        "/api/v1/suppression",
        &a.dpo,
        &json!({"identity": "nuovo@example.it", "reason": "asked never to be contacted again"}),
    );
    assert!(added.status < 300, "{:?}", added.body);
    let file = format!("{HEADER}Nuovo;Cliente;nuovo@example.it;;;sì;2026-01;12/03/2026;Fiera\n");
    let job = b.client().import(&b.operator, query, file.as_bytes());
    assert_eq!(job["state"], "succeeded", "{job}");
    assert_eq!(job["report"]["suppressed"], 1, "{job}");
    assert_eq!(job["report"]["created"], 0, "{job}");
    let check = b.client().post(
        "/api/v1/suppression/check",
        &b.dpo,
        &json!({"identity": "nuovo@example.it"}),
    );
    assert_eq!(check.body["suppressed"], true, "{:?}", check.body);

    // One audit chain with both servers' actions, verified by either.
    for server in [&a, &b] {
        let v = server
            .client()
            .get("/api/v1/audit/verify", &server.dpo)
            .body;
        assert!(v["problem"].is_null(), "{v}");
    }
    let log = a.client().get("/api/v1/audit?limit=1000", &a.dpo).body;
    let actors: std::collections::BTreeSet<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["actor"].as_str())
        .collect();
    assert!(
        actors.contains("oscar-a") && actors.contains("oscar-b"),
        "{actors:?}"
    );

    // The schedule falls due on both servers at the same moment: one of them runs it.
    let schedule = Schedule::parse("daily 02:00", "Europe/Rome").unwrap();
    let now = Timestamp::parse("at", "2029-01-10T12:00:00Z").unwrap();
    let (on_a, on_b) = std::thread::scope(|s| {
        let x = s.spawn(|| a.app.scheduled_retention(&schedule, now));
        let y = s.spawn(|| b.app.scheduled_retention(&schedule, now));
        (x.join().unwrap(), y.join().unwrap())
    });
    let ran: Vec<_> = [on_a, on_b].into_iter().flatten().collect();
    assert_eq!(ran.len(), 1, "exactly one server runs it: {ran:?}");
    assert!(ran[0].is_ok(), "{ran:?}");
    // Later that day neither runs it again.
    let later = Timestamp::parse("at", "2029-01-10T18:00:00Z").unwrap();
    assert!(a.app.scheduled_retention(&schedule, later).is_none());
    assert!(b.app.scheduled_retention(&schedule, later).is_none());
    let runs = b.client().get("/api/v1/retention/runs", &b.dpo).body;
    assert_eq!(runs.as_array().unwrap().len(), 1, "{runs}");
}
