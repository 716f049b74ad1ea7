use super::*;

use crate::store::suite::erasure::{person, EMAIL, NAME};

fn raw_files_contain(dir: &std::path::Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
            found.push(path.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    found
}

/// A contact whose name and email are in values, history, identities, the identity index, consent
/// evidence and a manual provenance label, with a second contact beside it that must survive.

#[test]
fn erasure_leaves_no_byte_of_the_person_in_the_database_files() {
    let (dir, store) = open();
    let id = person(&store);
    // The search must be able to find the data before erasure, or finding nothing afterwards means nothing.
    store
        .writer()
        .unwrap()
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    assert!(!raw_files_contain(dir.path(), EMAIL).is_empty());
    assert!(!raw_files_contain(dir.path(), NAME).is_empty());

    let report = store
        .erase(
            &dpo(),
            id,
            "request of 2026-03-01, ticket 123",
            day(2026, 3, 2),
            ErasureCause::Request,
        )
        .unwrap();
    assert!(report.files_purged);
    assert_eq!(report.identities_suppressed, 1);
    assert!(report.kept.is_empty());
    assert_eq!(raw_files_contain(dir.path(), EMAIL), Vec::<String>::new());
    assert_eq!(raw_files_contain(dir.path(), NAME), Vec::<String>::new());
    assert_eq!(
        raw_files_contain(dir.path(), "Quirinalda"),
        Vec::<String>::new()
    );

    // The other contact is intact, the tombstone says what happened, the audit log recorded it.
    let other = store
        .find_contact(&email("other@example.it"))
        .unwrap()
        .unwrap();
    assert_eq!(
        store.contact(other).unwrap().current("last_name"),
        Some("Bianchi")
    );
    assert!(matches!(
        store.consent_history(id),
        Err(StoreError::Erased { .. })
    ));
    assert_eq!(store.contact(id).unwrap().erased_at, Some(day(2026, 3, 2)));
    let log = store
        .audit_list(&AuditFilter {
            target: Some(format!("contact:{}", id.0)),
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(log.last().unwrap().action, "contact.erase");
    assert!(store.audit_verify().unwrap().ok());
    // The suppression hash survives: the person is never re-imported.
    let (_, outcomes) = import(&store, "file-z", &[record(1, EMAIL, NAME)]);
    assert_eq!(outcomes, vec![RecordOutcome::Suppressed]);
    assert!(store.suppression_of(&email(EMAIL)).unwrap().is_some());
}

/// Art. 18: a restricted contact's data is only stored. A retention rule may neither erase nor
/// anonymise it; the person's request, handled by a DPO, still may.
#[test]
fn anonymisation_replaces_values_of_the_chosen_categories_only() {
    let (dir, store) = open();
    let id = person(&store);
    let report = store
        .anonymise(
            &dpo(),
            id,
            &[DataCategory::Contact],
            "retention rule: 24 months",
            ErasureCause::Retention,
        )
        .unwrap();
    assert_eq!(report.identities_removed, 1);
    let c = store.contact(id).unwrap();
    assert_eq!(c.current("last_name"), Some("[anonymised]"));
    assert_eq!(c.current("company"), Some("Rossi S.r.l."));
    assert_eq!(c.anonymised, vec![DataCategory::Contact]);
    // Consent states survive for statistics; the evidence text that named her does not.
    let history = store.consent_history(id).unwrap();
    assert_eq!(history.len(), 2);
    assert!(history.iter().all(|e| e.evidence.text.is_none()));
    assert_eq!(raw_files_contain(dir.path(), NAME), Vec::<String>::new());
}

#[test]
fn an_erasure_held_up_by_a_reader_is_purged_from_the_files_by_the_next_backup() {
    let (dir, store) = open();
    let id = person(&store);
    // Another process's reader in the middle of a read transaction keeps the WAL's old page images.
    let other = rusqlite::Connection::open(store.db_path()).unwrap();
    other.execute_batch("BEGIN").unwrap();
    let _: i64 = other
        .query_row("SELECT count(*) FROM contacts", [], |r| r.get(0))
        .unwrap();
    let report = store
        .erase(
            &dpo(),
            id,
            "request of 2026-03-01",
            day(2026, 3, 2),
            ErasureCause::Request,
        )
        .unwrap();
    assert!(
        !report.files_purged,
        "the reader's snapshot held the checkpoint up"
    );
    assert!(
        !raw_files_contain(dir.path(), EMAIL).is_empty(),
        "the WAL still holds the old pages: this is what the next backup must clean"
    );
    other.execute_batch("COMMIT").unwrap();
    drop(other);

    let backups = tempfile::tempdir().unwrap();
    let copy = backups.path().join("custode-backup.db");
    store.backup(&dpo(), &copy).unwrap();
    assert_eq!(raw_files_contain(dir.path(), EMAIL), Vec::<String>::new());
    assert_eq!(raw_files_contain(dir.path(), NAME), Vec::<String>::new());
    assert_eq!(
        raw_files_contain(backups.path(), EMAIL),
        Vec::<String>::new()
    );
}
