//! A server killed (SIGKILL) while it applies a retention run of a few thousand erasures: every
//! decision is either applied with its audit entry or still pending with nothing of it done, and the
//! next start finishes the rest.

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::server::Client;
use crate::support::{custode_binary, free_address, terminate, wait_until_up};
use custode::domain::{ContactId, Settings};
use custode::service::Compliance;
use custode::store::AuditFilter;
use serde_json::json;

const PEOPLE: usize = 3_000;

fn serve(data: &std::path::Path, address: &str) -> Child {
    let mut server = Command::new(custode_binary())
        .args(["serve", "--listen", address])
        .env("CUSTODE_DATA_DIR", data)
        .env_remove("CUSTODE_CONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until_up(address, &mut server);
    server
}

/// Every `contact.erase` entry of the log, by contact, with the run it names.
fn erasures_audited(c: &Compliance) -> BTreeMap<i64, i64> {
    let mut found = BTreeMap::new();
    let mut after = None;
    loop {
        let page = c
            .audit_list(&AuditFilter {
                after,
                target: None,
                limit: 1000,
            })
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.seq);
        for e in page.iter().filter(|e| e.action == "contact.erase") {
            let contact: i64 = e.target.trim_start_matches("contact:").parse().unwrap();
            found.insert(contact, e.details["run"].as_i64().unwrap_or(-1));
        }
    }
    found
}

#[test]
fn a_kill_during_an_apply_leaves_no_half_applied_decision_and_the_next_start_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let cli = |args: &[&str]| {
        let out = Command::new(custode_binary())
            .env("CUSTODE_DATA_DIR", &data)
            .env_remove("CUSTODE_SERVER")
            .env_remove("CUSTODE_TOKEN")
            .env_remove("CUSTODE_CONFIG")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let dpo = cli(&["token", "create", "--role", "dpo", "--name", "dora"]);
    // People with no consent and no other basis: the bundled rule erases every one.
    let mut csv = String::from("Nome;Cognome;E-mail;Telefono;Azienda;Consenso marketing;Versione informativa;Data raccolta;Fonte\n");
    for i in 0..PEOPLE {
        csv.push_str(&format!(
            "P{i};Q{i};p{i}@example.it;;;no;2026-01;12/03/2026;Fiera\n"
        ));
    }
    let file = dir.path().join("people.csv");
    std::fs::write(&file, csv).unwrap();
    cli(&[
        "import",
        "--plugin",
        "csv",
        "--source",
        "Fiera 2026",
        "--channel",
        "fair",
        file.to_str().unwrap(),
    ]);
    // The guard would hold this run for a DPO: this installation lets it through.
    std::fs::write(
        data.join("custode.toml"),
        "[retention.guard]\nmax_erasures = 1000000\nmax_share = 1.0\n",
    )
    .unwrap();

    let address = free_address();
    let mut server = serve(&data, &address);
    let url = format!("http://{address}");
    let runner = {
        let (url, dpo) = (url.clone(), dpo.clone());
        std::thread::spawn(move || {
            Client::new(&url).post(
                "/api/v1/retention/runs",
                &dpo,
                &json!({"rule": "legitimate-interest", "at": "2029-01-01"}),
            )
        })
    };
    let watcher = Client::new(&url);
    let deadline = Instant::now() + Duration::from_secs(120);
    let id = loop {
        assert!(Instant::now() < deadline, "the apply did not start");
        let runs = watcher.get("/api/v1/retention/runs", &dpo).body;
        if let Some(run) = runs.get(0) {
            assert_ne!(
                run["state"], "applied",
                "the apply ended before the kill: raise PEOPLE ({run})"
            );
            if run["erased"].as_u64().unwrap_or(0) > 0 {
                break run["id"].as_i64().unwrap();
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    let _ = runner.join();

    // Between the kill and the next start: each decision all or nothing.
    {
        let c = Compliance::open(&data, &Settings::default()).unwrap();
        let run = c.retention_run(id, None, 10_000).unwrap();
        assert_eq!(run.state.as_str(), "partially-applied");
        assert_eq!(run.decisions.len(), PEOPLE);
        let audited = erasures_audited(&c);
        let (mut applied, mut pending) = (0, 0);
        for d in &run.decisions {
            let contact = d.decision.decision.contact_id;
            let gone = c.contact(contact).unwrap().erased_at.is_some();
            match d.outcome.as_str() {
                "applied" => {
                    applied += 1;
                    assert!(gone, "{contact} marked applied but not erased");
                    assert_eq!(
                        audited.get(&contact.0),
                        Some(&id),
                        "{contact} erased without its audit entry"
                    );
                }
                "pending" => {
                    pending += 1;
                    assert!(!gone, "{contact} erased but still pending");
                    assert!(
                        !audited.contains_key(&contact.0),
                        "{contact} audited but not applied"
                    );
                }
                other => panic!("{contact}: {other}"),
            }
        }
        assert!(
            applied > 0 && pending > 0,
            "{applied} applied, {pending} pending"
        );
        assert!(c.audit_verify().unwrap().problem.is_none());
    }

    // The next start finishes the rest, each once.
    let mut server = serve(&data, &address);
    let deadline = Instant::now() + Duration::from_secs(120);
    let run = loop {
        let run = watcher
            .get(&format!("/api/v1/retention/runs/{id}?limit=1"), &dpo)
            .body;
        if run["state"] == "applied" {
            break run;
        }
        assert!(
            Instant::now() < deadline,
            "the interrupted apply was not finished: {run}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    terminate(&mut server);
    assert_eq!(
        (
            run["erased"].as_u64(),
            run["pending"].as_u64(),
            run["not_applied"].as_u64()
        ),
        (Some(PEOPLE as u64), Some(0), Some(0)),
        "{run}"
    );
    let c = Compliance::open(&data, &Settings::default()).unwrap();
    let audited = erasures_audited(&c);
    let contacts: BTreeSet<i64> = audited.keys().copied().collect();
    assert_eq!(contacts.len(), PEOPLE, "one erasure entry per person");
    assert!((1..=PEOPLE as i64).all(|i| c.contact(ContactId(i)).unwrap().erased_at.is_some()));
    assert!(c.audit_verify().unwrap().problem.is_none());
}
