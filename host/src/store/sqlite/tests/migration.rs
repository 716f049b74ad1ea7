use rusqlite::Connection;

use super::*;
use crate::store::secret;
use crate::store::sqlite::schema;

/// Builds a database exactly as schema version 1 (the frozen `v1.sql`) creates it, with rows written the
/// way version 1 writes them, then opens it with this binary: every later migration must keep it usable.
#[test]
fn a_database_created_by_schema_version_1_opens_and_works() {
    let dir = tempfile::tempdir().unwrap();
    secret::load_or_create(dir.path()).unwrap();
    {
        let conn = Connection::open(dir.path().join(super::super::DB_FILE)).unwrap();
        conn.execute_batch(schema::V1).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO purposes (id, name) VALUES (1, 'marketing');
             INSERT INTO provenance (id, batch_id, source_label, channel, operator, created_at) VALUES (1, NULL, 'business card', 6, 'op', 1735689600);
             INSERT INTO contacts (id, created_at, updated_at, last_interaction, first_notice_at, seq) VALUES (1, 1735689600, 1735689600, NULL, 1735689600, 2);
             INSERT INTO identities (key, contact_id, provenance_id) VALUES ('e:old@example.it', 1, 1);
             INSERT INTO field_values (contact_id, seq, provenance_id, collected_at, recorded_at, record_digest, fields)
                 VALUES (1, 1, 1, 1735689600, 1735689600, NULL, '{\"last_name\":\"Verdi\"}');
             INSERT INTO consent_events (contact_id, purpose_id, channel, at, seq, action, provenance_id, method, notice_version, evidence, collected_by, recorded_at)
                 VALUES (1, 1, 1, 1735689600, 2, 1, 1, 'paper form', NULL, NULL, 'op', 1735689600);",
        )
        .unwrap();
    }
    let store = SqliteStore::open(dir.path(), Policy::default()).unwrap();
    assert_eq!(
        schema::migrations()
            .current_version(&store.writer().unwrap())
            .unwrap(),
        rusqlite_migration::SchemaVersion::Inside(
            std::num::NonZeroUsize::new(schema::latest_version()).unwrap()
        )
    );
    let id = store
        .find_contact(&email("old@example.it"))
        .unwrap()
        .unwrap();
    assert_eq!(
        store.contact(id).unwrap().current("last_name"),
        Some("Verdi")
    );
    let facts = store
        .processing_facts(id, "marketing", ConsentChannel::Email, day(2026, 1, 1))
        .unwrap();
    let d = can_process(
        &Policy::default(),
        &ProcessingQuery {
            purpose: "marketing",
            channel: "email",
            at: day(2026, 1, 1),
        },
        &facts,
    );
    assert!(d.allowed, "{}", d.reason);
    // Version 3 derived the latest collection time from the contact's existing rows.
    assert_eq!(facts.last_collected_at, Some(Timestamp(1735689600)));
    // New writes land on the old contact, and the audit log starts cleanly.
    let (_, outcomes) = import(&store, "file-a", &[record(1, "old@example.it", "Verdi")]);
    assert_eq!(outcomes, vec![RecordOutcome::Merged(id)]);
    assert!(store.audit_verify().unwrap().ok());
}

#[test]
fn a_database_from_a_newer_custode_is_refused_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    drop(SqliteStore::open(dir.path(), Policy::default()).unwrap());
    let conn = Connection::open(dir.path().join(super::super::DB_FILE)).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = SqliteStore::open(dir.path(), Policy::default())
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("newer Custode") && err.contains("upgrade"),
        "{err}"
    );
}

#[test]
fn a_lost_key_file_is_not_silently_replaced() {
    let dir = tempfile::tempdir().unwrap();
    drop(SqliteStore::open(dir.path(), Policy::default()).unwrap());
    std::fs::remove_file(dir.path().join(secret::SECRET_FILE)).unwrap();
    let err = SqliteStore::open(dir.path(), Policy::default())
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("restore the original from your backup"),
        "{err}"
    );
    // Even if someone then starts again with the freshly made key, the database recognises it is not its own.
    let err = SqliteStore::open(dir.path(), Policy::default())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("belongs to another installation"), "{err}");
}
