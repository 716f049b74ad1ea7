//! Several servers on one PostgreSQL database: two `PostgresStore`s (two data directories holding
//! the same key file, as two `custode serve` processes would) writing at once from two threads. The
//! database's writer lock, not a lock in the process, keeps ids unique and the audit chain whole.

use std::sync::Barrier;

use super::*;
use crate::store::cases::{CaseFilter, NewCase};
use crate::store::runs::{outcome, RunDecision};
use crate::store::{
    AuditFilter, AuditStore, CaseStore, PluginStore, RetentionRunStore, ReviewStore, TokenStore,
};

/// A second server on the database of `first`: its own data directory with the same key file.
fn second_server(first: &Opened<PostgresStore>) -> (TempDir, PostgresStore) {
    let dir = tempfile::tempdir().unwrap();
    let key = crate::store::secret::SECRET_FILE;
    std::fs::copy(first.dir.path().join(key), dir.path().join(key)).unwrap();
    let url = &first.db.as_ref().unwrap().url;
    let store = PostgresStore::open(url, dir.path(), Policy::default()).unwrap();
    (dir, store)
}

const PER_SERVER: usize = 25;

#[test]
fn two_servers_open_cases_record_runs_and_create_tokens_at_once() {
    let Some(first) = postgres(Policy::default()) else {
        return;
    };
    let (_dir, second) = second_server(&first);
    let barrier = Barrier::new(2);
    let work = |store: &PostgresStore, server: &str| {
        barrier.wait();
        let mut runs = Vec::new();
        for i in 0..PER_SERVER {
            let at = day(2026, 3, 2);
            let new = NewCase {
                kind: RequestKind::Access,
                subject: format!("person{i}@example.it"),
                subject_key: Some("same person".into()),
                contact: None,
                channel: "email".into(),
                notes: String::new(),
                language: "en".into(),
                received_at: at,
                due_at: day(2026, 4, 2),
            };
            store.open_case(&dpo(), &new, at).unwrap();
            let run = store.run_start(&dpo(), "schedule", at, &[]).unwrap();
            let review = RunDecision {
                decision: RetentionDecision {
                    contact_id: ContactId(i as i64),
                    action: RetentionAction::Review,
                    reason: "inactive".into(),
                    legal_reference: "Art. 5(1)(e)".into(),
                    review_after: None,
                    holds_from: None,
                },
                rules: vec![server.into()],
            };
            store.run_record(run, 1, 0, &[review], true).unwrap();
            runs.push(run);
            let name = format!("{server}-{i}");
            store
                .create_token(&dpo(), &name, Role::Operator, &token_hash(&name))
                .unwrap();
        }
        runs
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| work(&first.store, "a"));
        let b = s.spawn(|| work(&second, "b"));
        (a.join().unwrap(), b.join().unwrap())
    });
    let mut runs: Vec<i64> = a.into_iter().chain(b).collect();
    runs.sort();
    runs.dedup();
    assert_eq!(runs.len(), 2 * PER_SERVER, "run ids are unique");
    for store in [&first.store, &second] {
        let cases = store
            .cases(
                &CaseFilter {
                    limit: 1000,
                    ..CaseFilter::default()
                },
                day(2026, 3, 2),
            )
            .unwrap();
        let mut ids: Vec<i64> = cases.iter().map(|c| c.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 2 * PER_SERVER, "case ids are unique");
        // Every case but the first saw all those opened before it, whichever server opened them.
        let mut dups: Vec<usize> = cases.iter().map(|c| c.duplicate_of.len()).collect();
        dups.sort();
        assert_eq!(dups, (0..2 * PER_SERVER).collect::<Vec<_>>());
        for c in &cases {
            assert_eq!(store.case(c.id, day(2026, 3, 2)).unwrap().history.len(), 1);
        }
        assert_eq!(store.tokens().unwrap().len(), 2 * PER_SERVER);
        assert_eq!(store.admin_version().unwrap(), 2 * PER_SERVER as i64);
        for run in &runs {
            let decisions = store.run_decisions(*run, None, 10).unwrap();
            assert_eq!(decisions.len(), 1);
            assert_eq!(decisions[0].seq, 1);
        }
        let v = store.audit_verify().unwrap();
        assert!(v.ok(), "{v:?}");
        assert_eq!(v.entries, 4 * PER_SERVER as u64);
    }
}

fn token_hash(name: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(name.as_bytes()).into()
}

#[test]
fn two_servers_applying_one_run_apply_each_decision_once() {
    let Some(first) = postgres(Policy::default()) else {
        return;
    };
    let (_dir, second) = second_server(&first);
    let store = &first.store;
    let run = store
        .run_start(&dpo(), "schedule", day(2027, 1, 1), &[])
        .unwrap();
    // 300 review decisions about 150 contacts: each contact is queued once.
    let decisions: Vec<RunDecision> = (0..300i64)
        .map(|i| RunDecision {
            decision: RetentionDecision {
                contact_id: ContactId(i % 150),
                action: RetentionAction::Review,
                reason: "inactive".into(),
                legal_reference: "Art. 5(1)(e)".into(),
                review_after: None,
                holds_from: None,
            },
            rules: vec!["inactivity".into()],
        })
        .collect();
    store.run_record(run, 300, 0, &decisions, false).unwrap();
    let barrier = Barrier::new(2);
    let apply = |s: &PostgresStore| {
        barrier.wait();
        let mut batches = 0;
        while s.run_apply_batch(&dpo(), run, 7).unwrap() > 0 {
            batches += 1;
        }
        batches
    };
    std::thread::scope(|s| {
        let a = s.spawn(|| apply(&first.store));
        let b = s.spawn(|| apply(&second));
        a.join().unwrap();
        b.join().unwrap();
    });
    for s in [&first.store, &second] {
        let record = s.run(run).unwrap();
        assert_eq!((record.pending, record.to_review), (0, 300));
        assert!(s
            .run_decisions(run, None, 1000)
            .unwrap()
            .iter()
            .all(|d| d.outcome == outcome::REVIEW));
        let items = s.review_items(true, None, 1000).unwrap();
        let mut contacts: Vec<i64> = items.iter().map(|i| i.contact_id.0).collect();
        contacts.sort();
        contacts.dedup();
        assert_eq!((items.len(), contacts.len()), (150, 150));
        assert!(s.audit_list(&AuditFilter::default()).unwrap().is_empty());
    }
}

/// A server connecting as the service role reads and writes, and cannot change the audit log: not
/// by UPDATE, DELETE or TRUNCATE, and, not owning the table, not by dropping or disabling its
/// triggers either.
#[test]
fn the_service_role_cannot_alter_the_audit_log() {
    let Some(owner) = crate::store::suite::postgres(Default::default()) else {
        return;
    };
    owner
        .store
        .audit_record(&dpo(), "notice.publish", "notice:1", serde_json::json!({}))
        .unwrap();
    let db = owner.db.as_ref().unwrap();
    let role = format!("custode_app_{}", &db.name["custode_test_".len()..]);
    owner
        .store
        .raw(&format!("CREATE ROLE {role} LOGIN PASSWORD 'app-secret'"))
        .unwrap();
    owner
        .store
        .raw(&crate::store::postgres::schema::service_grants(&role).unwrap())
        .unwrap();
    let config: ::postgres::Config = db.url.parse().unwrap();
    let url = format!(
        "host={} port={} user={role} password=app-secret dbname={}",
        match config.get_hosts().first() {
            Some(::postgres::config::Host::Tcp(h)) => h.clone(),
            _ => "127.0.0.1".into(),
        },
        config.get_ports().first().copied().unwrap_or(5432),
        db.name
    );
    let app = PostgresStore::open(&url, owner.dir.path(), Policy::default()).unwrap();
    app.audit_record(
        &dpo(),
        "access.exported",
        "contact:1",
        serde_json::json!({}),
    )
    .unwrap();
    assert!(app.audit_verify().unwrap().ok());
    for attack in [
        "UPDATE audit_log SET actor = 'someone-else'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_log_no_update ON audit_log",
        "UPDATE suppression_periods SET since = 0",
        "INSERT INTO custode_schema (version) VALUES (99)",
    ] {
        let refused = app.raw(attack).unwrap_err();
        assert!(
            refused.contains("permission denied") || refused.contains("must be owner"),
            "{attack}: {refused}"
        );
    }
    assert_eq!(app.audit_list(&Default::default()).unwrap().len(), 2);
    assert!(crate::store::postgres::schema::service_grants("x; DROP TABLE contacts").is_err());
    drop(app);
    owner.store.raw(&format!("DROP OWNED BY {role}; ")).unwrap();
    // The role outlives the database otherwise (roles belong to the whole server).
    let admin = std::env::var(crate::store::postgres::testing::ENV).unwrap();
    let mut client = ::postgres::Client::connect(&admin, ::postgres::NoTls).unwrap();
    drop(owner);
    client
        .batch_execute(&format!("DROP ROLE IF EXISTS {role}"))
        .unwrap();
}

/// A server drops its store on a thread of its async runtime when it stops; the blocking client's
/// connections must close there without a panic (which would abort the server at shutdown).
#[test]
fn a_store_dropped_inside_an_async_runtime_closes_without_a_panic() {
    let Some(opened) = crate::store::suite::postgres(Default::default()) else {
        return;
    };
    let Opened { store, dir, db } = opened;
    store
        .audit_record(&dpo(), "notice.publish", "notice:1", serde_json::json!({}))
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async move { drop(store) });
    drop((dir, db));
}
