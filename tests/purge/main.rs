//! PostgreSQL keeps deleted row versions until VACUUM, VACUUM leaves their bytes in the pages, and
//! the write-ahead log keeps page images: after an erasure and `custode purge` (`purge_erased`), no
//! file of the database, of the cluster or of the log holds the person.
//!
//! A test binary of its own: cargo runs test binaries one after another, so no session of another
//! test (an import in another database, a connection being opened) holds back what VACUUM FULL may
//! remove while this one runs. It needs a superuser in `CUSTODE_TEST_POSTGRES`, as CI has: it reads
//! the data directory and turns off the reuse of old log segments, as the documentation asks of an
//! installation. Skipped without the variable.

#[path = "../all/support/postgres.rs"]
mod postgres_db;

use std::path::Path;

use custode::domain::*;
use custode::store::{
    AuditStore, BatchMeta, ContactStore, ErasureCause, ErasureStore, ImportStore, PostgresStore,
};

/// Every file under `dir` that holds `needle`.
fn files_holding(dir: &Path, needle: &[u8], out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_holding(&path, needle, out);
        } else if let Ok(bytes) = std::fs::read(&path) {
            if bytes.windows(needle.len()).any(|w| w == needle) {
                out.push(path.display().to_string());
            }
        }
    }
}

fn record(row: u64, mail: &str, last_name: &str, evidence: &str) -> NormalizedRecord {
    NormalizedRecord {
        row,
        identities: vec![Identity::Email(Email::parse(mail).unwrap())],
        fields: vec![
            FieldValue {
                name: "first_name".into(),
                value: "Quirina".into(),
            },
            FieldValue {
                name: "last_name".into(),
                value: last_name.into(),
            },
        ],
        consents: vec![ConsentClaim {
            purpose: "marketing".into(),
            channel: ConsentChannel::Email,
            action: ConsentAction::Granted,
            at: Some(Timestamp::from_date(2026, 1, 10).unwrap()),
            evidence: Some(evidence.into()),
            notice_version: Some("2026-01".into()),
        }],
        ..NormalizedRecord::default()
    }
}

#[test]
fn erasure_and_a_purge_leave_no_byte_of_the_person_in_the_postgresql_files() {
    let Some(db) = postgres_db::TestDb::create() else {
        return;
    };
    let mut admin = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
    admin
        .batch_execute("ALTER SYSTEM SET wal_recycle = off; ")
        .unwrap();
    admin.batch_execute("SELECT pg_reload_conf()").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = PostgresStore::open(&db.url, dir.path(), Policy::default()).unwrap();
    let dpo = Actor::new("giulia.dpo", Role::Dpo);

    let marker = format!("Zqx{:08x}", rand::random::<u32>());
    let mail = format!("{}@example.it", marker.to_lowercase());
    let records = [
        record(1, &mail, &marker, &format!("form signed by {marker}")),
        record(2, "other@example.it", "Bianchi", "checkbox"),
    ];
    let meta = BatchMeta {
        source_label: "Fiera Milano 2026".into(),
        channel: SourceChannel::Fair,
        file_digest: None,
        plugin: None,
        started_at: Timestamp::from_date(2026, 1, 10).unwrap(),
        collected_at: Timestamp::from_date(2026, 1, 10).unwrap(),
    };
    let mut outcomes = Vec::new();
    store
        .import(&dpo, &meta, &mut |w| {
            for r in &records {
                outcomes.push(w.write(r)?);
            }
            Ok(serde_json::json!({}))
        })
        .unwrap();
    let RecordOutcome::Created(id) = outcomes[0] else {
        panic!("{outcomes:?}")
    };
    let RecordOutcome::Created(other) = outcomes[1] else {
        panic!("{outcomes:?}")
    };
    let erased = store
        .erase(
            &dpo,
            id,
            "request of 2026-03-01",
            Timestamp::now(),
            ErasureCause::Request,
        )
        .unwrap();
    assert!(
        !erased.files_purged,
        "PostgreSQL's files keep old row versions until a purge"
    );

    // Before the purge the person is still in the files: the test can fail.
    let (data_dir, oid): (String, u32) = {
        let row = admin
            .query_one(
                "SELECT current_setting('data_directory'), oid FROM pg_database
                 WHERE datname = current_database()",
                &[],
            )
            .unwrap();
        (row.get(0), row.get(1))
    };
    let data_dir = Path::new(&data_dir);
    // This database's files, the cluster-wide ones and the log (the cluster's other databases are
    // other installations).
    let holding = |needle: &str| {
        let mut found = Vec::new();
        for dir in [
            data_dir.join(format!("base/{oid}")),
            data_dir.join("global"),
            data_dir.join("pg_wal"),
        ] {
            files_holding(&dir, needle.as_bytes(), &mut found);
        }
        found
    };
    admin.batch_execute("CHECKPOINT").unwrap();
    assert!(
        !holding(&marker).is_empty(),
        "the erased rows' old versions are in the files"
    );

    let report = store.purge_erased(&dpo).unwrap();
    assert!(report.purged, "{}", report.detail);
    for needle in [marker.as_str(), mail.as_str()] {
        assert_eq!(
            holding(needle),
            Vec::<String>::new(),
            "`{needle}` is still in these files"
        );
    }
    // The other contact is untouched, and the audit log verifies.
    assert_eq!(
        store.contact(other).unwrap().current("last_name"),
        Some("Bianchi")
    );
    assert!(store.audit_verify().unwrap().ok());
    drop(admin);
}
