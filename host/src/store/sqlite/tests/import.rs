//! File digests kept keyed: what stays specific to SQLite (installations from before keying).
//! Everything else about imports is in the store suite (`store/suite/import.rs`).

use super::*;

/// The plain SHA-256 of a one-line file is the hash of one email: what the batch and the audit log
/// keep is keyed with the installation secret, a re-import is still recognised, and an installation
/// from before has its batches' digests keyed once when it opens.
#[test]
fn file_digests_are_keyed_and_old_ones_are_keyed_once() {
    let (dir, store) = open();
    let records = [record(1, "mario@rossi.it", "Rossi")];
    let (committed, _) = import(&store, "file-a", &records);
    let plain = batch("file-a").file_digest.unwrap();
    let keyed = store.keys.file_digest(&plain);
    assert_ne!(keyed, plain);
    assert_eq!(committed.file_digest.as_deref(), Some(keyed.as_str()));
    let stored = |store: &SqliteStore| -> String {
        store
            .reader()
            .unwrap()
            .query_row("SELECT file_digest FROM import_batches", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(stored(&store), keyed);
    let entries = store.audit_list(&AuditFilter::default()).unwrap();
    let audit = serde_json::to_string(&entries).unwrap();
    assert!(!audit.contains(&plain) && audit.contains(&keyed), "{audit}");
    let (again, _) = import(&store, "file-a", &records);
    assert_eq!(again.counts.unchanged, 1, "a re-import is recognised");
    drop(store);

    // As an older version left it: plain digests, and no note that they were keyed.
    let conn = rusqlite::Connection::open(dir.path().join("custode.db")).unwrap();
    conn.execute("UPDATE import_batches SET file_digest = ?1", [&plain])
        .unwrap();
    conn.execute("DELETE FROM meta WHERE key = 'file_digests_keyed'", [])
        .unwrap();
    drop(conn);
    let store = SqliteStore::open(dir.path(), Policy::default()).unwrap();
    assert_eq!(stored(&store), keyed);
    let (third, _) = import(&store, "file-a", &records);
    assert_eq!(third.counts.unchanged, 1);
    drop(store);
    let store = SqliteStore::open(dir.path(), Policy::default()).unwrap();
    let digests: Vec<String> = store
        .reader()
        .unwrap()
        .prepare("SELECT file_digest FROM import_batches")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert!(
        digests.iter().all(|d| *d == keyed),
        "keyed once: {digests:?}"
    );
}
